"""The liveness cues on synthetic meshes: a flat picture moved by a hand vs a 3-D face."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from liveness_synthetic_face import face_points, rotate, to_frame

from attendance_app.vision.liveness.eye_blink import EyeBlinkCue
from attendance_app.vision.liveness.head_rotation import is_3d_rotation, rigid_3d_residual
from attendance_app.vision.liveness.liveness_state import LivenessConfig
from attendance_app.vision.liveness.mesh_geometry import eye_openness, inter_ocular
from attendance_app.vision.liveness.nonrigid_motion import homography_residual, is_nonrigid

CFG = LivenessConfig()


def _tilted_photo(yaw: float, pitch: float) -> np.ndarray:
    """The homography a flat card turned by yaw/pitch (degrees) at 3 widths' depth makes."""
    corners = np.array([[-50, -60, 0], [50, -60, 0], [50, 60, 0], [-50, 60, 0]], float)
    rot, _ = cv2.Rodrigues(np.radians([pitch, yaw, 0]))
    p = corners @ rot.T + [0, 0, 300]
    proj = 300 * p[:, :2] / p[:, 2:3] + [320, 240]
    src = (corners[:, :2] + [320, 240]).astype(np.float32)
    return cv2.getPerspectiveTransform(src, proj.astype(np.float32))


def test_a_flat_picture_moved_by_any_homography_leaves_no_planar_residual() -> None:
    face = face_points()
    ref = to_frame(face)
    for yaw, pitch in ((0, 0), (20, 0), (-15, 10), (25, -18)):
        cur = to_frame(face, homography=_tilted_photo(yaw, pitch))
        planar = homography_residual(ref[:, :2], cur[:, :2], inter_ocular(ref[:, :2]))
        assert planar < 1e-3


def test_a_face_turning_in_depth_breaks_planarity_and_fits_a_rigid_3d_turn() -> None:
    face = face_points()
    ref = to_frame(face)
    cur = to_frame(rotate(face, yaw_deg=12))
    scale = inter_ocular(ref[:, :2])
    planar = homography_residual(ref[:, :2], cur[:, :2], scale)
    rigid = rigid_3d_residual(ref, cur[:, :2], scale)
    assert planar > CFG.planar_residual and rigid < 0.1 * planar
    assert is_3d_rotation(planar, rigid, CFG.planar_residual, CFG.rigid_ratio, CFG.max_residual)
    assert not is_nonrigid(planar, rigid, CFG.nonrigid_residual, CFG.max_residual)


def test_a_face_changing_shape_is_neither_planar_nor_rigid() -> None:
    face = face_points()
    ref = to_frame(face)
    changed = face.copy()
    changed[300:, 1] += 8 * np.sin(np.arange(168))  # lips and brows moving on their own
    cur = to_frame(changed)
    scale = inter_ocular(ref[:, :2])
    planar = homography_residual(ref[:, :2], cur[:, :2], scale)
    rigid = rigid_3d_residual(ref, cur[:, :2], scale)
    assert is_nonrigid(planar, rigid, CFG.nonrigid_residual, CFG.max_residual)


def test_a_jump_to_another_face_is_not_evidence() -> None:
    assert not is_nonrigid(0.9, 0.8, CFG.nonrigid_residual, CFG.max_residual)
    assert not is_3d_rotation(0.9, 0.1, CFG.planar_residual, CFG.rigid_ratio, CFG.max_residual)


def _feed(cue: EyeBlinkCue, openings: list[float], tilt: list[float] | None = None) -> int:
    for i, o in enumerate(openings):
        h = None if tilt is None else _tilted_photo(0, tilt[i])
        cue.update(i * 0.1, to_frame(face_points(eye_open=o), homography=h)[:, :2])
    return cue.blinks


def test_eyes_closing_and_opening_within_a_fraction_of_a_second_is_one_blink() -> None:
    assert _feed(EyeBlinkCue(CFG), [1.0] * 8 + [0.2, 0.1] + [1.0] * 6) == 1


def test_eyes_kept_closed_for_a_second_is_not_a_blink() -> None:
    assert _feed(EyeBlinkCue(CFG), [1.0] * 8 + [0.1] * 12 + [1.0] * 4) == 0


def test_tilting_a_photo_back_and_forth_does_not_look_like_a_blink() -> None:
    pitch = [0, 0, 0, 0, 0, 0, 0, 0, 35, 40, 0, 0, 0, 0, 0, 0]
    assert _feed(EyeBlinkCue(CFG), [1.0] * 16, tilt=pitch) == 0
    xy = to_frame(face_points())[:, :2]
    tilted = to_frame(face_points(), homography=_tilted_photo(0, 40))[:, :2]
    assert eye_openness(tilted) == pytest.approx(eye_openness(xy), rel=0.1)
