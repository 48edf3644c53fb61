"""LFW verification benchmark: the official 10-fold protocol on pairs.txt.

Each image in the pairs is embedded once (center-weighted face selection, the labelled person is
the central one; margin 32 as in DESIGN.md). Pair score = cosine similarity. For each fold the
accuracy threshold is chosen on the other nine folds and applied to it; `accuracy` and `std` are
the mean and standard deviation over the ten folds. `val_at_far_1e-3`: on the nine training folds
the lowest threshold with a false-accept rate <= 0.001 is found, and the share of same-person
pairs accepted at it on the test fold is averaged over folds. Images where MTCNN finds no face
fall back to a centre crop and are counted in `no_face`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attendance_app.services.benchmarks.face_source import (Detector, Embedder, Progress,
                                                            embed_images)

LFW_MARGIN = 32


@dataclass(frozen=True)
class LfwPair:
    left: Path
    right: Path
    same: bool
    fold: int


def read_pairs(dataset_dir: str | Path, pairs_file: str = "pairs.txt") -> list[LfwPair]:
    """Parse pairs.txt: a header 'folds n', then per fold n same-person lines
    'name i j' and n different-person lines 'name1 i name2 j'. Raises FileNotFoundError /
    ValueError on a missing or malformed file."""
    root = Path(dataset_dir)
    lines = (root / pairs_file).read_text().split("\n")
    folds, per_fold = (int(v) for v in lines[0].split())
    rows = [line.split() for line in lines[1:] if line.strip()]
    if len(rows) != folds * per_fold * 2:
        raise ValueError(f"{pairs_file}: expected {folds * per_fold * 2} pairs, got {len(rows)}")

    def image(name: str, index: str) -> Path:
        return root / name / f"{name}_{int(index):04d}.jpg"

    pairs = []
    for n, row in enumerate(rows):
        fold = n // (2 * per_fold)
        if len(row) == 3:
            pairs.append(LfwPair(image(row[0], row[1]), image(row[0], row[2]), True, fold))
        elif len(row) == 4:
            pairs.append(LfwPair(image(row[0], row[1]), image(row[2], row[3]), False, fold))
        else:
            raise ValueError(f"{pairs_file}: malformed line {n + 2}: {' '.join(row)}")
    return pairs


def best_accuracy_threshold(scores: np.ndarray, same: np.ndarray) -> float:
    """Threshold (accept when score >= t) maximising accuracy on (scores, same), searched over
    midpoints between consecutive distinct scores."""
    values = np.unique(scores)
    candidates = np.concatenate([[values[0] - 1e-6], (values[1:] + values[:-1]) / 2,
                                 [values[-1] + 1e-6]])
    order = np.argsort(scores)
    s, y = scores[order], same[order]
    # accepted = scores >= t; correct = positives above + negatives below.
    pos_below = np.searchsorted(s, candidates, side="left")
    cum_pos = np.concatenate([[0], np.cumsum(y)])
    cum_neg = np.concatenate([[0], np.cumsum(~y)])
    correct = (cum_pos[-1] - cum_pos[pos_below]) + cum_neg[pos_below]
    return float(candidates[int(np.argmax(correct))])


def threshold_at_far(impostor_scores: np.ndarray, far: float) -> float:
    """Lowest threshold with at most floor(far * n) impostor scores >= it."""
    s = np.sort(impostor_scores)[::-1]
    allowed = int(np.floor(far * len(s)))
    return float(np.nextafter(s[allowed], np.inf)) if allowed < len(s) else float(s[-1])


def evaluate_folds(scores: np.ndarray, same: np.ndarray, folds: np.ndarray,
                   far: float = 1e-3) -> dict:
    """10-fold accuracy (mean, std) and VAL at the given FAR, from pair scores."""
    accuracies, vals = [], []
    for fold in np.unique(folds):
        train, test = folds != fold, folds == fold
        t = best_accuracy_threshold(scores[train], same[train])
        accuracies.append(float(np.mean((scores[test] >= t) == same[test])))
        t_far = threshold_at_far(scores[train & ~same], far)
        vals.append(float(np.mean(scores[test & same] >= t_far)))
    return {"accuracy": float(np.mean(accuracies)), "std": float(np.std(accuracies)),
            "val_at_far_1e-3": float(np.mean(vals))}


def run_lfw_benchmark(dataset_dir: str | Path, embedder: Embedder,
                      detector: Detector | None = None, max_pairs: int | None = None,
                      progress: Progress | None = None) -> dict:
    """LFW on `<dataset_dir>/pairs.txt`; returns accuracy, std, val_at_far_1e-3 (the issue-2
    keys) plus n_pairs, no_face and seconds_per_image. detector defaults to
    MtcnnFaceDetector(margin=32). max_pairs keeps the first pairs of every fold (quick runs)."""
    if detector is None:
        from attendance_app.vision.face_detector import MtcnnFaceDetector
        detector = MtcnnFaceDetector(margin=LFW_MARGIN)
    pairs = read_pairs(dataset_dir)
    if max_pairs is not None:
        per_fold = max(1, max_pairs // 20)  # half same, half different per fold
        kept = []
        for fold in sorted({p.fold for p in pairs}):
            fold_pairs = [p for p in pairs if p.fold == fold]
            kept += [p for p in fold_pairs if p.same][:per_fold]
            kept += [p for p in fold_pairs if not p.same][:per_fold]
        pairs = kept
    paths = sorted({p.left for p in pairs} | {p.right for p in pairs})
    started = time.perf_counter()
    embeddings, no_face = embed_images(paths, detector, embedder, selection="central",
                                       fallback_centre=True, progress=progress)
    elapsed = time.perf_counter() - started
    vector = {path: e for path, e in zip(paths, embeddings)}
    scores = np.array([_cosine(vector[p.left], vector[p.right]) for p in pairs])
    same = np.array([p.same for p in pairs])
    folds = np.array([p.fold for p in pairs])
    result = evaluate_folds(scores, same, folds)
    result.update(n_pairs=len(pairs), no_face=no_face,
                  seconds_per_image=elapsed / max(1, len(paths)))
    return result


def _cosine(a: np.ndarray | None, b: np.ndarray | None) -> float:
    # Only unreadable files are None here (no-face images fall back to a centre crop).
    if a is None or b is None:
        return -1.0
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
