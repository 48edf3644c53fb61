"""Gallery: vectorised matching agrees with a plain Python loop; threshold and margin rules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attendance_app.vision.gallery import Gallery


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _oracle_scores(emb: np.ndarray, ids: np.ndarray, query: np.ndarray, strategy: str,
                   k: int) -> dict[int, float]:
    q = query / np.linalg.norm(query)
    per_person: dict[int, list[float]] = {}
    for row, pid in zip(emb, ids):
        cos = sum(float(a) * float(b) for a, b in zip(row / np.linalg.norm(row), q))
        per_person.setdefault(int(pid), []).append(cos)
    if strategy == "best":
        return {p: max(v) for p, v in per_person.items()}
    return {p: sum(sorted(v, reverse=True)[:k]) / len(sorted(v)[:k])
            for p, v in per_person.items()}


@st.composite
def galleries(draw):
    dim = draw(st.integers(2, 8))
    m = draw(st.integers(1, 25))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, draw(st.integers(1, 6)), size=m) * 7 - 3  # negative ids too
    emb = rng.standard_normal((m, dim)).astype(np.float32)
    query = rng.standard_normal(dim).astype(np.float32)
    return emb, ids, query


@settings(max_examples=200, deadline=None)
@given(galleries(), st.sampled_from(["best", "top_k_mean"]), st.integers(1, 4))
def test_person_scores_equal_a_python_loop(case, strategy, k) -> None:
    emb, ids, query = case
    gallery = Gallery.from_arrays(emb, ids, strategy=strategy, top_k=k)
    got = gallery.person_scores(query)
    expected = _oracle_scores(emb, ids, query, strategy, k)
    assert got.keys() == expected.keys()
    for pid, value in expected.items():
        assert got[pid] == pytest.approx(value, abs=1e-5)


@settings(max_examples=200, deadline=None)
@given(galleries(), st.floats(-1, 1), st.floats(0, 0.5))
def test_match_follows_threshold_and_runner_up_margin(case, threshold, margin) -> None:
    emb, ids, query = case
    scores = _oracle_scores(emb, ids, query, "best", 1)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    m = Gallery.from_arrays(emb, ids).match(query, threshold, margin)
    assert m.best is not None and m.best.similarity == pytest.approx(ranked[0][1], abs=1e-5)
    if len(ranked) == 1:
        assert m.runner_up is None
        expected_known = ranked[0][1] >= threshold
    else:
        assert m.runner_up is not None and m.runner_up.person_id != m.best.person_id
        assert m.runner_up.similarity == pytest.approx(ranked[1][1], abs=1e-5)
        expected_known = ranked[0][1] >= threshold and ranked[0][1] - ranked[1][1] >= margin
    # Skip knife-edge cases where float32 rounding decides.
    gap = min(abs(ranked[0][1] - threshold),
              abs(ranked[0][1] - ranked[1][1] - margin) if len(ranked) > 1 else 1)
    if gap > 1e-5:
        assert m.is_known == expected_known


def test_an_empty_gallery_matches_nobody() -> None:
    m = Gallery.empty().match(np.ones(512, np.float32), 0.5, 0.05)
    assert m.best is None and m.runner_up is None and not m.is_known and m.person_id is None


def test_a_close_runner_up_makes_the_face_unknown() -> None:
    emb = _unit(np.array([[1.0, 0.0], [0.9, 0.1]], np.float32))
    q = np.array([1.0, 0.05], np.float32)
    assert not Gallery.from_arrays(emb, np.array([1, 2])).match(q, 0.5, 0.2).is_known
    assert Gallery.from_arrays(emb, np.array([1, 2])).match(q, 0.5, 0.0).is_known


def test_match_many_equals_match_one_by_one() -> None:
    rng = np.random.default_rng(3)
    emb, ids = rng.standard_normal((40, 16)).astype(np.float32), rng.integers(0, 9, 40)
    queries = rng.standard_normal((5, 16)).astype(np.float32)
    for strategy in ("best", "top_k_mean"):
        g = Gallery.from_arrays(emb, ids, strategy=strategy, top_k=2)
        batch, single = g.match_many(queries, 0.1, 0.01), [g.match(q, 0.1, 0.01) for q in queries]
        for a, b in zip(batch, single, strict=True):  # gemm and gemv round differently
            assert (a.person_id, a.is_known, a.runner_up.person_id) == (
                b.person_id, b.is_known, b.runner_up.person_id)
            assert a.similarity == pytest.approx(b.similarity, abs=1e-6)


@pytest.mark.parametrize("storage", ["float16", "bfloat16"])
def test_half_precision_storage_scores_within_its_rounding(storage: str) -> None:
    rng = np.random.default_rng(4)
    emb, ids = rng.standard_normal((300, 512)).astype(np.float32), rng.integers(0, 50, 300)
    q = rng.standard_normal(512).astype(np.float32)
    exact = Gallery.from_arrays(emb, ids).person_scores(q)
    approx = Gallery.from_arrays(emb, ids, storage=storage).person_scores(q)
    tol = 2e-3 if storage == "float16" else 2e-2
    assert all(abs(exact[p] - approx[p]) < tol for p in exact)


def test_top_candidates_are_ranked_best_first() -> None:
    emb = np.eye(4, dtype=np.float32)
    q = np.array([0.1, 0.9, 0.5, 0.0], np.float32)
    ranked = Gallery.from_arrays(emb, np.array([10, 20, 30, 40])).top_candidates(q, 3)
    assert [c.person_id for c in ranked] == [20, 30, 10]


def test_mismatched_arrays_are_refused() -> None:
    with pytest.raises(ValueError):
        Gallery.from_arrays(np.zeros((3, 4), np.float32), np.zeros(2, np.int64))
