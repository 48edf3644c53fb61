"""ClassBalancedSampler: P people x K samples per batch, the batch shape triplet mining needs."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
import math

import numpy as np

from attendance_app.domain.errors import TrainingError


class ClassBalancedSampler:
    """Yield batches of dataset indices: `people_per_batch` (P) people x `samples_per_person` (K).

    `labels[i]` is the person of dataset item i (any hashable). People with fewer than 2 items are
    excluded (a triplet needs an anchor and a distinct positive); `excluded` lists them. A person
    with fewer than K items contributes all of them, topped up with repeats drawn with replacement,
    so every person in a batch has at least 2 distinct items. When fewer than P people are eligible
    every batch holds all of them. Iterating yields `batches_per_epoch` lists of P*K ints (default:
    enough batches to see about every item once); each new iteration is a new epoch with fresh,
    seed-determined draws, so two samplers built with the same arguments yield the same sequence.
    Raises TrainingError when fewer than 2 people have 2+ items.
    """

    def __init__(
        self,
        labels: Sequence[Hashable],
        people_per_batch: int = 8,
        samples_per_person: int = 4,
        batches_per_epoch: int | None = None,
        seed: int = 0,
    ) -> None:
        if people_per_batch < 2 or samples_per_person < 2:
            raise ValueError("a triplet batch needs P >= 2 people and K >= 2 samples per person")
        by_person: dict[Hashable, list[int]] = {}
        for index, label in enumerate(labels):
            by_person.setdefault(label, []).append(index)
        self.excluded = [p for p, idx in by_person.items() if len(idx) < 2]
        self._groups = [np.asarray(idx) for p, idx in by_person.items() if len(idx) >= 2]
        if len(self._groups) < 2:
            raise TrainingError(
                f"triplet training needs at least 2 people with 2 or more images; "
                f"found {len(self._groups)}"
            )
        self.people_per_batch = min(people_per_batch, len(self._groups))
        self.samples_per_person = samples_per_person
        usable = sum(len(g) for g in self._groups)
        self.batches_per_epoch = batches_per_epoch or max(1, math.ceil(usable / self.batch_size))
        self._seed = seed
        self._epoch = 0

    @property
    def batch_size(self) -> int:
        return self.people_per_batch * self.samples_per_person

    @property
    def num_people(self) -> int:
        return len(self._groups)

    def __len__(self) -> int:
        return self.batches_per_epoch

    def __iter__(self) -> Iterator[list[int]]:
        # One generator per (seed, epoch): re-iterating gives new batches, reruns give the same ones.
        rng = np.random.default_rng([self._seed, self._epoch])
        self._epoch += 1
        for _ in range(self.batches_per_epoch):
            people = rng.choice(len(self._groups), size=self.people_per_batch, replace=False)
            batch: list[int] = []
            for person in people:
                batch.extend(self._draw(self._groups[person], rng))
            yield batch

    def _draw(self, group: np.ndarray, rng: np.random.Generator) -> list[int]:
        k = self.samples_per_person
        if len(group) >= k:
            return rng.choice(group, size=k, replace=False).tolist()
        topped_up = np.concatenate([group, rng.choice(group, size=k - len(group), replace=True)])
        return rng.permutation(topped_up).tolist()
