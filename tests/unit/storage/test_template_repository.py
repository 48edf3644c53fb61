"""TemplateRepository: embeddings round trip bit-exactly and are kept per model."""

from __future__ import annotations

import numpy as np
import pytest

from attendance_app.domain.errors import NotFoundError, ValidationError
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.template_repository import NewTemplate, TemplateRepository
from storage_factories import register_model, unit_vector


@pytest.fixture
def templates(app_db: AppDatabase) -> TemplateRepository:
    return TemplateRepository(app_db)


def test_an_empty_gallery_has_the_right_shapes_and_dtypes(app_db: AppDatabase,
                                                         templates: TemplateRepository) -> None:
    embeddings, person_ids = templates.load_gallery(register_model(app_db).id)
    assert embeddings.shape == (0, 512) and embeddings.dtype == np.float32
    assert person_ids.shape == (0,) and person_ids.dtype == np.int64


def test_the_gallery_returns_a_models_embeddings_exactly_with_their_people(
        app_db: AppDatabase, templates: TemplateRepository) -> None:
    people = PeopleRepository(app_db)
    a, b = people.add("A"), people.add("B")
    m1, m2 = register_model(app_db, "m1"), register_model(app_db, "m2", active=False)
    templates.add(a.id, m1.id, unit_vector(1))
    templates.add(b.id, m1.id, unit_vector(2))
    templates.add(a.id, m1.id, unit_vector(3))
    templates.add(b.id, m2.id, unit_vector(4))
    embeddings, person_ids = templates.load_gallery(m1.id)
    assert embeddings.dtype == np.float32 and embeddings.flags.writeable
    np.testing.assert_array_equal(embeddings, np.stack([unit_vector(i) for i in (1, 2, 3)]))
    assert person_ids.tolist() == [a.id, b.id, a.id] and person_ids.dtype == np.int64
    assert templates.count_per_person(m1.id) == {a.id: 2, b.id: 1}
    assert templates.count_per_person() == {a.id: 2, b.id: 2}
    assert templates.count_for_model(m2.id) == 1


def test_bad_vectors_and_unknown_owners_are_refused(app_db: AppDatabase,
                                                    templates: TemplateRepository) -> None:
    a = PeopleRepository(app_db).add("A")
    model = register_model(app_db)
    with pytest.raises(ValidationError):
        templates.add(a.id, model.id, np.zeros((2, 512), np.float32))
    with pytest.raises(ValidationError):
        templates.add(a.id, model.id, np.full(512, np.nan, np.float32))
    with pytest.raises(NotFoundError):
        templates.add(a.id + 1, model.id, unit_vector(1))
    with pytest.raises(NotFoundError):
        templates.add(a.id, model.id + 1, unit_vector(1))


def test_replacing_a_models_templates_is_all_or_nothing(app_db: AppDatabase,
                                                       templates: TemplateRepository) -> None:
    a = PeopleRepository(app_db).add("A")
    model = register_model(app_db)
    templates.add(a.id, model.id, unit_vector(1))
    with pytest.raises(ValidationError):
        templates.replace_for_model(model.id, [NewTemplate(a.id, unit_vector(5)),
                                               NewTemplate(a.id, np.zeros((0,)))])
    np.testing.assert_array_equal(templates.load_gallery(model.id)[0], unit_vector(1)[None])
    assert templates.replace_for_model(model.id, [NewTemplate(a.id, unit_vector(5)),
                                                  NewTemplate(a.id, unit_vector(6))]) == 2
    np.testing.assert_array_equal(templates.load_gallery(model.id)[0],
                                  np.stack([unit_vector(5), unit_vector(6)]))


def test_deleting_by_model_or_person_leaves_the_rest(app_db: AppDatabase,
                                                     templates: TemplateRepository) -> None:
    people = PeopleRepository(app_db)
    a, b = people.add("A"), people.add("B")
    m1, m2 = register_model(app_db, "m1"), register_model(app_db, "m2", active=False)
    templates.add(a.id, m1.id, unit_vector(1))
    templates.add(b.id, m1.id, unit_vector(2))
    templates.add(a.id, m2.id, unit_vector(3))
    assert templates.delete_for_model(m2.id) == 1
    assert templates.delete_for_person(a.id) == 1
    assert templates.load_gallery(m1.id)[1].tolist() == [b.id]
    np.testing.assert_array_equal(templates.embeddings_for_person(b.id), unit_vector(2)[None])
