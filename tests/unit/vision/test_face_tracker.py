import numpy as np
import pytest

from attendance_app.domain.detection import Detection, FaceQuality
from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.face_tracker import FaceTracker, _iou_matrix, quality_score


def _det(x: float, y: float, size: float = 60.0, sharpness: float = 100.0) -> Detection:
    box = FaceBox(x, y, x + size, y + size)
    landmarks = tuple((x + size * fx, y + size * fy) for fx, fy in
                      [(0.3, 0.4), (0.7, 0.4), (0.5, 0.6), (0.35, 0.8), (0.65, 0.8)])
    return Detection(box, 0.99, landmarks, FaceQuality(size, sharpness, 0.0))


def _ids_by_x(update) -> dict[int, float]:
    return {t.id: t.box.x1 for t in update.seen}


def test_a_face_moving_steadily_keeps_one_track() -> None:
    tracker = FaceTracker()
    ids = {tracker.update([_det(100 + 6 * f, 50 + 2 * f)], f).seen[0].id for f in range(30)}
    assert len(ids) == 1
    track = tracker.tracks[0]
    assert (track.hits, track.age, track.missed) == (30, 30, 0)
    assert track.velocity[0] == pytest.approx(6.0, abs=0.1)


def test_two_faces_crossing_each_other_keep_their_own_tracks() -> None:
    # 13 px/frame: right after the crossing each face's previous box overlaps the *other* face's
    # new box more than its own, so plain last-box IoU would swap them; prediction must not.
    tracker = FaceTracker()
    first = tracker.update([_det(0, 100), _det(240, 106)], 0)
    left_id, right_id = (t.id for t in sorted(first.seen, key=lambda t: t.box.x1))
    for f in range(1, 25):
        tracker.update([_det(240 - 13 * f, 106), _det(13 * f, 100)], f)
    by_id = {t.id: t for t in tracker.tracks}
    assert set(by_id) == {left_id, right_id}
    assert by_id[left_id].box.x1 == 13 * 24 and by_id[left_id].box.y1 == 100
    assert by_id[right_id].box.x1 == 240 - 13 * 24 and by_id[right_id].box.y1 == 106


def test_a_face_missed_for_a_few_frames_keeps_its_track() -> None:
    tracker = FaceTracker(max_missed=5)
    track_id = tracker.update([_det(100, 100)], 0).seen[0].id
    for f in range(1, 5):
        assert tracker.update([], f).seen == []
    again = tracker.update([_det(102, 101)], 5)
    assert [t.id for t in again.seen] == [track_id] and again.new == []


def test_a_face_that_leaves_and_returns_later_gets_a_new_track() -> None:
    tracker = FaceTracker(max_missed=3)
    old_id = tracker.update([_det(100, 100)], 0).seen[0].id
    lost = [t.id for f in range(1, 5) for t in tracker.update([], f).lost]
    assert lost == [old_id]
    back = tracker.update([_det(100, 100)], 5)
    assert len(back.new) == 1 and back.new[0].id != old_id


def test_a_box_that_jumps_beyond_the_minimum_overlap_starts_a_new_track() -> None:
    tracker = FaceTracker(min_iou=0.3, max_missed=0)
    tracker.update([_det(100, 100)], 0)
    jump = tracker.update([_det(150, 100)], 1)  # IoU of 60-px boxes 50 px apart: 0.09
    assert len(jump.new) == 1 and len(jump.lost) == 1


def test_matching_does_not_depend_on_detection_order() -> None:
    a, b = FaceTracker(), FaceTracker()
    dets = [_det(0, 0), _det(200, 0), _det(400, 0)]
    a.update(dets, 0)
    b.update(dets, 0)
    moved = [_det(5, 0), _det(205, 0), _det(405, 0)]
    assert _ids_by_x(a.update(moved, 1)) == _ids_by_x(b.update(moved[::-1], 1))


def test_the_best_detection_is_the_largest_sharpest_view() -> None:
    tracker = FaceTracker()
    tracker.update([_det(100, 100, size=60, sharpness=100)], 0)
    tracker.update([_det(98, 98, size=70, sharpness=100)], 1)
    tracker.update([_det(98, 98, size=72, sharpness=2)], 2)  # bigger but blurred
    best = tracker.tracks[0].best_detection
    assert best.box.width == 70
    assert tracker.tracks[0].best_quality == pytest.approx(quality_score(best))


def test_iou_matrix_agrees_with_the_pairwise_face_box_iou() -> None:
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 200, size=(9, 2))
    wh = rng.uniform(5, 80, size=(9, 2))
    boxes = [FaceBox(x, y, x + w, y + h) for (x, y), (w, h) in zip(xy, wh)]
    arr = np.array([b.as_tuple() for b in boxes])
    matrix = _iou_matrix(arr[:4], arr[4:])
    loop = [[p.iou(q) for q in boxes[4:]] for p in boxes[:4]]
    np.testing.assert_allclose(matrix, loop, atol=1e-12)
