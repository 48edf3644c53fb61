"""The benchmarks' face choice: the subject is a face MTCNN is sure of, then the rule."""

from __future__ import annotations

from attendance_app.domain.detection import Detection
from attendance_app.domain.face_box import FaceBox
from attendance_app.services.benchmarks.face_source import CONFIDENT_FACE, choose_face

SHAPE = (300, 300, 3)
LANDMARKS = ((0.0, 0.0),) * 5


def face(x1: float, y1: float, side: float, probability: float) -> Detection:
    return Detection(FaceBox(x1, y1, x1 + side, y1 + side), probability, LANDMARKS)


def test_a_larger_doubtful_detection_loses_to_a_sure_face() -> None:
    # mindy_kaling/7.jpg: her hand at p 0.93 is larger than her face at p 1.00.
    hand, subject = face(0, 0, 120, 0.93), face(150, 150, 80, 1.0)
    assert choose_face([hand, subject], SHAPE, "largest") is subject
    assert choose_face([hand, subject], SHAPE, "central") is subject


def test_among_sure_faces_the_rule_decides() -> None:
    big, small = face(0, 0, 120, 0.999), face(110, 110, 80, CONFIDENT_FACE)
    assert choose_face([big, small], SHAPE, "largest") is big
    assert choose_face([big, small], SHAPE, "central") is small


def test_without_a_sure_face_all_faces_are_candidates() -> None:
    big, small = face(0, 0, 120, 0.95), face(110, 110, 80, 0.92)
    assert choose_face([big, small], SHAPE, "largest") is big
    assert choose_face([], SHAPE, "largest") is None
