"""The 'ID photo -> camera' generator and its sighting scorer (issue 12)."""

from __future__ import annotations

import cv2
import pytest

from attendance_app.services.benchmarks.idphoto_video import (make_idphoto_video, plan_people,
                                                              read_truth, score_sightings,
                                                              split_of)


def test_validation_and_test_videos_never_share_an_identity(dataset) -> None:
    lfw = dataset("lfw")
    seen = {}
    for split in ("validation", "test"):
        names = set()
        for seed in (1, 2):
            plan = plan_people(lfw, split, 10, 5, seed, days=2)
            names |= set(plan.enrolled) | {n for day in plan.strangers_by_day for n in day}
        assert {split_of(n) for n in names} == {split}
        seen[split] = names
    assert not seen["validation"] & seen["test"]


def test_two_days_show_the_same_people_in_different_photos_and_new_strangers(
        dataset, tmp_path) -> None:
    lfw = dataset("lfw")
    day1, day2 = (make_idphoto_video(lfw, tmp_path, people=3, strangers=2, seed=4, day=d,
                                     days=2, hold_s=0.3, gap_s=0.1) for d in (1, 2))
    assert day1.enrolments == day2.enrolments
    for name in day1.enrolments:
        assert len({day1.enrolments[name], day1.shown[name], day2.shown[name]}) == 3
    assert not set(day1.strangers) & set(day2.strangers)
    assert not set(day1.strangers) & set(day1.enrolments)
    truth = read_truth(day1.truth)
    capture = cv2.VideoCapture(str(day1.video))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == day1.frames == len(truth) == 5 * 12
    capture.release()
    faces_per_frame = [len(truth[i]) for i in range(day1.frames)]
    assert faces_per_frame == ([1] * 9 + [0] * 3) * 5  # 0.3 s shown, 0.1 s empty, 30 fps
    boxes = [truth[i][0]["box"] for i in range(9)]
    assert len({tuple(b) for b in boxes}) > 1  # the photo moves or zooms within a shot


TRUTH = {0: [{"identity": "Ada", "enrolled": True, "weight": 1.0}],
         1: [{"identity": "Eve", "enrolled": False, "weight": 1.0}],
         2: [{"identity": "Bob", "enrolled": True, "weight": 1.0}],
         3: []}


@pytest.mark.parametrize("sightings, expected", [
    ({"Ada": [0], "Bob": [2]}, {"enrolled_recorded": 2, "recall": 1.0, "strangers_recorded": 0}),
    ({"Ada": [0, 1]}, {"enrolled_recorded": 1, "recall": 0.5, "strangers_recorded": 1}),
    ({"Ada": [2], "Bob": [3]}, {"enrolled_recorded": 0, "wrong_person_records": 1,
                                "records_without_face": 1}),
])
def test_sightings_are_scored_against_the_face_shown_on_their_frame(sightings, expected) -> None:
    score = score_sightings(sightings, TRUTH)
    assert score["enrolled_shown"] == 2 and score["strangers_shown"] == 1
    assert {k: score[k] for k in expected} == expected
