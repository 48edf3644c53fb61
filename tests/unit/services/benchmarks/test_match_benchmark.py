"""Match benchmark: reports a positive time per query for the asked gallery size."""

from __future__ import annotations

import pytest

from attendance_app.services.benchmarks.match_benchmark import run_match_benchmark


def test_reports_milliseconds_per_query_for_the_gallery_size() -> None:
    calls = []
    result = run_match_benchmark(gallery_size=2000, n_queries=5,
                                 progress=lambda done, total: calls.append((done, total)))
    assert result["gallery_size"] == 2000 and result["ms_per_query"] > 0
    assert calls[-1] == (5, 5)


def test_an_empty_gallery_size_is_refused() -> None:
    with pytest.raises(ValueError):
        run_match_benchmark(gallery_size=0)
