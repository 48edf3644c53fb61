"""split_people: people (not photos) go to train / validation / held-out test."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PersonSplit:
    """Disjoint person keys; each list keeps the sorted order of the keys it came from."""

    train: list[Hashable]
    val: list[Hashable]
    test: list[Hashable]


def split_people(
    people: Iterable[Hashable], seed: int = 0, val_fraction: float = 0.0, test_fraction: float = 0.0
) -> PersonSplit:
    """Shuffle the distinct person keys with `seed` and cut round(n * fraction) of them for the
    test and validation parts (test first), the rest train. Deterministic for the same set of keys
    and seed, whatever their input order. Raises ValueError on fractions outside [0, 1) or summing
    to 1 or more."""
    if not (0 <= val_fraction < 1 and 0 <= test_fraction < 1 and val_fraction + test_fraction < 1):
        raise ValueError(f"bad split fractions: val {val_fraction}, test {test_fraction}")
    keys = sorted(set(people), key=repr)
    order = np.random.default_rng(seed).permutation(len(keys))
    shuffled = [keys[i] for i in order]
    n_test = round(len(keys) * test_fraction)
    n_val = round(len(keys) * val_fraction)
    test = set(shuffled[:n_test])
    val = set(shuffled[n_test : n_test + n_val])
    return PersonSplit(
        train=[k for k in keys if k not in test and k not in val],
        val=[k for k in keys if k in val],
        test=[k for k in keys if k in test],
    )
