"""ServicesPeople: the PeopleBackend over AppServices: the list, edits, groups and roster
import (issue 13 item 4). GUI thread unless noted."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

from attendance_app.domain.consent import Consent
from attendance_app.domain.errors import ValidationError
from attendance_app.domain.person import Person
from attendance_app.gui.backend import TemplateRow
from attendance_app.services.app_services import AppServices
from attendance_app.services.roster_import import RosterPlan, apply_import, plan_import
from attendance_app.services.roster_service import RosterService


class ServicesPeople:
    services: AppServices
    _names: dict[int, str]
    _people: Any

    @property
    def _rosters(self) -> RosterService:
        return RosterService(self.services.db, self.services.people_repository)

    def people(self) -> list[Person]:
        people = self._people.list_people()
        self._names = {p.id: p.name for p in people}
        return people

    def thumbnails(self) -> dict[int, bytes]:
        if self.services.biometrics_locked:  # encrypted face crops: the list works without them
            return {}
        out = {}
        for pid in list(self._names):
            png = self._people.thumbnail_png(pid)
            if png:
                out[pid] = png
        return out

    def groups(self) -> list[str]:
        return self._rosters.groups()

    def update_person(self, person_id: int, name: str, external_id: str | None,
                      group: str | None) -> Person:
        return self._people.update(person_id, name, external_id, group)

    def delete_person(self, person_id: int) -> None:
        self._people.delete(person_id)
        self._names.pop(person_id, None)

    def create_group(self, name: str, usual_start: time | None) -> str:
        return self._rosters.create_group(name, usual_start)

    def rename_group(self, old: str, new: str) -> int:
        return self._rosters.rename_group(old, new)

    def move_to_group(self, person_ids: list[int], group: str | None) -> int:
        moved = self._rosters.move_to_group(person_ids, group)
        self.services.gallery.invalidate()
        return moved

    def person_templates(self, person_id: int) -> list[TemplateRow]:
        """The person's templates of the active model, oldest first ([] before any model)."""
        model = self.services.models.active_model()
        if model is None:
            return []
        return [TemplateRow(t.id, t.source, t.created_at)
                for t in self.services.people.templates(person_id, model.id)]

    def remove_template(self, template_id: int) -> None:
        self.services.people.remove_template(template_id)

    def plan_roster_import(self, path: Path) -> RosterPlan:
        return plan_import(Path(path), self.services.people_repository)

    def apply_roster_import(self, plan: RosterPlan, consent_by: str, ctx: Any) -> RosterPlan:
        """Any thread: saves the plan's rows on a container of its own; photos are enrolled
        with the GUI's models. Each row is saved whole or not at all; Cancel stops between
        rows (the result says `cancelled`)."""
        consent = Consent(True, consent_by, datetime.now().replace(microsecond=0)) \
            if consent_by else None
        own = AppServices.open(self.services.paths, self.services.settings)
        try:
            own.adopt_models(self.services)
            enrolment = own.enrollment

            def enrol_photo(person_id: int, photo: Path) -> None:
                shot = enrolment.analyze_file(photo)
                if not shot.accepted:
                    raise ValidationError(f"photo {photo.name}: {'; '.join(shot.problems)}")
                # With its landmarks and face context, as a folder or a photo enrolment
                # stores it (the same preprocessing at enrolment and at recognition).
                quality = shot.detection.quality if shot.detection is not None else None
                enrolment.enroll_crops("", [shot.crop], consent, qualities=[quality],
                                       source="roster", existing_person_id=person_id,
                                       landmarks=[shot.landmarks], contexts=[shot.context])

            def progress(done: int, total: int, name: str) -> bool:
                ctx.report_progress(done / max(total, 1), f"{done} of {total} rows: {name}")
                return not ctx.is_cancelled()

            return apply_import(plan, own.db, own.people_repository, enrol_photo, consent,
                                progress)
        finally:
            own.close()
