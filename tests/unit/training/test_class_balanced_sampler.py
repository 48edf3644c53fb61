"""ClassBalancedSampler yields P people x K samples, deterministically."""

from __future__ import annotations

from collections import Counter

import pytest

from attendance_app.domain.errors import TrainingError
from attendance_app.training.class_balanced_sampler import ClassBalancedSampler

LABELS = ["a"] * 6 + ["b"] * 5 + ["c"] * 3 + ["d"] * 2 + ["e"] * 7 + ["lonely"]


def test_every_batch_holds_p_people_with_k_samples_each() -> None:
    sampler = ClassBalancedSampler(LABELS, people_per_batch=3, samples_per_person=4, seed=5)
    batches = list(sampler)
    assert len(batches) == len(sampler) > 0
    for batch in batches:
        assert len(batch) == 12
        counts = Counter(LABELS[i] for i in batch)
        assert len(counts) == 3 and set(counts.values()) == {4}


def test_people_with_fewer_than_k_samples_still_give_two_distinct_ones() -> None:
    sampler = ClassBalancedSampler(LABELS, people_per_batch=5, samples_per_person=4, seed=0)
    for batch in sampler:
        for person in ("c", "d"):
            items = [i for i in batch if LABELS[i] == person]
            assert len(items) == 4 and len(set(items)) == len([x for x in LABELS if x == person])


def test_people_with_a_single_sample_are_excluded() -> None:
    sampler = ClassBalancedSampler(LABELS, people_per_batch=8, samples_per_person=2, seed=0)
    assert sampler.excluded == ["lonely"]
    assert sampler.people_per_batch == 5  # capped at the eligible people
    assert all(LABELS[i] != "lonely" for batch in sampler for i in batch)


def test_same_seed_gives_same_batches_and_new_epochs_differ() -> None:
    first = ClassBalancedSampler(LABELS, 3, 2, batches_per_epoch=4, seed=9)
    second = ClassBalancedSampler(LABELS, 3, 2, batches_per_epoch=4, seed=9)
    epoch_1 = list(first)
    assert epoch_1 == list(second)
    assert list(first) != epoch_1
    assert list(ClassBalancedSampler(LABELS, 3, 2, batches_per_epoch=4, seed=10)) != epoch_1


def test_fewer_than_two_eligible_people_is_refused_with_a_reason() -> None:
    with pytest.raises(TrainingError, match="at least 2 people"):
        ClassBalancedSampler(["a", "a", "b"], 2, 2)
