"""One-shot rank-1 and TAR at FAR on hand-made embeddings."""

from __future__ import annotations

import numpy as np
import pytest

from attendance_app.training.evaluation import compare_models, one_shot_rank1, tar_at_far


def _unit(rows) -> np.ndarray:
    x = np.asarray(rows, dtype=np.float64)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_rank1_uses_each_persons_first_embedding_as_the_template() -> None:
    # b's second image points to a's template: one of the three probes is wrong.
    emb = _unit([[1, 0], [0, 1], [1, 0.1], [0.9, 0.1], [0.1, 1]])
    labels = ["a", "b", "a", "b", "b"]
    assert one_shot_rank1(emb, labels) == pytest.approx(2 / 3)


def test_threshold_admits_at_most_the_asked_share_of_impostor_pairs() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(12, 16))
    labels = np.repeat(np.arange(12), 5)
    emb = _unit(centres[labels] + rng.normal(scale=0.8, size=(60, 16)))
    tar, threshold = tar_at_far(emb, labels.tolist(), far=0.01)
    sims = emb @ emb.T
    i, j = np.triu_indices(60, 1)
    impostor = sims[i, j][labels[i] != labels[j]]
    genuine = sims[i, j][labels[i] == labels[j]]
    assert np.mean(impostor >= threshold) <= 0.01
    # Lowering the threshold below the next impostor score would break the FAR bound.
    next_lower = impostor[impostor < threshold].max()
    assert np.mean(impostor >= next_lower) > 0.01
    assert tar == pytest.approx(np.mean(genuine >= threshold))
    assert 0 < tar < 1


def test_compare_models_reports_both_embedders_on_the_same_people() -> None:
    rng = np.random.default_rng(1)
    crops = {p: [rng.integers(0, 255, (160, 160, 3), dtype=np.uint8) for _ in range(3)] for p in "abcd"}
    person_of = {id(c): n for n, cs in enumerate(crops.values()) for c in cs}

    def perfect(batch: np.ndarray) -> np.ndarray:
        # The crop's mean pixel identifies it; map back to the person through a lookup table.
        table = {float(c.mean()): n for cs, n in ((cs, n) for n, cs in enumerate(crops.values())) for c in cs}
        return np.eye(512, dtype=np.float32)[[table[float(c.mean())] for c in batch]]

    def constant(batch: np.ndarray) -> np.ndarray:
        return _unit(np.ones((len(batch), 512))).astype(np.float32)

    result = compare_models(constant, perfect, crops)
    assert set(result) == {"before", "after"}
    assert set(result["after"]) >= {"rank1", "tar_at_far_1pct", "threshold"}
    assert result["after"]["rank1"] == 1.0 and result["after"]["tar_at_far_1pct"] == 1.0
    assert result["before"]["tar_at_far_1pct"] == 0.0
    assert result["before"]["images"] == 12 and person_of
