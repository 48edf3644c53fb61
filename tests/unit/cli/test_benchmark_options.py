"""`benchmark match --storage/--strategy` and `benchmark digits --pseudo-unseen` on the command
line (no model is loaded: match uses random templates, a bad digit pair is refused first)."""

from __future__ import annotations

import json
from pathlib import Path

from attendance_app.cli import main


def test_match_reports_the_storage_it_was_asked_for(tmp_path: Path, capsys) -> None:
    code = main(["--data-dir", str(tmp_path), "benchmark", "match", "--gallery-size", "500",
                 "--storage", "float16", "--strategy", "top_k_mean", "--json"])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and result["storage"] == "float16" and result["strategy"] == "top_k_mean"
    assert 0.0 < result["max_score_diff_vs_float32"] < 0.002


def test_digits_validation_refuses_8_or_9_as_pseudo_unseen(tmp_path: Path, capsys) -> None:
    code = main(["--data-dir", str(tmp_path), "benchmark", "digits", "--dataset", str(tmp_path),
                 "--validation", "--pseudo-unseen", "8,9"])
    assert code == 2 and "two different digits of 0-7" in capsys.readouterr().err
