"""One-shot benchmark protocol on a fake colour dataset and on hand-made embeddings."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from attendance_app.services.benchmarks.oneshot_benchmark import (EmbeddedDataset,
                                                                  run_oneshot_benchmark,
                                                                  score_oneshot,
                                                                  threshold_at_far)

KEYS = {"rank1", "no_face", "n_ids", "n_probes", "dir_at_far_1pct", "threshold",
        "seconds_per_image"}


def _unit(v) -> np.ndarray:
    v = np.asarray(v, np.float32)
    return v / np.linalg.norm(v)


def test_separable_identities_are_all_recognised(colour_dataset, colour_embedder) -> None:
    result = run_oneshot_benchmark(colour_dataset, colour_embedder, crops=True)
    assert set(result) == KEYS
    assert result["n_ids"] == 10 and result["n_probes"] == 10 * 3
    assert result["rank1"] == 1.0 and result["no_face"] == 0
    assert colour_embedder.images_embedded == 40


def test_max_per_id_limits_the_probes(colour_dataset, colour_embedder) -> None:
    result = run_oneshot_benchmark(colour_dataset, colour_embedder, crops=True, max_per_id=2)
    assert result["n_probes"] == 10


def test_enrolling_more_images_leaves_fewer_probes(colour_dataset, colour_embedder) -> None:
    result = run_oneshot_benchmark(colour_dataset, colour_embedder, crops=True,
                                   enroll_per_id=3)
    assert result["n_probes"] == 10 and result["rank1"] == 1.0


def test_a_probe_without_a_face_counts_as_wrong() -> None:
    a, b = _unit([1, 0, 0]), _unit([0, 1, 0])
    data = EmbeddedDataset(("a", "b"), ((a, a, None), (b, b, b)), no_face=1,
                           seconds_per_image=0.1)
    result = score_oneshot(data, holdout_every=100)
    assert result["n_probes"] == 4 and result["rank1"] == 0.75 and result["no_face"] == 1


def test_open_set_threshold_rejects_the_held_out_strangers() -> None:
    rng = np.random.default_rng(0)
    centres = [_unit(rng.standard_normal(16)) for _ in range(10)]
    data = EmbeddedDataset(
        tuple(str(i) for i in range(10)),
        tuple(tuple(_unit(c + 0.05 * rng.standard_normal(16)) for _ in range(5))
              for c in centres), 0, 0.0)
    result = score_oneshot(data, holdout_every=5)
    # Identities 5 and 10 are strangers: none of their 10 images may pass (1% of 10 -> 0).
    assert result["dir_at_far_1pct"] > 0.9
    assert result["threshold"] > -1.0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1, 1), min_size=1, max_size=300), st.sampled_from([0.01, 0.1, 0.5]))
def test_threshold_lets_at_most_the_allowed_share_of_impostors_through(scores, far) -> None:
    s = np.array(scores)
    t = threshold_at_far(s, far)
    assert np.sum(s >= t) <= max(np.floor(far * len(s)), 0)
    # ...and it is the lowest such threshold: any impostor score just below t would pass.
    below = s[s < t]
    if len(below) and np.sum(s >= below.max()) <= np.floor(far * len(s)):
        raise AssertionError("a lower threshold would also meet the FAR")
