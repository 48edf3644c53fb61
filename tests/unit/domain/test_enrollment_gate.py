from attendance_app.domain.detection import FaceQuality
from attendance_app.domain.enrollment_gate import EnrollmentGate, Pose

GATE = EnrollmentGate(min_face_px=60, min_sharpness=15, straight_max_yaw=12, turn_min_yaw=8,
                      turn_max_yaw=40)
GOOD = FaceQuality(size_px=120, sharpness=80, yaw_degrees=0.0)


def test_a_single_big_sharp_frontal_face_passes_every_gate() -> None:
    assert GATE.problems(1, GOOD, Pose.STRAIGHT) == []


def test_a_photo_without_a_face_or_with_two_faces_is_refused_with_the_count() -> None:
    assert GATE.problems(0, None) == ["no face found"]
    assert "2 faces found" in GATE.problems(2, GOOD)[0]


def test_small_and_blurred_faces_are_refused_with_both_reasons() -> None:
    reasons = GATE.problems(1, FaceQuality(size_px=40, sharpness=3, yaw_degrees=0))
    assert len(reasons) == 2
    assert "too small" in reasons[0] and "blurred" in reasons[1]


def test_a_turn_is_required_for_the_turn_shots_and_must_be_in_the_asked_direction() -> None:
    right = FaceQuality(size_px=120, sharpness=80, yaw_degrees=20)
    assert GATE.problems(1, right, Pose.SLIGHTLY_RIGHT) == []
    assert GATE.problems(1, right, Pose.SLIGHTLY_LEFT) != []
    assert GATE.problems(1, GOOD, Pose.SLIGHTLY_LEFT) != []
    assert GATE.problems(1, right, Pose.STRAIGHT) == ["please look straight at the camera"]


def test_a_head_turned_too_far_is_refused_even_when_any_pose_is_allowed() -> None:
    assert GATE.problems(1, FaceQuality(size_px=120, sharpness=80, yaw_degrees=60), Pose.ANY)
