"""The shared LFW copy's pairs.txt: ten folds with no person in two of them (skips without it)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_the_lfw_pairs_folds_share_no_person(dataset) -> None:
    # View 2's ten folds are disjoint in identities: a person in two folds would let a fold's
    # threshold be tuned on faces it is then tested on.
    from attendance_app.services.benchmarks.lfw_benchmark import read_pairs

    pairs = read_pairs(dataset("lfw"))
    folds_of: dict[str, set[int]] = {}
    for pair in pairs:
        for image in (pair.left, pair.right):
            folds_of.setdefault(image.parent.name, set()).add(pair.fold)
    assert len(pairs) == 6000 and {p.fold for p in pairs} == set(range(10))
    assert [name for name, folds in folds_of.items() if len(folds) > 1] == []
