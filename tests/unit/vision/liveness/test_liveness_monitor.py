"""LivenessMonitor: states over a track, with a scripted landmarker (the edge) and real cues."""

from __future__ import annotations

import numpy as np
from liveness_synthetic_face import face_points, rotate, to_frame
from liveness_synthetic_scene import texture, tremor_homography, two_depth, warp

from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.face_mesh import FaceMesh
from attendance_app.vision.liveness.liveness_monitor import LivenessMonitor
from attendance_app.vision.liveness.liveness_state import LivenessConfig

BOX = FaceBox(260, 160, 380, 320)
# The scripted meshes move while the frame's pixels stand still, so the tests of the landmark
# cues switch the pixel-motion agreement off; the tests at the end exercise it.
LANDMARKS = LivenessConfig(pixel_rule="off")
PIXELS = LivenessConfig(pixel_rule="and", pixel_residual=0.012)
EYES = ((300.0, 225.0), (340.0, 225.0), (320.0, 250.0), (305.0, 280.0), (335.0, 280.0))


class ScriptedLandmarker:
    """Returns the next mesh of a script for each call (what FaceMesh would have found)."""

    def __init__(self, meshes: list[np.ndarray | None]) -> None:
        self._meshes = iter(meshes)

    def landmarks(self, rgb, box, eyes=None):
        pts = next(self._meshes)
        return None if pts is None else FaceMesh(pts, 1.0, 180.0)


def _frame(level: int = 120) -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.clip(rng.normal(level, 25, (480, 640, 3)), 0, 255).astype(np.uint8)


def _run(meshes, box=BOX, frame=None, config=LANDMARKS, fps=10.0, frames=None):
    monitor = LivenessMonitor(ScriptedLandmarker(meshes), config)
    frame = _frame() if frame is None else frame
    frames = frames or [frame] * len(meshes)
    states = [monitor.update(7, frames[i], box, EYES, i / fps) for i in range(len(meshes))]
    return monitor, states


def test_a_face_turning_its_head_becomes_live() -> None:
    face = face_points()
    meshes = [to_frame(rotate(face, yaw_deg=15 * np.sin(i / 3))) for i in range(12)]
    _, states = _run(meshes)
    assert states[0].status == "unknown"
    assert states[-1].status == "live" and states[-1].evidence["rotation"] >= 2


def test_a_flat_photo_held_still_or_waved_never_becomes_live_and_ends_suspect() -> None:
    face = to_frame(face_points())
    rng = np.random.default_rng(1)
    meshes = []
    for _ in range(60):  # 6 s: hand tremor and tilt are homographies of the same picture
        h = np.eye(3) + np.array([[rng.normal(0, .02), rng.normal(0, .02), rng.normal(0, 2)],
                                  [rng.normal(0, .02), rng.normal(0, .02), rng.normal(0, 2)],
                                  [rng.normal(0, 1e-4), rng.normal(0, 1e-4), 0]])
        xy = np.column_stack([face[:, :2], np.ones(468)]) @ h.T
        meshes.append(np.column_stack([xy[:, :2] / xy[:, 2:3], face[:, 2]]).astype(np.float32))
    monitor, states = _run(meshes)
    assert not any(s.is_live for s in states)
    assert states[-1].status == "suspect" and "no blink" in states[-1].reason
    assert monitor.stats.samples == 60


def test_a_face_too_small_for_eyelids_stays_unknown_with_the_reason() -> None:
    face = face_points()
    meshes = [to_frame(rotate(face, yaw_deg=15 * np.sin(i / 3))) for i in range(60)]
    _, states = _run(meshes, box=FaceBox(300, 200, 330, 232))
    assert all(s.status == "unknown" for s in states)
    assert "too small" in states[-1].reason


def test_a_very_dark_face_stays_unknown_never_live() -> None:
    face = face_points()
    meshes = [to_frame(rotate(face, yaw_deg=15 * np.sin(i / 3))) for i in range(60)]
    _, states = _run(meshes, frame=_frame(level=12))
    assert all(s.status == "unknown" for s in states) and "dark" in states[-1].reason


def test_a_face_at_the_frame_edge_stays_unknown() -> None:
    face = face_points()
    meshes = [to_frame(rotate(face, yaw_deg=15 * np.sin(i / 3))) for i in range(20)]
    _, states = _run(meshes, box=FaceBox(0, 100, 120, 260))
    assert states[-1].status == "unknown" and "edge" in states[-1].reason


def test_no_landmarks_is_unknown_and_a_live_track_is_not_examined_again() -> None:
    face = face_points()
    meshes = [None] + [to_frame(rotate(face, yaw_deg=15 * np.sin(i / 3))) for i in range(11)]
    monitor, states = _run(meshes + [None] * 5)
    assert states[0].reason == "no face landmarks found"
    first_live = next(i for i, s in enumerate(states) if s.is_live)
    assert all(s.is_live for s in states[first_live:])
    assert monitor.stats.samples == first_live + 1


def test_forgetting_a_track_starts_it_over() -> None:
    face = face_points()
    meshes = [to_frame(rotate(face, yaw_deg=15 * np.sin(i / 3))) for i in range(12)]
    monitor, states = _run(meshes)
    assert monitor.state(7).is_live
    monitor.forget(7)
    assert monitor.state(7).status == "unknown"


def _rgb(grey: np.ndarray) -> np.ndarray:
    return np.repeat(grey[..., None], 3, axis=2)


def _turning_meshes(n: int) -> list[np.ndarray]:
    face = face_points()
    return [to_frame(rotate(face, yaw_deg=15 * np.sin(i / 3))) for i in range(n)]


def test_a_photo_whose_landmarks_seem_to_turn_is_not_live_its_pixels_stay_on_one_plane() -> None:
    """FaceMesh can fit a turning 3-D head to a turning photo; the photo's own texture still
    moves by one homography, so with the default the landmark motion does not count."""
    picture = texture(640, seed=0)[:480]
    rng = np.random.default_rng(2)
    frames = [_rgb(warp(picture, tremor_homography(rng, (320.0, 240.0)))) for _ in range(50)]
    _, fooled = _run(_turning_meshes(50), frames=frames)  # the landmark rule alone is fooled
    assert any(s.is_live for s in fooled)
    _, states = _run(_turning_meshes(50), frames=frames, config=PIXELS)
    assert not any(s.is_live for s in states)
    assert states[-1].status == "suspect"


def test_a_head_moving_against_the_background_becomes_live_with_the_pixel_agreement() -> None:
    back, front = texture(640, seed=1)[:480], texture(640, seed=4)[:480]
    frames = [_rgb(two_depth(back, front, (320.0, 240.0), 60, 8 * np.sin(i / 3)))
              for i in range(20)]
    _, states = _run(_turning_meshes(20), frames=frames, config=PIXELS)
    assert states[-1].is_live
