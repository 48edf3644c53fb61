"""The pixel-motion planarity cue: a flat picture's texture follows one homography, parallax
and changing shape do not, too little texture gives no verdict."""

from __future__ import annotations

import numpy as np
import pytest
from liveness_synthetic_scene import texture, tremor_homography, two_depth, warp

from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.liveness.liveness_state import LivenessConfig
from attendance_app.vision.liveness.pixel_planarity import (
    PATCH_SIDE,
    face_patch,
    pixel_planar_residual,
)

THRESHOLD = 0.012  # the "and" threshold the monitor tests use
BOX = FaceBox(100, 80, 220, 230)
CENTRE = (160.0, 155.0)


def _patches(frames: list[np.ndarray], boxes: list[FaceBox] | None = None) -> list[np.ndarray]:
    return [face_patch(f, b) for f, b in zip(frames, boxes or [BOX] * len(frames))]


def test_a_flat_picture_tilted_and_shaken_leaves_almost_no_residual() -> None:
    picture = texture(320, seed=0)
    rng = np.random.default_rng(3)
    for _ in range(5):
        hom = tremor_homography(rng, CENTRE)
        ref, cur = _patches([picture, warp(picture, hom)])
        residual = pixel_planar_residual(ref, cur)
        assert residual is not None and residual < THRESHOLD / 3


def test_a_flat_picture_stays_planar_when_the_face_box_jitters_and_grows() -> None:
    """Each sample's patch is cut around its own box: a different affine map per sample, so
    the picture still moves by one homography between the patches."""
    picture = texture(320, seed=1)
    hom = tremor_homography(np.random.default_rng(4), CENTRE)
    ref, cur = _patches([picture, warp(picture, hom)],
                        [BOX, FaceBox(96, 79, 228, 236)])
    residual = pixel_planar_residual(ref, cur)
    assert residual is not None and residual < THRESHOLD / 3


@pytest.mark.parametrize("shift_px", [4.0, 6.0])
def test_a_near_surface_moving_against_a_far_one_breaks_the_homography(shift_px: float) -> None:
    back, front = texture(320, seed=2), texture(320, seed=5)
    ref = two_depth(back, front, CENTRE, 55, 0.0)
    cur = two_depth(back, front, CENTRE, 55, shift_px)
    residual = pixel_planar_residual(*_patches([ref, cur]))
    assert residual is not None and residual > THRESHOLD


def test_a_picture_without_texture_gives_no_verdict() -> None:
    flat = np.full((320, 320), 128, np.uint8)
    assert pixel_planar_residual(*_patches([flat, flat])) is None


def test_the_patch_is_the_box_and_a_ring_around_it_even_at_the_frame_edge() -> None:
    grey = texture(320, seed=6)
    patch = face_patch(grey, FaceBox(-20, 10, 100, 130))  # partly outside the frame
    assert patch.shape == (PATCH_SIDE, PATCH_SIDE) and patch.dtype == np.uint8
