"""The digits one-shot demonstration on MNIST t10k (skips without the data)."""

from __future__ import annotations

import numpy as np
import pytest

from attendance_app.services.benchmarks.digits_benchmark import run_digits_benchmark, split_digits
from attendance_app.training.mnist_idx import load_mnist_folder

pytestmark = pytest.mark.integration
KEYS = {"seen_10way_1shot", "unseen_10way_1shot", "unseen_10way_5shot", "unseen_2way_1shot", "seconds"}


def test_digits_8_and_9_never_reach_training_and_held_out_images_never_train(dataset) -> None:
    _, labels = load_mnist_folder(dataset("mnist_t10k"))
    train, held = split_digits(labels, np.random.default_rng(0))
    assert len(train) == 6000 and len(held) == len(labels) - 6000
    assert not np.intersect1d(train, held).size
    assert set(labels[train]) == set(range(8))
    assert np.isin(np.flatnonzero(labels >= 8), held).all()


def test_a_one_epoch_run_on_few_images_reports_every_key_and_beats_chance(dataset) -> None:
    result = run_digits_benchmark(dataset("mnist_t10k"), seed=0, epochs=1, train_per_seen_digit=64)
    assert KEYS <= set(result)
    assert all(0.0 <= result[k] <= 1.0 for k in KEYS - {"seconds"})
    assert result["seen_10way_1shot"] > 0.2  # chance is 0.1: labels and templates line up
    assert result["unseen_2way_1shot"] > 0.5  # chance is 0.5


@pytest.fixture(scope="module")
def full_run(dataset) -> dict[str, float]:
    return run_digits_benchmark(dataset("mnist_t10k"), seed=0)


@pytest.mark.slow
def test_full_run_recognises_unseen_digits_from_one_template_at_least_half_the_time(full_run) -> None:
    assert full_run["unseen_10way_1shot"] >= 0.50
    assert full_run["unseen_10way_5shot"] > full_run["unseen_10way_1shot"]
    assert full_run["seen_10way_1shot"] >= 0.85


@pytest.mark.slow
def test_full_run_tells_8_from_9_with_one_template_each_better_than_the_measured_floor(
        full_run) -> None:
    # Measured 0.919 with seed 0 (README); 0.86-0.93 over the variants tried. Chance is 0.5.
    assert full_run["unseen_2way_1shot"] >= 0.85


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="issue 5 target 0.95 not reached: 2-way 8-vs-9 1-shot "
                   "measured 0.919 (seed 0; README, One-shot learning on digits). Strict: the "
                   "day it passes, this marker must go")
def test_full_run_tells_8_from_9_with_one_template_each(full_run) -> None:
    assert full_run["unseen_2way_1shot"] >= 0.95


def test_the_validation_split_never_reads_8_or_9_and_holds_out_the_pseudo_unseen_pair(
        dataset) -> None:
    from attendance_app.services.benchmarks.digits_validation import validation_split

    _, labels = load_mnist_folder(dataset("mnist_t10k"))
    train, held = validation_split(labels, np.random.default_rng(0), (2, 5))
    assert set(labels[train]) == {0, 1, 3, 4, 6, 7} and len(train) == 6 * 750
    assert set(labels[held]) == set(range(8)) and not np.intersect1d(train, held).size
    assert np.isin(np.flatnonzero(np.isin(labels, (2, 5))), held).all()
    with pytest.raises(ValueError):
        validation_split(labels, np.random.default_rng(0), (8, 9))


@pytest.mark.slow
def test_a_short_validation_run_scores_both_readouts_on_digits_0_to_7_only(dataset) -> None:
    from attendance_app.services.benchmarks.digits_validation import run_digits_validation

    result = run_digits_validation(dataset("mnist_t10k"), epochs=1, train_per_seen_digit=48)
    assert result["max_label_used"] == 7 and result["pseudo_unseen"] == [6, 7]
    assert set(result["readouts"]) == {"features", "projection"}
    chosen = result["readouts"][result["chosen_readout"]]
    assert all(chosen["pseudo_unseen_2way_1shot"] >= r["pseudo_unseen_2way_1shot"]
               for r in result["readouts"].values())
    assert chosen["pseudo_unseen_2way_1shot"] > 0.5  # chance
