"""Camera templates (issue 12) in a real migrated SQLite file: marked 'camera', capped per
person and model with the oldest replaced, enrolment templates never touched, listable and
removable one by one."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from attendance_app.domain.errors import NotFoundError
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.migrations import LATEST_VERSION
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.template_repository import TemplateRepository
from storage_factories import register_model, unit_vector

T0 = datetime(2026, 12, 1, 8, 0)


def test_the_template_source_migration_is_registered_and_old_rows_read_as_enrolment(
        app_db: AppDatabase) -> None:
    assert LATEST_VERSION >= 5
    columns = {r[1]: r for r in app_db.conn.execute("PRAGMA table_info(templates)")}
    assert "source" in columns and columns["source"][4] == "'enrolment'"
    person = PeopleRepository(app_db).add("A")
    model = register_model(app_db)
    TemplateRepository(app_db).add(person.id, model.id, unit_vector(1))
    [info] = TemplateRepository(app_db).list_for_person(person.id)
    assert info.source == "enrolment"


def test_camera_templates_are_capped_per_person_and_the_oldest_goes_first(
        app_db: AppDatabase) -> None:
    templates = TemplateRepository(app_db)
    people = PeopleRepository(app_db)
    a, b = people.add("A"), people.add("B")
    model = register_model(app_db)
    enrolment = templates.add(a.id, model.id, unit_vector(0), created_at=T0)
    other = templates.add_camera_template(b.id, model.id, unit_vector(50), 2, created_at=T0)
    ids = [templates.add_camera_template(a.id, model.id, unit_vector(i + 1), 3,
                                         created_at=T0 + timedelta(minutes=i))
           for i in range(5)]
    rows = templates.list_for_person(a.id, model.id)
    assert [r.id for r in rows] == [enrolment] + ids[2:]  # the three newest camera ones
    assert [r.source for r in rows] == ["enrolment"] + ["camera"] * 3
    assert [r.id for r in templates.list_for_person(b.id)] == [other]  # B's cap is B's own
    embeddings, person_ids = templates.load_gallery(model.id)
    assert len(embeddings) == 5 and sorted(person_ids.tolist()) == [a.id] * 4 + [b.id]
    np.testing.assert_array_equal(embeddings[person_ids == a.id][-1], unit_vector(5))


def test_one_template_can_be_removed_and_a_missing_one_is_named(app_db: AppDatabase) -> None:
    templates = TemplateRepository(app_db)
    person = PeopleRepository(app_db).add("A")
    model = register_model(app_db)
    keep = templates.add(person.id, model.id, unit_vector(0))
    learned = templates.add_camera_template(person.id, model.id, unit_vector(1), 5)
    templates.delete(learned)
    assert [r.id for r in templates.list_for_person(person.id)] == [keep]
    with pytest.raises(NotFoundError, match=str(learned)):
        templates.delete(learned)
