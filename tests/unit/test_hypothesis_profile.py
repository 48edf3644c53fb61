"""Property tests draw the same examples on every run unless asked to explore (tests/conftest.py)."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings


@pytest.mark.skipif(os.environ.get("HYPOTHESIS_PROFILE", "repeatable") != "repeatable",
                    reason="another Hypothesis profile was chosen on purpose")
def test_the_default_profile_is_derandomized_so_a_failure_repeats() -> None:
    assert settings.default.derandomize is True
    assert settings.default.database is None


def test_the_explore_profile_keeps_failures_in_the_committed_folder() -> None:
    explore = settings.get_profile("explore")
    assert explore.derandomize is False
    assert str(explore.database.path).endswith(os.path.join("tests", "hypothesis-examples"))
