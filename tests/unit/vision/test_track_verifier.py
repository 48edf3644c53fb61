"""TrackVerifier's pixel tests (ADR 11) on drawn frames: a face that moves a few pixels under a
box that stays is still the same face; a face swapped in place is not; a fade is told from a
live face by its tiny steps."""

from __future__ import annotations

import cv2
import numpy as np

from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.track_verifier import (ShownFace, TrackVerifier, VerifierSettings,
                                                   face_signature, searched_correlation,
                                                   signature_correlation)

BOX = FaceBox(100, 100, 180, 180)
VERIFIER = TrackVerifier(VerifierSettings())


def _face(seed: int) -> np.ndarray:
    """An 80x80 smooth colour pattern standing in for a face (each seed another person)."""
    small = np.random.default_rng(seed).integers(0, 255, (6, 6, 3)).astype(np.uint8)
    return cv2.resize(small, (80, 80), interpolation=cv2.INTER_CUBIC)


def _frame(face: np.ndarray, x: int = 100) -> np.ndarray:
    rgb = np.full((360, 640, 3), 60, np.uint8)
    rgb[100:180, x:x + 80] = face
    return rgb


def test_a_face_a_few_pixels_off_its_box_is_found_by_the_search() -> None:
    ada = _face(1)
    reference = face_signature(_frame(ada), BOX)
    for shift in (6, 8, 11):  # 10-14% of the box: a velocity prediction's usual error
        moved = _frame(ada, 100 + shift)
        assert signature_correlation(reference, face_signature(moved, BOX)) < 0.7
        assert searched_correlation(moved, BOX, reference, 3) >= 0.9
        assert not VERIFIER.appearance_changed(reference, moved, BOX)
    # Without the search the same frames count as changed.
    assert searched_correlation(_frame(ada, 108), BOX, reference, 0) < 0.7


def test_another_face_in_the_same_place_is_not_found_however_far_the_search() -> None:
    reference = face_signature(_frame(_face(1)), BOX)
    swapped = _frame(_face(2))
    assert searched_correlation(swapped, BOX, reference, 3) < 0.6
    assert VERIFIER.appearance_changed(reference, swapped, BOX)


def test_continuity_breaks_on_a_swap_not_on_a_move_or_a_light_change() -> None:
    ada = _face(1)
    shown = ShownFace.of(_frame(ada), BOX)
    assert VERIFIER.continuity_broken(shown, _frame(_face(2)))
    assert not VERIFIER.continuity_broken(shown, _frame(ada, 108))
    brighter = np.clip(_frame(ada).astype(np.int16) + 25, 0, 255).astype(np.uint8)
    assert not VERIFIER.continuity_broken(shown, brighter)
    assert not VERIFIER.continuity_broken(None, _frame(_face(2)))  # nothing shown before


def test_a_face_off_the_frame_is_no_evidence_of_a_change() -> None:
    reference = face_signature(_frame(_face(1)), BOX)
    outside = FaceBox(700, 400, 780, 480)
    assert searched_correlation(_frame(_face(2)), outside, reference, 3) == 1.0
    assert searched_correlation(_frame(_face(2)), BOX, None, 3) == 1.0


def test_a_fade_moves_in_smooth_steps_a_jump_does_not() -> None:
    ada, stranger = _face(1), _face(2)
    shown = ShownFace.of(_frame(ada), BOX)
    one_step = ((1 - 1 / 15) * ada + stranger / 15).astype(np.uint8)  # 1 frame of a 0.5 s fade
    assert VERIFIER.smooth_step(shown, _frame(one_step))
    assert not VERIFIER.smooth_step(shown, _frame(ada, 108))
    half_way = (0.5 * ada + 0.5 * stranger).astype(np.uint8)
    assert not VERIFIER.smooth_step(shown, _frame(half_way))
