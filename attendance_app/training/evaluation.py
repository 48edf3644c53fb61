"""Held-out evaluation of an embedder: one-shot rank-1 and verification TAR at FAR 1%."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence

import numpy as np

from attendance_app.domain.errors import TrainingError

Embedder = Callable[[np.ndarray], np.ndarray]
"""crops (N, 160, 160, 3) uint8 RGB -> (N, 512) float32 L2-normalised embeddings."""


def one_shot_rank1(embeddings: np.ndarray, labels: Sequence[Hashable]) -> float:
    """Each person's first embedding is their template, every later one a probe; a probe is right
    when its most cosine-similar template is its own person's. Returns the share of right probes
    (0..1; NaN when no person has 2+ embeddings). People with one embedding act as distractors."""
    labels = list(labels)
    first: dict[Hashable, int] = {}
    for i, label in enumerate(labels):
        first.setdefault(label, i)
    template_idx = list(first.values())
    probes = [i for i in range(len(labels)) if i not in set(template_idx)]
    if not probes:
        return float("nan")
    similarity = embeddings[probes] @ embeddings[template_idx].T
    predicted = [labels[template_idx[j]] for j in similarity.argmax(axis=1)]
    return float(np.mean([p == labels[i] for p, i in zip(predicted, probes)]))


def tar_at_far(
    embeddings: np.ndarray, labels: Sequence[Hashable], far: float = 0.01
) -> tuple[float, float]:
    """Over all unordered pairs (i < j): genuine = same person, impostor = different. The
    threshold t is set half-way between the impostor score at the `far` quantile and the next
    higher one, so share(impostor >= t) <= far; TAR = share(genuine >= t). Returns (tar, threshold); TAR is
    NaN without genuine pairs. Raises TrainingError without impostor pairs."""
    ids: dict[Hashable, int] = {}
    labels_arr = np.asarray([ids.setdefault(label, len(ids)) for label in labels])
    i, j = np.triu_indices(len(labels_arr), k=1)
    scores = np.einsum("nd,nd->n", embeddings[i], embeddings[j])
    same = labels_arr[i] == labels_arr[j]
    genuine, impostor = scores[same], np.sort(scores[~same])[::-1]
    if impostor.size == 0:
        raise TrainingError("verification needs at least 2 people")
    # The (k+1)-th highest impostor score must fall below the threshold; put it half-way to the
    # next higher distinct score so that recomputing similarities (float32, another order of
    # operations) does not move a pair across it.
    cut = impostor[min(int(np.floor(far * impostor.size)), impostor.size - 1)]
    above = impostor[impostor > cut]
    threshold = float((cut + above.min()) / 2 if above.size else cut + 1e-6)
    tar = float(np.mean(genuine >= threshold)) if genuine.size else float("nan")
    return tar, threshold


def evaluate_embedder(embed: Embedder, crops_by_person: Mapping[Hashable, Sequence[np.ndarray]]) -> dict:
    """{'rank1', 'tar_at_far_1pct', 'threshold', 'people', 'images'} for `embed` on the given
    people (insertion order: the first crop of each person is the one-shot template)."""
    labels = [p for p, crops in crops_by_person.items() for _ in crops]
    crops = np.stack([c for cs in crops_by_person.values() for c in cs])
    embeddings = np.asarray(embed(crops), dtype=np.float64)
    tar, threshold = tar_at_far(embeddings, labels, 0.01)
    return {
        "rank1": one_shot_rank1(embeddings, labels),
        "tar_at_far_1pct": tar,
        "threshold": threshold,
        "people": len(crops_by_person),
        "images": len(labels),
    }


def compare_models(
    before_embed: Embedder, after_embed: Embedder, crops_by_person: Mapping[Hashable, Sequence[np.ndarray]]
) -> dict[str, dict]:
    """The same held-out people through both embedders: {'before': {...}, 'after': {...}}."""
    return {
        "before": evaluate_embedder(before_embed, crops_by_person),
        "after": evaluate_embedder(after_embed, crops_by_person),
    }
