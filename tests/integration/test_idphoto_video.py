"""'ID photo -> camera' (issue 12) through the real pipeline: one LFW photo enrols each person,
the generated video shows another photo of them (2 s, drifting, zooming, exposure changing)
plus strangers never enrolled. Real MTCNN, real FaceNet / SFace weights, real frames decoded
from the written mp4; fast pass (every frame, deterministic).

No stranger may be recorded (SFace; FaceNet fails this, a strict xfail naming the open defect).
At least a stated share of the enrolled people must be recorded: FaceNet
2/3, SFace 5/6, each below what the model reached on the validation video (12 people, seed 1:
FaceNet 10/12 = 0.83, SFace 12/12; README, issue 12). The video here comes from the *test*
identity half, seed fixed before any run, so it was never used to choose anything.
"""

from __future__ import annotations

import math

import pytest

from attendance_app.config import Settings
from attendance_app.services.benchmarks.idphoto_video import (make_idphoto_video, read_truth,
                                                              score_sightings, split_of)
from attendance_app.services.benchmarks.live_benchmark import run_live_benchmark, Enrolment
from attendance_app.services.model_service import SFACE_MATCH_MARGIN, SFACE_MATCH_THRESHOLD
from attendance_app.vision.face_detector import MtcnnFaceDetector

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MIN_RECALL = {"facenet": 2 / 3, "sface": 5 / 6}


@pytest.fixture(scope="module")
def video(dataset, tmp_path_factory):
    return make_idphoto_video(dataset("lfw"), tmp_path_factory.mktemp("idphoto"), split="test",
                              people=6, strangers=3, seed=3)


def test_the_video_enrols_one_photo_and_shows_another_of_test_identities_only(video) -> None:
    assert all(video.enrolments[n] != video.shown[n] for n in video.enrolments)
    assert {split_of(n) for n in [*video.enrolments, *video.strangers]} == {"test"}
    truth = read_truth(video.truth)
    assert len(truth) == video.frames
    shown = {f["identity"] for faces in truth.values() for f in faces}
    assert shown == set(video.enrolments) | set(video.strangers)


@pytest.fixture(scope="module")
def runs(video, request):
    """model -> (benchmark result, truth score), each model run once per module."""
    done = {}

    def run(model: str):
        if model not in done:
            embedder = request.getfixturevalue("pretrained_embedder" if model == "facenet"
                                               else "sface_embedder")
            policy = (SFACE_MATCH_THRESHOLD, SFACE_MATCH_MARGIN) if model == "sface" else None
            result = run_live_benchmark(
                video.video, [Enrolment(n, p) for n, p in video.enrolments.items()],
                MtcnnFaceDetector(min_face_size=20), embedder, Settings(), realtime=False,
                match_policy=policy, truth=video.truth)
            done[model] = result, result["truth_score"]["fast"]
        return done[model]

    return run


@pytest.mark.parametrize("model", ["facenet", "sface"])
def test_at_least_the_stated_share_of_enrolled_people_is_recorded(video, runs, model) -> None:
    result, score = runs(model)
    assert score == score_sightings(result["sighting_frames"], read_truth(video.truth))
    assert score["enrolled_shown"] == 6 and score["strangers_shown"] == 3
    assert score["wrong_person_records"] == 0 and score["records_without_face"] == 0
    needed = math.ceil(MIN_RECALL[model] * score["enrolled_shown"] - 1e-9)
    assert score["enrolled_recorded"] >= needed, (score, result["best_similarity"])


@pytest.mark.parametrize("model", [
    pytest.param("facenet", marks=pytest.mark.xfail(strict=True, reason=(
        "open defect: FaceNet at its 0.55 threshold gives look-alike strangers an enrolled "
        "name on ID-photo videos (validation seed 1: 1 of 6 strangers; this video: 1 of 3). "
        "SFace records none; see README, issue 12"))),
    "sface"])
def test_no_stranger_is_recorded(runs, model) -> None:
    result, score = runs(model)
    assert score["strangers_recorded"] == 0, result["sighting_frames"]
