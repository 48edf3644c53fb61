"""Issue 14 item 7: the threshold histogram's pairs are sampled (bounded work and memory) and
agree with the exact all-pairs computation, checked against an obvious loop."""

from __future__ import annotations

import tracemalloc

import numpy as np

from attendance_app.services.live_support import pair_similarities


def _gallery(people: int, per_person: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((people, 64)).astype(np.float32)
    vectors = np.repeat(centres, per_person, axis=0)
    vectors += 0.6 * rng.standard_normal(vectors.shape).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors, np.repeat(np.arange(people), per_person).astype(np.int64)


def test_a_small_gallery_gives_every_pair_exactly_as_a_loop_does() -> None:
    vectors, ids = _gallery(6, 4)
    same, different = pair_similarities(vectors, ids, max_pairs=10_000)
    loop_same, loop_diff = [], []
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            (loop_same if ids[i] == ids[j] else loop_diff).append(float(vectors[i] @ vectors[j]))
    np.testing.assert_allclose(np.sort(same), np.sort(loop_same), atol=1e-6)
    np.testing.assert_allclose(np.sort(different), np.sort(loop_diff), atol=1e-6)


def test_a_large_gallery_is_sampled_and_matches_the_exact_distribution() -> None:
    vectors, ids = _gallery(300, 5)  # 1500 templates: 1.1 M pairs
    same, different = pair_similarities(vectors, ids, max_pairs=20_000)
    assert len(same) == 20_000 and 19_000 < len(different) <= 20_000
    exact_same, exact_diff = pair_similarities(vectors, ids, max_pairs=10 ** 7)
    assert abs(float(np.mean(same)) - float(np.mean(exact_same))) < 0.01
    assert abs(float(np.mean(different)) - float(np.mean(exact_diff))) < 0.01
    q = [0.1, 0.5, 0.9]
    np.testing.assert_allclose(np.quantile(same, q), np.quantile(exact_same, q), atol=0.02)


def test_memory_stays_bounded_for_a_gallery_whose_full_matrix_would_be_gigabytes() -> None:
    vectors, ids = _gallery(4000, 5)  # 20,000 templates: the full matrix would be 1.6 GB
    tracemalloc.start()
    try:
        same, different = pair_similarities(vectors, ids)  # the default bound
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(same) > 0 and len(different) > 0
    assert peak < 150 * 2 ** 20, f"peak {peak / 2 ** 20:.0f} MB"
