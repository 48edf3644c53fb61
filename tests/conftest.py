"""Shared fixtures: isolated data dirs, and the real reference datasets (skipped where absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from attendance_app.config import DATA_DIR_ENV, datasets_dir


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own data dir and HOME: nothing touches the user's real data."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QT_QPA_PLATFORM", os.environ.get("QT_QPA_PLATFORM", "offscreen"))


@pytest.fixture(scope="session")
def datasets_root() -> Path:
    root = datasets_dir()
    if not root.is_dir():
        pytest.skip(f"reference datasets not found at {root} (set ATTENDANCE_APP_DATASETS)")
    return root


@pytest.fixture(scope="session")
def dataset(datasets_root: Path):
    """dataset('att_faces') -> Path, skipping the test with a reason when that set is absent."""

    def _get(name: str) -> Path:
        path = datasets_root / name
        if not path.exists():
            pytest.skip(f"dataset {name} not found under {datasets_root}")
        return path

    return _get
