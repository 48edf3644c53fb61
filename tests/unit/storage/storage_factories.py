"""Small builders shared by the storage tests (plain functions, no magic)."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from attendance_app.storage.database import AppDatabase
from attendance_app.storage.model_info import ModelInfo
from attendance_app.storage.model_repository import ModelRepository

T0 = datetime(2026, 11, 26, 9, 0, 0)


def fake_png(seed: int = 0, size: int = 3000) -> bytes:
    """PNG-signed bytes with seeded random content: recognisable when scanning the raw file."""
    rng = np.random.default_rng(seed)
    return b"\x89PNG\r\n\x1a\n" + rng.integers(0, 256, size, dtype=np.uint8).tobytes()


def unit_vector(seed: int, dim: int = 512) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def register_model(app_db: AppDatabase, name: str = "casia", active: bool = True) -> ModelInfo:
    return ModelRepository(app_db).register(name, "converted", f"/models/{name}.pt",
                                            "ab" * 32, activate=active)
