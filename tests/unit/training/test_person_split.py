"""People, not photos, are split; the split is reproducible."""

from __future__ import annotations

import pytest

from attendance_app.training.person_split import split_people

PEOPLE = [f"p{i}" for i in range(20)]


def test_parts_are_disjoint_sized_by_fraction_and_cover_everyone() -> None:
    split = split_people(PEOPLE * 3, seed=4, val_fraction=0.2, test_fraction=0.25)
    assert (len(split.train), len(split.val), len(split.test)) == (11, 4, 5)
    assert set(split.train) | set(split.val) | set(split.test) == set(PEOPLE)
    assert not set(split.train) & set(split.val) and not set(split.val) & set(split.test)


def test_same_seed_same_split_whatever_the_input_order() -> None:
    a = split_people(PEOPLE, seed=1, val_fraction=0.3)
    b = split_people(list(reversed(PEOPLE)), seed=1, val_fraction=0.3)
    assert a == b
    assert split_people(PEOPLE, seed=2, val_fraction=0.3) != a


def test_fractions_leaving_no_training_people_are_rejected() -> None:
    with pytest.raises(ValueError):
        split_people(PEOPLE, val_fraction=0.5, test_fraction=0.5)
