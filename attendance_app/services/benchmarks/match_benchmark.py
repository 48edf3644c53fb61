"""Matching speed benchmark: milliseconds per query against a gallery of N random templates."""

from __future__ import annotations

import time

import numpy as np

from attendance_app.services.benchmarks.face_source import Progress
from attendance_app.vision.gallery import Gallery


def run_match_benchmark(gallery_size: int = 100_000, n_queries: int = 50,
                        templates_per_person: int = 5, dim: int = 512,
                        storage: str = "float32", strategy: str = "best",
                        seed: int = 0, progress: Progress | None = None) -> dict:
    """Time Gallery.match for n_queries single queries (after one warm-up) on gallery_size
    random unit templates, templates_per_person per person. Returns ms_per_query (mean,
    the issue-2 key), ms_per_query_median, gallery_size, storage, strategy and, for a storage
    other than float32, max_score_diff_vs_float32 (largest |best-person similarity difference|
    over the queries against a float32 gallery of the same templates). Raises ValueError when
    gallery_size < 1."""
    if gallery_size < 1:
        raise ValueError("gallery_size must be at least 1")
    rng = np.random.default_rng(seed)
    templates = rng.standard_normal((gallery_size, dim), dtype=np.float32)
    person_ids = np.arange(gallery_size) // max(1, templates_per_person)
    gallery = Gallery.from_arrays(templates, person_ids, storage=storage,  # type: ignore[arg-type]
                                  strategy=strategy)
    reference = (None if storage == "float32" else
                 Gallery.from_arrays(templates, person_ids, strategy=strategy))  # type: ignore[arg-type]
    del templates
    queries = rng.standard_normal((n_queries + 1, dim), dtype=np.float32)
    gallery.match(queries[0], threshold=0.5, margin=0.05)
    times = []
    for i, q in enumerate(queries[1:]):
        start = time.perf_counter()
        gallery.match(q, threshold=0.5, margin=0.05)
        times.append(time.perf_counter() - start)
        if progress is not None:
            progress(i + 1, n_queries)
    ms = np.array(times) * 1000.0
    result: dict = {"ms_per_query": float(ms.mean()), "ms_per_query_median": float(np.median(ms)),
                    "gallery_size": gallery_size, "storage": storage, "strategy": strategy}
    if reference is not None:
        result["max_score_diff_vs_float32"] = max(
            abs(_best(gallery, q) - _best(reference, q)) for q in queries[1:])
    return result


def _best(gallery: Gallery, query: np.ndarray) -> float:
    match = gallery.match(query, threshold=-2.0)
    return float(match.best.similarity) if match.best else float("nan")
