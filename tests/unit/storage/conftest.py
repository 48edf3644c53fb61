"""Storage fixtures: a real, migrated SQLite file in tmp_path for every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from attendance_app.storage.database import AppDatabase, open_database


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "attendance.db"


@pytest.fixture
def app_db(db_path: Path) -> Iterator[AppDatabase]:
    database = open_database(db_path)
    yield database
    database.close()
