"""Landmark refinement: the detector is run again on an enlarged view of a small face."""

from __future__ import annotations

import numpy as np
import pytest

from attendance_app.domain.detection import Detection
from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.landmark_refinement import (CONTEXT, REFINE_BELOW, REFINED_SIDE,
                                                       needs_refinement, refine_landmarks)

FRAME = np.zeros((200, 300, 3), np.uint8)
MARKS = ((110.0, 60.0), (130.0, 60.0), (120.0, 70.0), (112.0, 80.0), (128.0, 80.0))


def small_face() -> Detection:
    return Detection(FaceBox(100, 50, 140, 90), 0.99, MARKS)  # 40 px


def view_detector(found_box: FaceBox, found_marks):
    """A detect() that records the view it was given and answers one face in it."""
    seen: list[np.ndarray] = []

    def detect(view: np.ndarray) -> list[Detection]:
        seen.append(view)
        return [Detection(found_box, 1.0, found_marks)]

    return detect, seen


def test_landmarks_found_in_the_view_are_mapped_back_to_the_frame() -> None:
    # The view is the face enlarged 4x (40 -> 160 px) around its centre (120, 70): view point
    # (v) is frame point 120 - CONTEXT * 40 + v / 4.
    origin = np.array([120 - CONTEXT * 40, 70 - CONTEXT * 40])
    moved = tuple((px + 1.0, py - 2.0) for px, py in MARKS)  # what a second look finds
    in_view = tuple(tuple((np.array(p) - origin) * 4) for p in moved)
    box_in_view = FaceBox(*((np.array([100, 50]) - origin) * 4), *((np.array([140, 90]) - origin) * 4))
    detect, seen = view_detector(box_in_view, in_view)
    refined = refine_landmarks(detect, FRAME, small_face())
    assert seen[0].shape == (round(2 * CONTEXT * REFINED_SIDE), round(2 * CONTEXT * REFINED_SIDE), 3)
    assert np.allclose(refined.landmarks, moved)
    assert refined.box == small_face().box and refined.probability == 0.99


def test_a_face_found_elsewhere_in_the_view_leaves_the_landmarks_alone() -> None:
    detect, _ = view_detector(FaceBox(0, 0, 40, 40), MARKS)  # a corner of the view, not the face
    assert refine_landmarks(detect, FRAME, small_face()).landmarks == MARKS


@pytest.mark.parametrize(("side", "refined"), [(40, True), (REFINE_BELOW - 1, True),
                                               (REFINE_BELOW, False), (300, False)])
def test_only_small_faces_are_refined(side: float, refined: bool) -> None:
    assert needs_refinement(Detection(FaceBox(0, 0, side, side * 0.8), 0.99, MARKS)) is refined


def test_a_large_face_is_returned_without_a_second_look() -> None:
    detect, seen = view_detector(FaceBox(0, 0, 10, 10), MARKS)
    large = Detection(FaceBox(10, 10, 10 + REFINE_BELOW, 10 + REFINE_BELOW), 0.99, MARKS)
    assert refine_landmarks(detect, FRAME, large) is large
    assert seen == []
