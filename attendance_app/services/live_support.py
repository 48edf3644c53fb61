"""Live-view support for the window: frame sources, the camera list and the similarity
distribution of the enrolled faces, behind the services layer so gui/ needs no vision/storage."""

from __future__ import annotations

import numpy as np

from attendance_app.storage.model_repository import ModelRepository
from attendance_app.storage.template_repository import TemplateRepository
from attendance_app.vision.camera_discovery import list_cameras
from attendance_app.vision.frame_source import FrameSource, open_source


def open_frame_source(spec: str, loop: bool = False) -> FrameSource:
    """'0' -> camera 0, a video file, an image folder or a stream URL (not opened yet)."""
    return open_source(spec, loop=loop)


def available_cameras(max_index: int = 5) -> list[int]:
    """Indices of the cameras that open now (quick probe)."""
    return list(list_cameras(max_index))


def similarity_distribution(db) -> tuple[np.ndarray, np.ndarray]:
    """Cosine similarities between the active model's templates: (same person, different
    people), for the threshold histogram. Empty arrays when fewer than two templates exist."""
    model = ModelRepository(db).active()
    if model is None:
        return np.zeros(0), np.zeros(0)
    vectors, ids = TemplateRepository(db).load_gallery(model.id)
    if len(ids) < 2:
        return np.zeros(0), np.zeros(0)
    sims = vectors @ vectors.T
    upper = np.triu_indices(len(ids), k=1)
    same = ids[upper[0]] == ids[upper[1]]
    return sims[upper][same], sims[upper][~same]
