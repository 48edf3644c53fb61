"""TemplateRepository: the embeddings (templates) of enrolled people, one set per model.

An embedding is stored as the raw little-endian float32 bytes of a 1-D vector (512 values for
FaceNet). Templates belong to a model: when the active model changes, its templates are rebuilt
from the stored crops with `replace_for_model`, in one transaction. With encryption at rest
enabled those bytes are stored sealed (see biometric_columns); reading embeddings while the
database is locked raises AccessDeniedError.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

import numpy as np

from attendance_app.domain.camera_template_policy import CAMERA_SOURCE, ENROLMENT_SOURCE
from attendance_app.domain.errors import DatabaseError, NotFoundError, ValidationError
from attendance_app.storage.biometric_cipher import BiometricCipher
from attendance_app.storage.biometric_columns import BiometricColumn, next_row_id
from attendance_app.storage.database import AppDatabase, inserted_id
from attendance_app.storage.time_codec import now, to_db

DEFAULT_DIM = 512
_FLOAT32_LE = np.dtype("<f4")


class NewTemplate(NamedTuple):
    """One template to store: whose it is, the crop it came from (if kept), the embedding,
    where it came from ('enrolment' or 'camera')."""

    person_id: int
    embedding: np.ndarray
    crop_id: int | None = None
    source: str = ENROLMENT_SOURCE


class TemplateInfo(NamedTuple):
    """A stored template as the People tab lists it (no embedding)."""

    id: int
    person_id: int
    model_id: int
    source: str
    created_at: datetime
    crop_id: int | None


class TemplateRepository:
    """Templates stored in one AppDatabase."""

    def __init__(self, app_db: AppDatabase, cipher: BiometricCipher | None = None) -> None:
        self._app_db = app_db
        self._embedding = BiometricColumn(app_db, "templates", "embedding", cipher)

    def add(self, person_id: int, model_id: int, embedding: np.ndarray, *,
            crop_id: int | None = None, created_at: datetime | None = None) -> int:
        """Store one embedding (shape (D,), finite) and return the template id. Raises
        ValidationError for a bad vector, NotFoundError for an unknown person/model/crop."""
        return self.add_many(model_id, [NewTemplate(person_id, embedding, crop_id)],
                             created_at=created_at)[0]

    def add_many(self, model_id: int, templates: Iterable[NewTemplate], *,
                 created_at: datetime | None = None) -> list[int]:
        """Store several templates of one model atomically; returns their ids in order."""
        stamp = to_db(created_at or now())
        ids: list[int] = []
        with self._app_db.transaction() as db:
            # Key chosen under the write lock: encryption enabled by another process just now
            # is seen, so no clear embedding slips in after it.
            seal = self._embedding.sealer()
            template_id = next_row_id(self._app_db, "templates")
            for t in templates:
                blob = seal(encode_embedding(t.embedding), template_id)
                try:
                    cursor = db.execute(
                        "INSERT INTO templates (id, person_id, crop_id, model_id, embedding, "
                        "created_at, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [template_id, t.person_id, t.crop_id, model_id, blob, stamp, t.source])
                except sqlite3.IntegrityError as exc:
                    raise NotFoundError(
                        f"cannot store a template: person {t.person_id}, model {model_id} or "
                        f"crop {t.crop_id} does not exist") from exc
                ids.append(inserted_id(cursor))
                template_id += 1
        return ids

    def add_camera_template(self, person_id: int, model_id: int, embedding: np.ndarray,
                            max_per_person: int, *, crop_id: int | None = None,
                            created_at: datetime | None = None) -> int:
        """Store a camera template and, in the same transaction, drop the person's oldest
        camera templates of this model beyond `max_per_person` (enrolment templates are never
        touched). Returns the new template's id."""
        if max_per_person < 1:
            raise ValidationError("at least one camera template per person must be allowed")
        with self._app_db.transaction() as db:
            new_id = self.add_many(model_id, [NewTemplate(person_id, embedding, crop_id,
                                                          CAMERA_SOURCE)],
                                   created_at=created_at)[0]
            db.execute(
                "DELETE FROM templates WHERE id IN (SELECT id FROM templates WHERE person_id = ?"
                " AND model_id = ? AND source = ? ORDER BY created_at DESC, id DESC "
                "LIMIT -1 OFFSET ?)", [person_id, model_id, CAMERA_SOURCE, max_per_person])
        return new_id

    def list_for_person(self, person_id: int, model_id: int | None = None
                        ) -> list[TemplateInfo]:
        """A person's templates (of one model, or all), oldest first, without embeddings."""
        sql = ("SELECT id, person_id, model_id, source, created_at, crop_id FROM templates "
               "WHERE person_id = ?")
        params: list[object] = [person_id]
        if model_id is not None:
            sql, params = sql + " AND model_id = ?", [person_id, model_id]
        return [TemplateInfo(int(r[0]), int(r[1]), int(r[2]), str(r[3]), datetime.fromisoformat(r[4]),
                             None if r[5] is None else int(r[5]))
                for r in self._app_db.conn.execute(sql + " ORDER BY id", params)]

    def delete(self, template_id: int) -> None:
        """Remove one template. NotFoundError when there is none with that id."""
        with self._app_db.transaction() as db:
            gone = db.execute("DELETE FROM templates WHERE id = ?", [template_id]).rowcount
        if not gone:
            raise NotFoundError(f"no template with id {template_id}")
        self._app_db.checkpoint()

    def replace_for_model(self, model_id: int, templates: Iterable[NewTemplate]) -> int:
        """Swap all of a model's templates for `templates` in one transaction (a crash or an
        error keeps the old set whole). Returns how many were stored."""
        with self._app_db.transaction() as db:
            db.execute("DELETE FROM templates WHERE model_id = ?", [model_id])
            count = len(self.add_many(model_id, templates))
        self._app_db.checkpoint()
        return count

    def load_gallery(self, model_id: int, dim: int = DEFAULT_DIM) -> tuple[np.ndarray, np.ndarray]:
        """All templates of a model as (embeddings (M, D) float32, person_ids (M,) int64), in
        template-id order; (0, dim) and (0,) when there are none. Raises DatabaseError when
        stored vectors disagree in length."""
        open_embedding = self._embedding.opener()
        rows = [(pid, _present(open_embedding(blob, tid)))
                for tid, pid, blob in self._app_db.conn.execute(
            "SELECT id, person_id, embedding FROM templates WHERE model_id = ? ORDER BY id",
            [model_id]).fetchall()]
        if not rows:
            return np.zeros((0, dim), np.float32), np.zeros((0,), np.int64)
        lengths = {len(blob) for _, blob in rows}
        if len(lengths) != 1 or next(iter(lengths)) % 4:
            raise DatabaseError(f"templates of model {model_id} have mixed or broken lengths "
                                f"{sorted(lengths)}: re-embed them")
        width = next(iter(lengths)) // 4
        flat = np.frombuffer(b"".join(blob for _, blob in rows), dtype=_FLOAT32_LE)
        embeddings = flat.reshape(len(rows), width).astype(np.float32)  # native order, a copy
        person_ids = np.fromiter((pid for pid, _ in rows), dtype=np.int64, count=len(rows))
        return embeddings, person_ids

    def embeddings_for_person(self, person_id: int, model_id: int | None = None) -> np.ndarray:
        """A person's embeddings (N, D) float32 (of one model, or all): for data exports."""
        sql, params = "SELECT id, embedding FROM templates WHERE person_id = ?", [person_id]
        if model_id is not None:
            sql, params = sql + " AND model_id = ?", [person_id, model_id]
        open_embedding = self._embedding.opener()
        blobs = [_present(open_embedding(r[1], r[0])) for r in self._app_db.conn.execute(
            sql + " ORDER BY id", params)]
        if not blobs:
            return np.zeros((0, DEFAULT_DIM), np.float32)
        return np.stack([decode_embedding(b) for b in blobs])

    def count_per_person(self, model_id: int | None = None) -> dict[int, int]:
        """{person_id: template count} for people with at least one template (of the model)."""
        sql, params = "SELECT person_id, count(*) FROM templates", []
        if model_id is not None:
            sql, params = sql + " WHERE model_id = ?", [model_id]
        rows = self._app_db.conn.execute(sql + " GROUP BY person_id", params).fetchall()
        return {int(pid): int(n) for pid, n in rows}

    def count_for_model(self, model_id: int) -> int:
        row = self._app_db.conn.execute(
            "SELECT count(*) FROM templates WHERE model_id = ?", [model_id]).fetchone()
        return int(row[0])

    def delete_for_model(self, model_id: int) -> int:
        """Remove every template of a model; returns how many."""
        with self._app_db.transaction() as db:
            removed = db.execute("DELETE FROM templates WHERE model_id = ?", [model_id]).rowcount
        self._app_db.checkpoint()
        return int(removed)

    def delete_for_person(self, person_id: int, model_id: int | None = None) -> int:
        """Remove a person's templates (of one model, or all); returns how many."""
        sql, params = "DELETE FROM templates WHERE person_id = ?", [person_id]
        if model_id is not None:
            sql, params = sql + " AND model_id = ?", [person_id, model_id]
        with self._app_db.transaction() as db:
            removed = db.execute(sql, params).rowcount
        self._app_db.checkpoint()
        return int(removed)


def encode_embedding(embedding: np.ndarray) -> bytes:
    """Little-endian float32 bytes of a finite 1-D vector. Raises ValidationError otherwise."""
    vector = np.asarray(embedding)
    if vector.ndim != 1 or vector.size == 0:
        raise ValidationError(f"an embedding is a 1-D vector, got shape {vector.shape}")
    vector = vector.astype(_FLOAT32_LE)
    if not np.all(np.isfinite(vector)):
        raise ValidationError("an embedding must not contain NaN or infinity")
    return vector.tobytes()


def decode_embedding(blob: bytes) -> np.ndarray:
    """The float32 vector stored by `encode_embedding`."""
    return np.frombuffer(blob, dtype=_FLOAT32_LE).astype(np.float32)


def _present(blob: bytes | None) -> bytes:
    """A stored embedding (the column is NOT NULL, so None means a damaged row)."""
    if blob is None:
        raise DatabaseError("a template has no embedding: run `attendance-app db check`")
    return blob
