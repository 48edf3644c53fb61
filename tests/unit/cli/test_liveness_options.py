"""`benchmark liveness` and `run --liveness`: bad input is refused with a message (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from attendance_app.cli import main


def _cli(tmp_path: Path, *argv: str) -> int:
    return main(["--data-dir", str(tmp_path / "data"), *argv])


def test_the_liveness_benchmark_needs_videos(tmp_path, capsys) -> None:
    assert _cli(tmp_path, "benchmark", "liveness", "--json") == 2
    assert "--real" in capsys.readouterr().err


def test_the_liveness_benchmark_names_a_missing_video(tmp_path, capsys) -> None:
    missing = tmp_path / "nope.mp4"
    assert _cli(tmp_path, "benchmark", "liveness", "--attack", str(missing)) == 2
    assert "nope.mp4" in capsys.readouterr().err


def test_run_refuses_an_unknown_liveness_policy(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        _cli(tmp_path, "run", "--source", "x.mp4", "--session", "S", "--liveness", "maybe")
    assert exc.value.code == 2 and "off" in capsys.readouterr().err
