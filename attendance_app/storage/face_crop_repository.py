"""FaceCropRepository: the face crops kept per person so templates can be re-embedded when the
active model changes (a setting may turn crop keeping off; then nothing is stored here).

With encryption at rest enabled the PNG bytes are stored sealed (see biometric_columns); reading
crops while the database is locked raises AccessDeniedError."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from attendance_app.domain.detection import FaceQuality
from attendance_app.domain.errors import NotFoundError, ValidationError
from attendance_app.storage.biometric_cipher import BiometricCipher
from attendance_app.storage.biometric_columns import BiometricColumn, next_row_id
from attendance_app.storage.database import AppDatabase, inserted_id
from attendance_app.storage.face_crop import FaceCrop
from attendance_app.storage.time_codec import from_db, now, to_db

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class FaceCropRepository:
    """Face crops stored in one AppDatabase."""

    def __init__(self, app_db: AppDatabase, cipher: BiometricCipher | None = None) -> None:
        self._app_db = app_db
        self._png = BiometricColumn(app_db, "face_crops", "png", cipher)
        self._context = BiometricColumn(app_db, "face_crops", "context_png", cipher)

    def add(self, person_id: int, png: bytes, quality: FaceQuality | None = None, *,
            source: str | None = None, created_at: datetime | None = None,
            landmarks: Sequence[Sequence[float]] | None = None,
            context_png: bytes | None = None) -> FaceCrop:
        """Store PNG bytes of a crop for `person_id` (with a wider context PNG and its five
        landmarks in context pixels, when known). Raises ValidationError for bytes that are not a PNG or landmarks that are
        not five (x, y) pairs, NotFoundError for an unknown person."""
        if not bytes(png[:8]) == _PNG_SIGNATURE:
            raise ValidationError("a face crop must be stored as PNG bytes")
        landmarks_json = _landmarks_to_json(landmarks)
        if context_png is not None and not bytes(context_png[:8]) == _PNG_SIGNATURE:
            raise ValidationError("a face context must be stored as PNG bytes")
        with self._app_db.transaction() as db:
            # Sealed under the write lock, so encryption enabled by another process just now
            # is seen and no clear bytes slip in after it.
            crop_id = next_row_id(self._app_db, "face_crops")
            row = {"id": crop_id, "person_id": person_id, "png": self._png.seal(png, crop_id),
                   "quality_size": quality.size_px if quality else None,
                   "quality_sharpness": quality.sharpness if quality else None,
                   "quality_yaw": quality.yaw_degrees if quality else None,
                   "source": source, "created_at": to_db(created_at or now()),
                   "landmarks_json": landmarks_json,
                   "context_png": (self._context.seal(context_png, crop_id)
                                   if context_png is not None else None)}
            if db.execute("SELECT 1 FROM people WHERE id = ?", [person_id]).fetchone() is None:
                raise NotFoundError(f"no person with id {person_id}")
            cursor = db.execute(
                f"INSERT INTO face_crops ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()))
            return self.get(inserted_id(cursor))

    def get(self, crop_id: int) -> FaceCrop:
        crops = self._select("WHERE id = ?", [crop_id])
        if not crops:
            raise NotFoundError(f"no face crop with id {crop_id}")
        return crops[0]

    def list_for_person(self, person_id: int) -> list[FaceCrop]:
        """A person's crops, oldest first."""
        return self._select("WHERE person_id = ? ORDER BY id", [person_id])

    def count_for_person(self, person_id: int) -> int:
        row = self._app_db.conn.execute(
            "SELECT count(*) FROM face_crops WHERE person_id = ?", [person_id]).fetchone()
        return int(row[0])

    def iter_all(self, batch_size: int = 64) -> Iterator[FaceCrop]:
        """Every stored crop, by id, read in batches so re-embedding never holds them all."""
        last_id = 0
        while True:
            batch = self._select("WHERE id > ? ORDER BY id LIMIT ?", [last_id, batch_size])
            if not batch:
                return
            yield from batch
            last_id = batch[-1].id

    def delete(self, crop_id: int) -> None:
        """Remove a crop and the templates embedded from it. Raises NotFoundError."""
        with self._app_db.transaction() as db:
            if db.execute("DELETE FROM face_crops WHERE id = ?", [crop_id]).rowcount == 0:
                raise NotFoundError(f"no face crop with id {crop_id}")
        self._app_db.checkpoint()

    def _select(self, where: str, params: list[Any]) -> list[FaceCrop]:
        cursor = self._app_db.conn.execute(f"SELECT * FROM face_crops {where}", params)
        columns = [d[0] for d in cursor.description]
        open_png, open_context = self._png.opener(), self._context.opener()
        return [_to_crop(dict(zip(columns, row)), open_png, open_context)
                for row in cursor.fetchall()]


def _to_crop(row: dict[str, Any], open_png: Callable[[bytes | None, int], bytes | None],
             open_context: Callable[[bytes | None, int], bytes | None]) -> FaceCrop:
    quality = None
    if row["quality_size"] is not None:
        quality = FaceQuality(size_px=row["quality_size"], sharpness=row["quality_sharpness"],
                              yaw_degrees=row["quality_yaw"])
    created = from_db(row["created_at"])
    assert created is not None  # NOT NULL column
    png = open_png(row["png"], row["id"])
    assert png is not None  # NOT NULL column
    raw = row.get("landmarks_json")
    landmarks = tuple((float(x), float(y)) for x, y in json.loads(raw)) if raw else None
    return FaceCrop(id=row["id"], person_id=row["person_id"], png=png,
                    quality=quality, source=row["source"], created_at=created,
                    landmarks=landmarks,
                    context_png=open_context(row.get("context_png"), row["id"]))


def _landmarks_to_json(landmarks: Sequence[Sequence[float]] | None) -> str | None:
    if landmarks is None:
        return None
    points = [[float(v) for v in point] for point in landmarks]
    if len(points) != 5 or any(len(p) != 2 for p in points):
        raise ValidationError("a face crop's landmarks must be five (x, y) points")
    return json.dumps(points)
