"""ModelInfo: one embedder in the model registry (weights file, checksum, lineage, metrics)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MODEL_KINDS = ("converted", "imported", "finetuned")
ARCHITECTURES = ("facenet", "sface")


@dataclass(frozen=True)
class ModelInfo:
    """A registered model. kind: 'converted' (the offline FaceNet graph), 'imported' (a
    state dict a user brought) or 'finetuned' (trained here from `parent_id`). `path` is the
    weights file, `sha256` its checksum; `metrics` holds evaluation figures (JSON object)."""

    id: int
    name: str
    kind: str
    path: str
    sha256: str
    created_at: datetime
    is_active: bool = False
    parent_id: int | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    architecture: str = "facenet"
    match_threshold: float | None = None
    match_margin: float | None = None
