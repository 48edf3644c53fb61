"""ModelRepository: registry round trip, exactly one active model, metrics, deletion."""

from __future__ import annotations

import sqlite3

import pytest

from attendance_app.domain.errors import NotFoundError, ValidationError
from attendance_app.storage.database import AppDatabase
from attendance_app.storage.model_repository import ModelRepository
from storage_factories import T0


@pytest.fixture
def models(app_db: AppDatabase) -> ModelRepository:
    return ModelRepository(app_db)


def test_a_model_round_trips_with_lineage_and_metrics(models: ModelRepository) -> None:
    base = models.register("casia", "converted", "/m/casia.pt", "AB" * 32, created_at=T0)
    tuned = models.register("tuned", "finetuned", "/m/t.pt", "cd" * 32, parent_id=base.id,
                            metrics={"rank1": 0.89})
    assert models.get(base.id) == base
    assert base.sha256 == "ab" * 32 and base.created_at == T0 and not base.is_active
    assert (tuned.parent_id, tuned.metrics) == (base.id, {"rank1": 0.89})
    assert models.find_by_sha256("AB" * 32) == base
    assert models.find_by_sha256("00" * 32) is None
    assert [m.id for m in models.list_all()] == [base.id, tuned.id]


def test_unknown_kinds_and_parents_are_refused(models: ModelRepository) -> None:
    with pytest.raises(ValidationError):
        models.register("x", "downloaded", "/m/x.pt", "ab")
    with pytest.raises(NotFoundError):
        models.register("x", "finetuned", "/m/x.pt", "ab", parent_id=99)


def test_exactly_one_model_is_active_after_switching(app_db: AppDatabase,
                                                     models: ModelRepository) -> None:
    assert models.active() is None
    first = models.register("a", "converted", "/a", "aa", activate=True)
    second = models.register("b", "imported", "/b", "bb")
    assert models.active() == first
    models.set_active(second.id)
    assert models.active().id == second.id
    assert [m.is_active for m in models.list_all()] == [False, True]
    with pytest.raises(NotFoundError):
        models.set_active(999)
    assert models.active().id == second.id
    with pytest.raises(sqlite3.IntegrityError):  # the file itself forbids two active models
        app_db.conn.execute("UPDATE models SET is_active = 1")


def test_metrics_merge_or_replace(models: ModelRepository) -> None:
    m = models.register("a", "converted", "/a", "aa", metrics={"lfw": 0.98})
    assert models.update_metrics(m.id, {"rank1": 0.99}).metrics == {"lfw": 0.98, "rank1": 0.99}
    assert models.update_metrics(m.id, {"x": 1}, merge=False).metrics == {"x": 1}


def test_the_active_model_cannot_be_deleted_but_others_can(models: ModelRepository) -> None:
    active = models.register("a", "converted", "/a", "aa", activate=True)
    spare = models.register("b", "imported", "/b", "bb")
    with pytest.raises(ValidationError):
        models.delete(active.id)
    models.delete(spare.id)
    assert [m.id for m in models.list_all()] == [active.id]
    with pytest.raises(NotFoundError):
        models.delete(spare.id)
