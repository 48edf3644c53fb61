"""ModelRepository: the registry of embedder models and which one is active.

At most one model is active (a partial unique index in the file enforces it); switching is one
transaction, so no reader ever sees zero or two active models.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from attendance_app.domain.errors import NotFoundError, ValidationError
from attendance_app.storage.database import AppDatabase, inserted_id
from attendance_app.storage.model_info import ARCHITECTURES, MODEL_KINDS, ModelInfo
from attendance_app.storage.time_codec import from_db, now, to_db


class ModelRepository:
    """Registered models in one AppDatabase."""

    def __init__(self, app_db: AppDatabase) -> None:
        self._app_db = app_db

    def register(self, name: str, kind: str, path: str | Path, sha256: str, *,
                 parent_id: int | None = None, metrics: dict[str, Any] | None = None,
                 activate: bool = False, created_at: datetime | None = None,
                 architecture: str = "facenet", match_threshold: float | None = None,
                 match_margin: float | None = None) -> ModelInfo:
        """Add a model to the registry (and make it active if asked). Raises ValidationError for
        an unknown kind or architecture or empty name/checksum, NotFoundError for an unknown
        parent."""
        if kind not in MODEL_KINDS:
            raise ValidationError(f"model kind must be one of {MODEL_KINDS}, not {kind!r}")
        if architecture not in ARCHITECTURES:
            raise ValidationError(f"model architecture must be one of {ARCHITECTURES}, "
                                  f"not {architecture!r}")
        if not name.strip() or not sha256.strip():
            raise ValidationError("a model needs a name and a sha256 checksum")
        with self._app_db.transaction() as db:
            if parent_id is not None:
                self.get(parent_id)
            cursor = db.execute(
                "INSERT INTO models (name, kind, path, sha256, parent_id, metrics_json, "
                "created_at, is_active, architecture, match_threshold, match_margin) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
                [name.strip(), kind, str(path), sha256.strip().lower(), parent_id,
                 json.dumps(metrics or {}), to_db(created_at or now()), architecture,
                 match_threshold, match_margin])
            model_id = inserted_id(cursor)
            if activate:
                self.set_active(model_id)
            return self.get(model_id)

    def get(self, model_id: int) -> ModelInfo:
        models = self._select("WHERE id = ?", [model_id])
        if not models:
            raise NotFoundError(f"no model with id {model_id}")
        return models[0]

    def find_by_sha256(self, sha256: str) -> ModelInfo | None:
        """The earliest model registered with this checksum, if any (to avoid duplicates)."""
        models = self._select("WHERE sha256 = ? ORDER BY id LIMIT 1", [sha256.strip().lower()])
        return models[0] if models else None

    def list_all(self) -> list[ModelInfo]:
        """Every registered model, oldest first."""
        return self._select("ORDER BY id", [])

    def active(self) -> ModelInfo | None:
        """The active model, or None when none has been chosen yet."""
        models = self._select("WHERE is_active = 1", [])
        return models[0] if models else None

    def set_active(self, model_id: int) -> ModelInfo:
        """Make `model_id` the only active model, atomically. Raises NotFoundError."""
        with self._app_db.transaction() as db:
            self.get(model_id)
            db.execute("UPDATE models SET is_active = 0 WHERE is_active = 1 AND id != ?",
                       [model_id])
            db.execute("UPDATE models SET is_active = 1 WHERE id = ?", [model_id])
            return self.get(model_id)

    def update_metrics(self, model_id: int, metrics: dict[str, Any], *,
                       merge: bool = True) -> ModelInfo:
        """Store evaluation figures: merged into the existing ones, or replacing them."""
        with self._app_db.transaction() as db:
            current = self.get(model_id).metrics if merge else {}
            db.execute("UPDATE models SET metrics_json = ? WHERE id = ?",
                       [json.dumps({**current, **metrics}), model_id])
            return self.get(model_id)

    def set_match_policy(self, model_id: int, threshold: float | None,
                         margin: float | None) -> ModelInfo:
        """Store the model's own match threshold and runner-up margin (None: Settings apply)."""
        for value in (threshold, margin):
            if value is not None and not -1.0 <= value <= 1.0:
                raise ValidationError(f"a cosine threshold/margin must be in [-1, 1], not {value}")
        with self._app_db.transaction() as db:
            self.get(model_id)
            db.execute("UPDATE models SET match_threshold = ?, match_margin = ? WHERE id = ?",
                       [threshold, margin, model_id])
            return self.get(model_id)

    def delete(self, model_id: int) -> None:
        """Unregister a model and its templates (the weights file is the caller's business).
        Raises ValidationError for the active model, NotFoundError for an unknown id."""
        with self._app_db.transaction() as db:
            if self.get(model_id).is_active:
                raise ValidationError("the active model cannot be deleted; activate another first")
            db.execute("DELETE FROM models WHERE id = ?", [model_id])
        self._app_db.checkpoint()

    def _select(self, where: str, params: list[Any]) -> list[ModelInfo]:
        cursor = self._app_db.conn.execute(f"SELECT * FROM models {where}", params)
        columns = [d[0] for d in cursor.description]
        return [_to_model(dict(zip(columns, row))) for row in cursor.fetchall()]


def _to_model(row: dict[str, Any]) -> ModelInfo:
    created = from_db(row["created_at"])
    assert created is not None  # NOT NULL column
    return ModelInfo(id=row["id"], name=row["name"], kind=row["kind"], path=row["path"],
                     sha256=row["sha256"], created_at=created, is_active=bool(row["is_active"]),
                     parent_id=row["parent_id"], metrics=json.loads(row["metrics_json"] or "{}"),
                     architecture=row.get("architecture") or "facenet",
                     match_threshold=row.get("match_threshold"),
                     match_margin=row.get("match_margin"))
