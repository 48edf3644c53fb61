"""Gallery: the enrolled templates held in memory, matched by cosine similarity.

Templates (several per person) are unit vectors stored as one contiguous matrix with rows sorted
by person, so a query is one matrix-vector product (cosine = dot product of unit vectors) plus
a per-person reduction (`np.maximum.reduceat` for 'best', a padded top-k for 'top_k_mean').
The matrix is float32 (numpy BLAS) or, to halve the memory read per query on big galleries,
float16 / bfloat16 (torch kernels).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch

from attendance_app.domain.match import Candidate, Match

Strategy = Literal["best", "top_k_mean"]
Storage = Literal["float32", "float16", "bfloat16"]
EMBEDDING_DIM = 512
_TORCH_DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16}


class Gallery:
    """Immutable set of templates: embeddings (M, D) with one person id per row.

    strategy 'best': a person's score is their best template's cosine similarity;
    'top_k_mean': the mean of their top_k best (all of them when they have fewer).
    Build with Gallery.from_arrays or Gallery.empty().
    """

    def __init__(self, embeddings: np.ndarray, person_ids: np.ndarray,
                 strategy: Strategy = "best", top_k: int = 2,
                 storage: Storage = "float32") -> None:
        embeddings = np.asarray(embeddings, dtype=np.float32)
        person_ids = np.asarray(person_ids, dtype=np.int64).reshape(-1)
        if embeddings.ndim != 2 or embeddings.shape[0] != person_ids.shape[0]:
            raise ValueError(f"embeddings {embeddings.shape} and person_ids "
                             f"{person_ids.shape} do not line up")
        if strategy not in ("best", "top_k_mean"):
            raise ValueError(f"unknown strategy {strategy!r}")
        if top_k < 1:
            raise ValueError("top_k must be >= 1")
        if storage not in ("float32", "float16", "bfloat16"):
            raise ValueError(f"unknown storage {storage!r}")
        self.strategy: Strategy = strategy
        self.top_k = top_k
        self.storage: Storage = storage
        order = np.argsort(person_ids, kind="stable")
        sorted_ids = person_ids[order]
        unit = _normalise(embeddings[order])
        self._dim = embeddings.shape[1]
        self._matrix = np.ascontiguousarray(unit)
        self._torch_matrix = (torch.from_numpy(self._matrix).to(_TORCH_DTYPES[storage])
                              if storage in _TORCH_DTYPES else None)
        if storage in _TORCH_DTYPES:
            self._matrix = np.empty((0, self._dim), np.float32)  # keep only the compact copy
        self._people, self._starts, self._counts = (
            np.unique(sorted_ids, return_index=True, return_counts=True))
        self._n_templates = len(sorted_ids)
        self._pad_index = self._padded_index() if strategy == "top_k_mean" else None

    @classmethod
    def from_arrays(cls, embeddings: np.ndarray, person_ids: np.ndarray,
                    **options: object) -> "Gallery":
        """Gallery of embeddings (M, D) float32 and person_ids (M,) int64 (options: strategy,
        top_k, storage). Rows need not be normalised or grouped."""
        return cls(embeddings, person_ids, **options)  # type: ignore[arg-type]

    @classmethod
    def empty(cls, dim: int = EMBEDDING_DIM, **options: object) -> "Gallery":
        return cls(np.zeros((0, dim), np.float32), np.zeros(0, np.int64),
                   **options)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return self._n_templates

    @property
    def person_ids(self) -> np.ndarray:
        """Sorted ids of the people in the gallery, (P,) int64."""
        return self._people.copy()

    def person_scores(self, query: np.ndarray) -> dict[int, float]:
        """Score of every person for one query (D,): {person_id: cosine similarity}."""
        scores = self._score_matrix(np.asarray(query, np.float32).reshape(1, -1))[0]
        return {int(p): float(s) for p, s in zip(self._people, scores)}

    def match(self, query: np.ndarray, threshold: float, margin: float = 0.0) -> Match:
        """Best person and runner-up (best other person) for one query (D,).

        is_known iff best >= threshold and best - runner_up >= margin (a lone person has no
        runner-up and only needs the threshold). An empty gallery gives Match(None, None, False).
        """
        return self.match_many(np.asarray(query, np.float32).reshape(1, -1),
                               threshold, margin)[0]

    def match_many(self, queries: np.ndarray, threshold: float,
                   margin: float = 0.0) -> list[Match]:
        """match() for a batch of queries (Q, D), in one matrix product."""
        queries = np.asarray(queries, np.float32)
        if queries.ndim != 2 or queries.shape[1] != self._dim:
            raise ValueError(f"queries must be (Q, {self._dim}), got {queries.shape}")
        if len(self._people) == 0:
            return [Match(None, None, False) for _ in range(len(queries))]
        scores = self._score_matrix(queries)
        return [self._decide(row, threshold, margin) for row in scores]

    def top_candidates(self, query: np.ndarray, n: int) -> list[Candidate]:
        """The n best people for one query, best first (for rank-n figures and UIs)."""
        scores = self._score_matrix(np.asarray(query, np.float32).reshape(1, -1))[0]
        order = np.argsort(-scores, kind="stable")[:n]
        return [Candidate(int(self._people[i]), float(scores[i])) for i in order]

    def _decide(self, row: np.ndarray, threshold: float, margin: float) -> Match:
        if len(row) == 1:
            best = Candidate(int(self._people[0]), float(row[0]))
            return Match(best, None, best.similarity >= threshold)
        top2 = np.argpartition(-row, 1)[:2]
        i, j = (top2[0], top2[1]) if row[top2[0]] >= row[top2[1]] else (top2[1], top2[0])
        best = Candidate(int(self._people[i]), float(row[i]))
        runner = Candidate(int(self._people[j]), float(row[j]))
        known = best.similarity >= threshold and best.similarity - runner.similarity >= margin
        return Match(best, runner, bool(known))

    def _score_matrix(self, queries: np.ndarray) -> np.ndarray:
        """Per-person scores (Q, P) for unit-normalised queries (Q, D)."""
        template_scores = self._template_scores(_normalise(queries))
        if self._n_templates == 0:
            return np.zeros((len(queries), 0), np.float32)
        if self.strategy == "best":
            if len(self._people) == self._n_templates:
                return template_scores  # one template each: nothing to reduce
            return np.maximum.reduceat(template_scores, self._starts, axis=1)
        return self._top_k_mean(template_scores)

    def _template_scores(self, unit_queries: np.ndarray) -> np.ndarray:
        if self._torch_matrix is None:
            # (Q, D) x (D, M): BLAS sgemv/sgemm over the contiguous float32 matrix.
            scores: np.ndarray = unit_queries @ self._matrix.T
            return scores
        q = torch.from_numpy(unit_queries).to(self._torch_matrix.dtype)
        with torch.inference_mode():
            out = (self._torch_matrix @ q.T).T if len(q) > 1 else (self._torch_matrix @ q[0])[None]
        as_numpy: np.ndarray = out.float().numpy()
        return as_numpy

    def _padded_index(self) -> np.ndarray:
        """(P, min(Tmax, k)) -> indices into template scores; padding points at a -inf slot.
        Rows longer than k still need every index, so width is Tmax."""
        width = int(self._counts.max()) if len(self._counts) else 0
        index = np.full((len(self._people), width), self._n_templates, np.int64)
        cols = np.arange(width)
        mask = cols[None, :] < self._counts[:, None]
        index[mask] = (self._starts[:, None] + cols[None, :])[mask]
        return index

    def _top_k_mean(self, template_scores: np.ndarray) -> np.ndarray:
        assert self._pad_index is not None
        padded = np.concatenate(
            [template_scores, np.full((len(template_scores), 1), -np.inf, np.float32)], axis=1)
        grouped = padded[:, self._pad_index]  # (Q, P, Tmax)
        k = min(self.top_k, grouped.shape[2])
        if k < grouped.shape[2]:
            grouped = -np.partition(-grouped, k - 1, axis=2)[:, :, :k]
        finite = np.isfinite(grouped)
        total = np.where(finite, grouped, 0.0).sum(axis=2)
        means: np.ndarray = (total / np.minimum(self._counts, k)[None, :]).astype(np.float32)
        return means


def _normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    unit: np.ndarray = (x / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
    return unit
