"""PeopleService: list, find, edit and delete people; export everything stored about one person.

Deleting a person removes their templates, crops and linked unknown-face snapshots (the storage
layer cascades, with secure_delete on) from the database and from every backup and copy under
the data folder, and logs the erasure so a restore cannot bring them back (erasure_service);
their past attendance records keep only the name copied onto the record.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from attendance_app.domain.errors import ValidationError
from attendance_app.domain.person import Person
from attendance_app.services.erasure_service import ErasureResult, erase_person
from attendance_app.services.gallery_provider import GalleryProvider
from attendance_app.storage.attendance_repository import AttendanceRepository
from attendance_app.storage.face_crop_repository import FaceCropRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.template_repository import TemplateInfo, TemplateRepository


class PeopleService:
    def __init__(self, db, people: PeopleRepository, gallery: GalleryProvider) -> None:
        self._db = db
        self._people = people
        self._gallery = gallery

    def list_people(self, search: str | None = None) -> list[Person]:
        return self._people.search(search) if search else self._people.list_all()

    def resolve(self, name_or_id: str) -> Person:
        """A person by external id, exact name, or numeric database id (NotFoundError if none)."""
        return self._people.resolve(name_or_id)

    def get(self, person_id: int) -> Person:
        return self._people.get(person_id)

    def groups(self) -> list[str]:
        return self._people.groups()

    def update(self, person_id: int, name: str, external_id: str | None,
               group: str | None) -> Person:
        if not name.strip():
            raise ValidationError("a person needs a name")
        self._people.update(person_id, name=name.strip(), external_id=external_id or None,
                            group=group or None)  # blanks clear the field
        return self._people.get(person_id)

    def delete(self, person_id: int) -> ErasureResult:
        """Erase the person and all their biometric data from the database and every copy
        under the data folder (services.erasure_service), then drop them from the gallery."""
        result = erase_person(self._db, person_id)
        self._gallery.invalidate()
        return result

    def templates(self, person_id: int, model_id: int | None = None) -> list[TemplateInfo]:
        """A person's templates (of one model, or all), oldest first, without embeddings."""
        return TemplateRepository(self._db).list_for_person(person_id, model_id)

    def remove_template(self, template_id: int) -> None:
        """Remove one template (a camera template learned from a bad view, say) and drop it
        from the gallery. NotFoundError when there is none with that id."""
        TemplateRepository(self._db).delete(template_id)
        self._gallery.invalidate()

    def thumbnail_png(self, person_id: int) -> bytes | None:
        crops = FaceCropRepository(self._db).list_for_person(person_id)
        return crops[0].png if crops else None

    def export_person_data(self, person_id: int, output: Path) -> Path:
        """A zip with person.json, every face crop (PNG), every template (.npy) and the person's
        attendance records (CSV): a subject access request. Written atomically."""
        person = self._people.get(person_id)
        crops = FaceCropRepository(self._db).list_for_person(person_id)
        templates = TemplateRepository(self._db).embeddings_for_person(person_id)
        records = AttendanceRepository(self._db).list_for_person(person_id)
        output = Path(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".export-", suffix=".zip", dir=output.parent)
        os.close(fd)
        try:
            with zipfile.ZipFile(tmp_name, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("person.json", json.dumps({
                    "id": person.id, "name": person.name, "external_id": person.external_id,
                    "group": person.group, "created_at": person.created_at,
                    "consent": {"at": person.consent_at, "recorded_by": person.consent_by,
                                "wording_version": person.consent_version},
                    "face_crops": len(crops), "templates": len(templates),
                    "attendance_records": len(records)}, default=str, indent=2))
                for crop in crops:
                    zf.writestr(f"face_crops/crop_{crop.id}.png", crop.png)
                buf = io.BytesIO()
                np.save(buf, templates)  # (N, 512) float32, one row per template
                zf.writestr("templates.npy", buf.getvalue())
                zf.writestr("attendance_records.csv", _records_csv(records))
            os.replace(tmp_name, output)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return output


def _records_csv(records) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["session_id", "status", "effective_status", "time", "similarity", "source"])
    for r in records:
        writer.writerow([r.session_id, r.status.value, r.effective_status.value,
                         r.time.isoformat(), "" if r.similarity is None else f"{r.similarity:.4f}",
                         r.source.value])
    return buf.getvalue()
