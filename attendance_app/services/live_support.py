"""Live-view support for the window: frame sources, the camera list and the similarity
distribution of the enrolled faces, behind the services layer so gui/ needs no vision/storage.

The distribution is sampled (at most MAX_PAIRS pairs of each kind) and has a variant on its own
connection (`similarity_distribution_at`) so the window computes it in its task runner, not on
the GUI thread: it grows with the gallery and runs after every enrolment or deletion."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from attendance_app.storage.biometric_columns import is_locked
from attendance_app.storage.database import open_database
from attendance_app.storage.model_repository import ModelRepository
from attendance_app.storage.template_repository import TemplateRepository
from attendance_app.vision.camera_discovery import list_cameras
from attendance_app.vision.frame_source import FrameSource, open_source


def open_frame_source(spec: str, loop: bool = False) -> FrameSource:
    """'0' -> camera 0, a video file, an image folder or a stream URL (not opened yet)."""
    return open_source(spec, loop=loop)


def available_cameras(max_index: int = 5) -> list[int]:
    """Indices of the cameras that open now (quick probe)."""
    return list(list_cameras(max_index))


# At most this many pairs of each kind go into the threshold histogram: enough for a smooth
# picture (the bins are 0.02 wide), and bounded work and memory whatever the gallery size (all
# pairs of the README's 100,000 templates would be a 40 GB matrix).
MAX_PAIRS = 200_000
_CHUNK = 20_000  # pairs whose dot products are taken at once (2 x 40 MB of float32 rows)


def similarity_distribution(db, max_pairs: int = MAX_PAIRS) -> tuple[np.ndarray, np.ndarray]:
    """Cosine similarities between the active model's templates: (same person, different
    people), for the threshold histogram; at most `max_pairs` of each, sampled with a fixed seed
    when there are more. Empty arrays when fewer than two templates exist. Reads the database:
    call it on the thread that owns `db` (or use `similarity_distribution_at`)."""
    model = ModelRepository(db).active()
    if model is None:
        return np.zeros(0), np.zeros(0)
    vectors, ids = TemplateRepository(db).load_gallery(model.id)
    return pair_similarities(vectors, ids, max_pairs)


def similarity_distribution_at(db_path: Path | str,
                               max_pairs: int = MAX_PAIRS) -> tuple[np.ndarray, np.ndarray]:
    """`similarity_distribution` on a connection of its own: for the task runner's threads.
    Empty arrays while the templates are encrypted and locked."""
    with open_database(db_path, check=False) as db:
        if is_locked(db):
            return np.zeros(0, np.float32), np.zeros(0, np.float32)
        return similarity_distribution(db, max_pairs)


def pair_similarities(vectors: np.ndarray, ids: np.ndarray,
                      max_pairs: int = MAX_PAIRS, seed: int = 0
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(same-person, different-people) cosine similarities of unit vectors (M, D) with person
    ids (M,). Every pair when there are at most `max_pairs`; otherwise `max_pairs` random pairs
    of each kind (with replacement), so memory and time grow with `max_pairs`, not M^2."""
    n = len(ids)
    if n < 2:
        return np.zeros(0, np.float32), np.zeros(0, np.float32)
    if n * (n - 1) // 2 <= max_pairs:
        # small (n <= ~630): the full matrix is at most a few MB
        upper = np.triu_indices(n, k=1)
        sims = (vectors @ vectors.T)[upper]
        same = ids[upper[0]] == ids[upper[1]]
        return sims[same], sims[~same]
    rng = np.random.default_rng(seed)
    first, second = rng.integers(0, n, max_pairs), rng.integers(0, n, max_pairs)
    differ = ids[first] != ids[second]
    different = _dots(vectors, first[differ], second[differ])
    a, b = _same_person_pairs(ids, max_pairs, rng)
    return _dots(vectors, a, b), different


def _same_person_pairs(ids: np.ndarray, count: int, rng: np.random.Generator
                       ) -> tuple[np.ndarray, np.ndarray]:
    """`count` random (a, b) index pairs, a != b, of templates of the same person."""
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
    sizes = np.diff(np.r_[starts, len(ids)])
    group_of = np.repeat(np.arange(len(starts)), sizes)
    eligible = np.flatnonzero(sizes[group_of] >= 2)  # positions whose person has 2+ templates
    if len(eligible) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    pos = eligible[rng.integers(0, len(eligible), count)]
    group = group_of[pos]
    start, size = starts[group], sizes[group]
    other = start + (pos - start + rng.integers(1, size)) % size  # never pos itself
    return order[pos], order[other]


def _dots(vectors: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.empty(len(a), np.float32)
    for k in range(0, len(a), _CHUNK):
        out[k:k + _CHUNK] = np.einsum("ij,ij->i", vectors[a[k:k + _CHUNK]],
                                      vectors[b[k:k + _CHUNK]])
    return out
