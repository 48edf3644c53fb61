"""Match: the decision for one face against the gallery (a person, or Unknown)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """A person and their score (cosine similarity in [-1, 1]) for one query face."""

    person_id: int
    similarity: float


@dataclass(frozen=True)
class Match:
    """Best candidate, runner-up, and whether the best one clears threshold and margin.

    `best` is None only when the gallery is empty. `is_known` is False for Unknown.
    """

    best: Candidate | None
    runner_up: Candidate | None
    is_known: bool

    @property
    def person_id(self) -> int | None:
        return self.best.person_id if (self.best and self.is_known) else None

    @property
    def similarity(self) -> float:
        return self.best.similarity if self.best else 0.0

    @property
    def percent(self) -> float:
        """Similarity shown to users: cosine similarity as a percentage, clipped at 0."""
        return max(0.0, self.similarity) * 100.0
