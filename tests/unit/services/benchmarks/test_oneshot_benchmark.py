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
        "seconds_per_image", "far_test", "stranger_split", "n_stranger_ids",
        "n_stranger_probes_calibration", "n_stranger_probes_test", "app_threshold", "app_margin",
        "dir_at_app_threshold", "far_at_app_threshold"}


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


def _clusters(n_ids: int, per_id: int, noise: float, seed: int = 0) -> EmbeddedDataset:
    rng = np.random.default_rng(seed)
    centres = [_unit(rng.standard_normal(16)) for _ in range(n_ids)]
    return EmbeddedDataset(
        tuple(str(i) for i in range(n_ids)),
        tuple(tuple(_unit(c + noise * rng.standard_normal(16)) for _ in range(per_id))
              for c in centres), 0, 0.0)


def test_open_set_threshold_rejects_the_held_out_strangers() -> None:
    data = _clusters(10, 5, 0.05)
    result = score_oneshot(data, holdout_every=5, app_threshold=0.55, app_margin=0.05)
    # Identities 4 and 9 (0-based) are strangers: one calibrates, the other tests the threshold.
    assert result["stranger_split"] == "identity" and result["n_stranger_ids"] == 2
    assert result["n_stranger_probes_calibration"] == 5 == result["n_stranger_probes_test"]
    assert result["dir_at_far_1pct"] == 1.0 and result["far_test"] == 0.0
    assert result["dir_at_app_threshold"] == 1.0 and result["far_at_app_threshold"] == 0.0
    genuine = min(float(data.embeddings[i][j] @ data.embeddings[i][0])
                  for i in (0, 1, 2, 3, 5, 6, 7, 8) for j in range(1, 5))
    assert result["threshold"] <= genuine  # every enrolled probe is accepted...
    calibration = max(float(p @ data.embeddings[i][0]) for p in data.embeddings[4]
                      for i in (0, 1, 2, 3, 5, 6, 7, 8))
    assert result["threshold"] > calibration  # ...and no calibration stranger is


def test_the_threshold_is_chosen_on_calibration_strangers_and_judged_on_the_others() -> None:
    # Stranger 9 is a near-copy of identity 0: a threshold chosen without seeing it lets it
    # through, which only a held-out test split can reveal (choosing on all strangers hides it).
    data = _clusters(10, 5, 0.05)
    twin = tuple(_unit(e + 0.01) for e in data.embeddings[0])
    data = EmbeddedDataset(data.names, data.embeddings[:9] + (twin,), 0, 0.0)
    result = score_oneshot(data, holdout_every=5)
    assert result["far_test"] == 1.0
    assert result["far_at_app_threshold"] == 0.5  # the app's 0.55 accepts the twin's 5 of 10


def test_a_single_stranger_identity_is_split_by_image() -> None:
    result = score_oneshot(_clusters(5, 5, 0.05), holdout_every=5)
    assert result["stranger_split"] == "image" and result["n_stranger_ids"] == 1
    assert (result["n_stranger_probes_calibration"], result["n_stranger_probes_test"]) == (3, 2)


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
