"""Missing reference data: a skip with the reason on a developer's machine, a failure in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.dataset_gate import missing_data


@pytest.mark.parametrize("ci", ["", "false", "0"])
def test_outside_ci_a_missing_dataset_skips_with_its_reason(monkeypatch, ci) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="dataset lfw not found"):
        missing_data("dataset lfw not found under /nowhere")


@pytest.mark.parametrize("ci", ["true", "TRUE", "1"])
def test_in_ci_a_missing_dataset_fails_and_says_what_to_do(monkeypatch, ci) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="ATTENDANCE_APP_DATASETS") as failure:
        missing_data("reference datasets not found at /nowhere")
    assert "/nowhere" in str(failure.value)


REPO = Path(__file__).resolve().parents[2]


def test_the_dataset_fixture_fails_in_ci_when_the_folder_is_absent(pytester, monkeypatch):
    # The suite's real conftest.py and its `dataset` fixture, on a datasets folder that is absent.
    pytester.makeconftest((REPO / "tests" / "conftest.py").read_text())
    pytester.makepyfile(test_probe="def test_probe(dataset):\n    dataset('lfw')\n")
    monkeypatch.setenv("ATTENDANCE_APP_DATASETS", str(pytester.path / "absent"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    for ci, outcome in (("true", {"errors": 1}), ("", {"skipped": 1})):
        monkeypatch.setenv("CI", ci)
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
        result.assert_outcomes(**outcome)
        if ci:
            result.stdout.fnmatch_lines(["*CI=true and reference datasets not found*"])
