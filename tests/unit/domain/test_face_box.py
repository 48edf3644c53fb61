import pytest

from attendance_app.domain.face_box import FaceBox


def test_iou_of_identical_boxes_is_one_and_of_disjoint_boxes_zero() -> None:
    a = FaceBox(0, 0, 10, 10)
    assert a.iou(FaceBox(0, 0, 10, 10)) == pytest.approx(1.0)
    assert a.iou(FaceBox(20, 20, 30, 30)) == 0.0


def test_iou_of_half_overlapping_boxes() -> None:
    # overlap 5x10 = 50, union 150
    assert FaceBox(0, 0, 10, 10).iou(FaceBox(5, 0, 15, 10)) == pytest.approx(50 / 150)


def test_a_degenerate_box_is_refused() -> None:
    with pytest.raises(ValueError):
        FaceBox(5, 5, 5, 10)
