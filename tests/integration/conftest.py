"""Integration fixtures: a data dir that already holds the converted weights (converted once per
test session), so each test starts like a second run of the app instead of converting again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from attendance_app.config import DATA_DIR_ENV


@pytest.fixture
def data_dir(tmp_path: Path, converted_weights, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data dir with the cached default weights copied in (sha256 sidecar included)."""
    directory = tmp_path / "app-data"
    models = directory / "models"
    models.mkdir(parents=True)
    weights = Path(converted_weights.path)
    for source in weights.parent.glob(weights.name + "*"):
        shutil.copy2(source, models / source.name)
    monkeypatch.setenv(DATA_DIR_ENV, str(directory))
    return directory


@pytest.fixture
def facenet_first(data_dir: Path) -> Path:
    """`data_dir` set to start with FaceNet (Settings.first_model), for tests about FaceNet's
    own weights file, conversion or fine-tuning; a new data folder otherwise starts with SFace
    (ADR 0020)."""
    (data_dir / "settings.json").write_text('{"first_model": "facenet"}', encoding="utf-8")
    return data_dir


@pytest.fixture
def cli(data_dir: Path, capsys: pytest.CaptureFixture[str]):
    """cli('enroll', ...) -> (exit code, stdout, stderr), run in-process on `data_dir`."""
    from attendance_app.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(data_dir), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run
