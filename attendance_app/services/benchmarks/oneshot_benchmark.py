"""One-shot identification benchmark: enrol the first image(s) of each identity, identify the
rest; closed-set rank-1 plus open-set figures with held-out identities as strangers.

Protocol (issue 2): identities with 2+ images; the first `enroll_per_id` images in natural file
order are enrolled, the rest are probes. rank1 uses a gallery of every identity; a probe without
a detected face counts as wrong. Open set: every `holdout_every`-th identity (the 5th, 10th, ...)
is removed from the gallery and all its images become stranger probes. The strangers are split
in two (alternate identities; alternate images when there is only one stranger identity): the
threshold is the lowest cosine similarity that lets at most 1% of the *calibration* strangers
through, and it is judged on the *test* strangers: dir_at_far_1pct is the share of enrolled
identities' probes identified correctly at or above it, far_test the share of test strangers it
accepts. With n stranger probes, "FAR 1%" means floor(n / 100) accepted (0 below 100 probes), so
the probe counts are reported. dir/far_at_app_threshold are the same figures for the app's own
decision (configured threshold and runner-up margin, `Gallery.match(...).is_known`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attendance_app.services.dataset_folder import list_identities
from attendance_app.services.benchmarks.face_source import (Detector, Embedder, Progress,
                                                            embed_images)
from attendance_app.vision.gallery import Gallery


@dataclass(frozen=True)
class EmbeddedDataset:
    """Per identity, the embedding (or None: no face) of each of its images, in file order."""

    names: tuple[str, ...]
    embeddings: tuple[tuple[np.ndarray | None, ...], ...]
    no_face: int
    seconds_per_image: float


def embed_dataset(dataset_dir: str | Path, embedder: Embedder, detector: Detector | None,
                  crops: bool = False, max_per_id: int | None = None, min_images: int = 2,
                  progress: Progress | None = None) -> EmbeddedDataset:
    """Load, detect (largest face) or resize, and embed every image of every identity with
    min_images+ images. The slow part of the benchmark, separated so ablations reuse it."""
    identities = list_identities(dataset_dir, max_per_id=max_per_id, min_images=min_images)
    paths = [p for ident in identities for p in ident.images]
    started = time.perf_counter()
    flat, no_face = embed_images(paths, detector, embedder, crops=crops, progress=progress)
    elapsed = time.perf_counter() - started
    grouped, i = [], 0
    for ident in identities:
        grouped.append(tuple(flat[i:i + len(ident.images)]))
        i += len(ident.images)
    return EmbeddedDataset(tuple(ident.name for ident in identities), tuple(grouped), no_face,
                           elapsed / max(1, len(paths)))


def split_strangers(data: EmbeddedDataset, strangers: list[int]
                    ) -> tuple[list[np.ndarray | None], list[np.ndarray | None], str]:
    """(calibration probes, test probes, 'identity' | 'image'): alternate stranger identities,
    or alternate images of the only stranger identity. No image is in both lists."""
    if len(strangers) >= 2:
        return ([p for i in strangers[0::2] for p in data.embeddings[i]],
                [p for i in strangers[1::2] for p in data.embeddings[i]], "identity")
    images = [p for i in strangers for p in data.embeddings[i]]
    return images[0::2], images[1::2], "image"


def score_oneshot(data: EmbeddedDataset, enroll_per_id: int = 1, holdout_every: int = 5,
                  far: float = 0.01, strategy: str = "best", top_k: int = 2,
                  app_threshold: float = 0.55, app_margin: float = 0.05) -> dict:
    """The benchmark's figures from embedded data (see the module docstring for the protocol).
    Identities need more than enroll_per_id images to take part. app_threshold / app_margin:
    the app's configured decision (Settings.match_threshold / runner_up_margin)."""
    ids = [i for i, embs in enumerate(data.embeddings) if len(embs) > enroll_per_id]
    strangers = [i for rank, i in enumerate(ids) if (rank + 1) % holdout_every == 0]

    def gallery_of(members: list[int]) -> Gallery:
        rows = [(e, i) for i in members for e in data.embeddings[i][:enroll_per_id]
                if e is not None]
        if not rows:
            return Gallery.empty(strategy=strategy, top_k=top_k)  # type: ignore[arg-type]
        return Gallery.from_arrays(np.stack([r[0] for r in rows]),
                                   np.array([r[1] for r in rows]), strategy=strategy,
                                   top_k=top_k)

    def best_of(gallery: Gallery, probe: np.ndarray | None) -> tuple[int | None, float]:
        if probe is None:
            return None, -np.inf
        m = gallery.match(probe, threshold=-2.0)
        return (m.best.person_id, m.best.similarity) if m.best else (None, -np.inf)

    closed = gallery_of(ids)
    hits = [best_of(closed, p)[0] == i for i in ids for p in data.embeddings[i][enroll_per_id:]]

    open_gallery = gallery_of([i for i in ids if i not in strangers])
    calibration, test, split = split_strangers(data, strangers)

    def scores(probes: list[np.ndarray | None]) -> np.ndarray:
        return np.array([best_of(open_gallery, p)[1] for p in probes], dtype=np.float64)

    known_probes = [(p, i) for i in ids if i not in strangers
                    for p in data.embeddings[i][enroll_per_id:]]
    known = [(best_of(open_gallery, p), i) for p, i in known_probes]
    threshold = threshold_at_far(scores(calibration), far)
    test_scores = scores(test)
    dir_hits = [pid == i and score >= threshold for (pid, score), i in known]

    def app_accepts(probe: np.ndarray | None) -> int | None:
        if probe is None:
            return None
        m = open_gallery.match(probe, threshold=app_threshold, margin=app_margin)
        return m.best.person_id if m.is_known and m.best else None

    app_dir = [app_accepts(p) == i for p, i in known_probes]
    app_far = [app_accepts(p) is not None for p in calibration + test]
    return {
        "rank1": float(np.mean(hits)) if hits else 0.0,
        "no_face": data.no_face,
        "n_ids": len(ids),
        "n_probes": len(hits),
        "dir_at_far_1pct": float(np.mean(dir_hits)) if dir_hits else 0.0,
        "threshold": float(threshold),
        "far_test": float(np.mean(test_scores >= threshold)) if len(test_scores) else None,
        "stranger_split": split,
        "n_stranger_ids": len(strangers),
        "n_stranger_probes_calibration": len(calibration),
        "n_stranger_probes_test": len(test),
        "app_threshold": app_threshold,
        "app_margin": app_margin,
        "dir_at_app_threshold": float(np.mean(app_dir)) if app_dir else 0.0,
        "far_at_app_threshold": float(np.mean(app_far)) if app_far else None,
        "seconds_per_image": data.seconds_per_image,
    }


def threshold_at_far(impostor_scores: np.ndarray, far: float) -> float:
    """Lowest threshold t such that at most floor(far * n) impostor scores are >= t
    (a probe is accepted when score >= t); -1 when there are no impostor scores."""
    finite = np.sort(impostor_scores[np.isfinite(impostor_scores)])[::-1]
    if len(finite) == 0:
        return -1.0
    allowed = int(np.floor(far * len(finite)))
    if allowed >= len(finite):
        return float(finite[-1])
    return float(np.nextafter(finite[allowed], np.inf))


def run_oneshot_benchmark(dataset_dir: str | Path, embedder: Embedder,
                          detector: Detector | None = None, crops: bool = False,
                          max_per_id: int | None = None, enroll_per_id: int = 1,
                          strategy: str = "best", progress: Progress | None = None,
                          app_threshold: float = 0.55, app_margin: float = 0.05) -> dict:
    """One-shot benchmark on `<dataset_dir>/<identity>/<image>`; returns the issue-2 keys
    rank1, no_face, n_ids, n_probes, dir_at_far_1pct, threshold, seconds_per_image, plus the
    open-set split figures (far_test, stranger probe counts, dir/far_at_app_threshold).
    detector defaults to MtcnnFaceDetector() unless crops=True (images are face crops).
    Raises FileNotFoundError when dataset_dir is missing."""
    if detector is None and not crops:
        from attendance_app.vision.face_detector import MtcnnFaceDetector
        detector = MtcnnFaceDetector()
    data = embed_dataset(dataset_dir, embedder, detector, crops=crops, max_per_id=max_per_id,
                         min_images=enroll_per_id + 1, progress=progress)
    return score_oneshot(data, enroll_per_id=enroll_per_id, strategy=strategy,
                         app_threshold=app_threshold, app_margin=app_margin)
