"""What a test does when reference data is absent: skip on a developer's machine, fail in CI.

CI (`CI=true`, set by .ci/run and by CI services) must run the integration tests on the real data
(../shared/datasets beside the clone, or ATTENDANCE_APP_DATASETS): a missing folder there would
otherwise turn ~57 tests into silent skips and a green run that checked nothing.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing_data(reason: str) -> NoReturn:
    """Skip the test with `reason`, or fail it under CI with `reason` and what to do."""
    if in_ci():
        pytest.fail(f"CI=true and {reason}: CI must run the tests on the real data. Put the "
                    "datasets at ../shared/datasets beside the clone or set "
                    "ATTENDANCE_APP_DATASETS (unset CI to skip these tests instead).",
                    pytrace=False)
    pytest.skip(reason)
