"""face_quality: sharpness orders blur correctly, yaw sign and size, central face selection."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from attendance_app.domain.detection import Detection
from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.face_quality import (face_quality, select_central_face, sharpness,
                                                yaw_degrees)

FRONTAL = ((40.0, 50.0), (80.0, 50.0), (60.0, 70.0), (45.0, 90.0), (75.0, 90.0))


def _shifted_nose(dx: float) -> tuple:
    pts = list(FRONTAL)
    pts[2] = (60.0 + dx, 70.0)
    return tuple(pts)


def _det(x1: float, y1: float, x2: float, y2: float) -> Detection:
    return Detection(FaceBox(x1, y1, x2, y2), 0.99, FRONTAL)


def test_blurring_a_crop_lowers_its_sharpness() -> None:
    rng = np.random.default_rng(1)
    crop = rng.integers(0, 256, (160, 160, 3), dtype=np.uint8)
    blurred = cv2.GaussianBlur(crop, (9, 9), 3)
    assert sharpness(blurred) < sharpness(crop) / 4


def test_a_flat_crop_has_zero_sharpness() -> None:
    assert sharpness(np.full((160, 160, 3), 90, np.uint8)) == 0.0


def test_frontal_landmarks_give_zero_yaw() -> None:
    assert yaw_degrees(FRONTAL) == pytest.approx(0.0, abs=1e-9)


def test_nose_left_of_the_eyes_is_positive_yaw_and_grows_with_the_offset() -> None:
    small, large = yaw_degrees(_shifted_nose(-4)), yaw_degrees(_shifted_nose(-12))
    assert 0 < small < large < 90
    assert yaw_degrees(_shifted_nose(+12)) == pytest.approx(-large)


def test_head_roll_alone_does_not_read_as_yaw() -> None:
    angle = np.radians(25)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    rolled = tuple(tuple(rot @ np.array(p)) for p in FRONTAL)
    assert yaw_degrees(rolled) == pytest.approx(0.0, abs=1e-6)


def test_size_is_the_short_side_of_the_box() -> None:
    q = face_quality(FaceBox(0, 0, 50, 80), FRONTAL, np.zeros((160, 160, 3), np.uint8))
    assert q.size_px == 50


def test_central_face_beats_a_slightly_larger_face_in_the_corner() -> None:
    central, corner = _det(80, 80, 120, 120), _det(0, 0, 45, 45)
    assert select_central_face([corner, central], (200, 200, 3)) is central


def test_a_much_larger_face_wins_even_off_centre() -> None:
    small_central, big = _det(95, 95, 105, 105), _det(0, 0, 120, 120)
    assert select_central_face([small_central, big], (200, 200)) is big


def test_no_detections_selects_nothing() -> None:
    assert select_central_face([], (10, 10)) is None
