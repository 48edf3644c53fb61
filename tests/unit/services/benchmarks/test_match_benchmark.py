"""Match benchmark: times Gallery.match itself, for the asked gallery size and storage."""

from __future__ import annotations

import time

import pytest

from attendance_app.services.benchmarks import match_benchmark
from attendance_app.services.benchmarks.match_benchmark import run_match_benchmark


def test_the_reported_time_is_the_time_gallery_match_takes(monkeypatch) -> None:
    # A match made 3 ms slower must show up as >= 3 ms per query: the timer wraps the match.
    real_match = match_benchmark.Gallery.match

    def slow_match(self, *args, **kwargs):
        time.sleep(0.003)
        return real_match(self, *args, **kwargs)

    monkeypatch.setattr(match_benchmark.Gallery, "match", slow_match)
    calls = []
    result = run_match_benchmark(gallery_size=2000, n_queries=5,
                                 progress=lambda done, total: calls.append((done, total)))
    assert result["gallery_size"] == 2000 and result["storage"] == "float32"
    assert 3.0 <= result["ms_per_query_median"] <= result["ms_per_query"] * 5
    assert result["ms_per_query"] >= 3.0
    assert calls[-1] == (5, 5) and "max_score_diff_vs_float32" not in result


@pytest.mark.parametrize("storage, worst", [("bfloat16", 0.01), ("float16", 0.002)])
def test_half_precision_storage_reports_how_far_its_scores_are_from_float32(storage, worst):
    result = run_match_benchmark(gallery_size=3000, n_queries=10, storage=storage)
    assert result["storage"] == storage
    assert 0.0 < result["max_score_diff_vs_float32"] < worst


def test_an_empty_gallery_size_is_refused() -> None:
    with pytest.raises(ValueError):
        run_match_benchmark(gallery_size=0)
