"""PeopleRepository: round trips, lookups, resolve rules, updates and deletion."""

from __future__ import annotations

import pytest

from attendance_app.domain.errors import NotFoundError, ValidationError
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.face_crop_repository import FaceCropRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.template_repository import TemplateRepository
from storage_factories import T0, fake_png, register_model, unit_vector


@pytest.fixture
def people(app_db: AppDatabase) -> PeopleRepository:
    return PeopleRepository(app_db)


def test_a_person_round_trips_with_every_field(people: PeopleRepository) -> None:
    added = people.add("  Ada   Lovelace ", external_id="S123", group="Class 7B", consent_at=T0,
                       consent_by="teacher", consent_version="v1", created_at=T0)
    fetched = people.get(added.id)
    assert fetched == added
    assert (fetched.name, fetched.external_id, fetched.group) == ("Ada Lovelace", "S123",
                                                                   "Class 7B")
    assert (fetched.consent_at, fetched.consent_by, fetched.consent_version) == (T0, "teacher",
                                                                                  "v1")
    assert fetched.created_at == T0 and fetched.template_count == 0


def test_an_empty_name_is_refused(people: PeopleRepository) -> None:
    with pytest.raises(ValidationError):
        people.add("   ")


def test_an_external_id_belongs_to_one_person_only(people: PeopleRepository) -> None:
    people.add("Ada", external_id="S1")
    with pytest.raises(ValidationError, match="S1"):
        people.add("Grace", external_id="S1")
    other = people.add("Grace", external_id="S2")
    with pytest.raises(ValidationError):
        people.update(other.id, external_id="S1")


def test_resolve_finds_by_id_external_id_or_name(people: PeopleRepository) -> None:
    ada = people.add("Ada Lovelace", external_id="S123")
    assert people.resolve(ada.id) == ada
    assert people.resolve(str(ada.id)) == ada
    assert people.resolve("S123") == ada
    assert people.resolve("ada lovelace") == ada


def test_resolve_refuses_an_ambiguous_name_and_reports_an_unknown_one(
        people: PeopleRepository) -> None:
    people.add("Sam Smith", external_id="A")
    people.add("Sam Smith", external_id="B")
    with pytest.raises(ValidationError, match="2 people"):
        people.resolve("Sam Smith")
    with pytest.raises(NotFoundError):
        people.resolve("Nobody")
    with pytest.raises(NotFoundError):
        people.resolve(999)


def test_listing_counts_templates_per_person_and_per_model(app_db: AppDatabase,
                                                            people: PeopleRepository) -> None:
    a, b = people.add("Bea", group="7B"), people.add("Al", group="7C")
    first, second = register_model(app_db, "m1"), register_model(app_db, "m2", active=False)
    templates = TemplateRepository(app_db)
    templates.add(a.id, first.id, unit_vector(1))
    templates.add(a.id, first.id, unit_vector(2))
    templates.add(a.id, second.id, unit_vector(3))
    listed = people.list_all()
    assert [p.name for p in listed] == ["Al", "Bea"]
    assert {p.name: p.template_count for p in listed} == {"Al": 0, "Bea": 3}
    assert {p.name: p.template_count for p in people.list_all(model_id=first.id)} == {
        "Al": 0, "Bea": 2}
    assert [p.id for p in people.list_all(group="7C")] == [b.id]
    assert people.groups() == ["7B", "7C"]


def test_search_matches_parts_of_names_ids_and_groups(people: PeopleRepository) -> None:
    people.add("Ada Lovelace", external_id="S123", group="Class 7B")
    people.add("Grace Hopper", external_id="S999")
    assert [p.name for p in people.search("love")] == ["Ada Lovelace"]
    assert [p.name for p in people.search("s9")] == ["Grace Hopper"]
    assert [p.name for p in people.search("7b")] == ["Ada Lovelace"]
    assert people.search("%") == []  # wildcards are literal


def test_update_changes_only_the_given_fields(people: PeopleRepository) -> None:
    ada = people.add("Ada", external_id="S1", group="7B")
    updated = people.update(ada.id, group=None, consent_version="v2")
    assert (updated.name, updated.external_id, updated.group, updated.consent_version) == (
        "Ada", "S1", None, "v2")
    with pytest.raises(NotFoundError):
        people.update(12345, name="X")


def test_deleting_a_person_removes_their_templates_and_crops(app_db: AppDatabase,
                                                             people: PeopleRepository) -> None:
    ada, grace = people.add("Ada"), people.add("Grace")
    model = register_model(app_db)
    crops, templates = FaceCropRepository(app_db), TemplateRepository(app_db)
    crop = crops.add(ada.id, fake_png(1))
    templates.add(ada.id, model.id, unit_vector(1), crop_id=crop.id)
    templates.add(grace.id, model.id, unit_vector(2))
    assert people.delete(ada.id).name == "Ada"
    with pytest.raises(NotFoundError):
        people.get(ada.id)
    assert crops.list_for_person(ada.id) == []
    _, person_ids = templates.load_gallery(model.id)
    assert person_ids.tolist() == [grace.id]
    with pytest.raises(NotFoundError):
        people.delete(ada.id)
