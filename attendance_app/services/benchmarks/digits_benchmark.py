"""The one-shot demonstration on digits: train on 0-7, recognise 8 and 9 from templates alone.

Protocol (MNIST t10k, 10,000 images): per seen digit 0-7, 750 images train the embedder (6,000 in
all) and the rest (about 2,000) are held out; the unseen digits 8 and 9 are never trained on, all
their images are held out. After training, each of 20 random draws picks, from the held-out images
only, k templates per digit for all ten digits (template = normalised mean of the normalised
pre-projection features); every other held-out image of the digits in question is a probe,
classified by cosine similarity to the templates. Reported accuracies are averaged over the draws:
seen_10way_1shot (probes 0-7 vs 10 templates), unseen_10way_1shot and unseen_10way_5shot (probes
8/9 vs 10 templates), unseen_2way_1shot (probes 8/9 vs the 8 and 9 templates only).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import time

import numpy as np

from attendance_app.training.digits_trainer import train_and_embed_digits
from attendance_app.training.mnist_idx import load_mnist_folder

SEEN_DIGITS = tuple(range(8))
UNSEEN_DIGITS = (8, 9)
TRAIN_PER_SEEN_DIGIT = 750
DRAWS = 20


def run_digits_benchmark(
    dataset_dir: Path | str,
    seed: int = 0,
    progress: Callable[[int, int, str], object] | None = None,
    epochs: int = 8,
    train_per_seen_digit: int = TRAIN_PER_SEEN_DIGIT,
) -> dict[str, float]:
    """Train, then measure; returns the accuracies in [0, 1] named in the module docstring plus
    `seconds` (wall time of the whole run) and `train_images`/`heldout_images` counts.
    `progress(step, total_steps, message)` reports training steps (message: the step's loss); `epochs` and
    `train_per_seen_digit` shrink the run for quick checks. Raises ValidationError when the
    folder holds no MNIST idx files."""
    started = time.perf_counter()
    images, labels = load_mnist_folder(Path(dataset_dir))
    rng = np.random.default_rng(seed)
    train_idx, held_idx = split_digits(labels, rng, train_per_seen_digit)
    def report(step: int, total: int, loss: float | None) -> None:
        if progress is not None:
            progress(step, total, "skipped: no semi-hard triplet" if loss is None else f"loss {loss:.3f}")

    features = train_and_embed_digits(images, labels, train_idx, held_idx, epochs=epochs,
                                      seed=seed, progress=report)
    held_labels = labels[held_idx]
    result = {
        "seen_10way_1shot": template_accuracy(features, held_labels, SEEN_DIGITS, range(10), 1, rng),
        "unseen_10way_1shot": template_accuracy(features, held_labels, UNSEEN_DIGITS, range(10), 1, rng),
        "unseen_10way_5shot": template_accuracy(features, held_labels, UNSEEN_DIGITS, range(10), 5, rng),
        "unseen_2way_1shot": template_accuracy(features, held_labels, UNSEEN_DIGITS, UNSEEN_DIGITS, 1, rng),
    }
    result["train_images"] = float(len(train_idx))
    result["heldout_images"] = float(len(held_idx))
    result["seconds"] = time.perf_counter() - started
    return result


def split_digits(labels: np.ndarray, rng: np.random.Generator,
                 train_per_seen_digit: int = TRAIN_PER_SEEN_DIGIT) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint sorted index arrays (train, held_out): `train_per_seen_digit` random images of
    each seen digit train; everything else, all of 8 and 9 included, is held out."""
    train, held = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        cut = train_per_seen_digit if digit in SEEN_DIGITS else 0
        train.append(idx[:cut])
        held.append(idx[cut:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(held))


def template_accuracy(features: np.ndarray, labels: np.ndarray, probe_digits, template_digits,
              shots: int, rng: np.random.Generator) -> float:
    """Mean over DRAWS of the share of probes whose most similar template is their own digit."""
    template_digits = list(template_digits)
    scores = []
    for _ in range(DRAWS):
        templates, used = [], []
        for digit in template_digits:
            chosen = rng.choice(np.flatnonzero(labels == digit), size=shots, replace=False)
            used.extend(chosen)
            mean = features[chosen].mean(axis=0)
            templates.append(mean / np.linalg.norm(mean))
        probe_mask = np.isin(labels, probe_digits)
        probe_mask[used] = False
        similarity = features[probe_mask] @ np.stack(templates).T
        predicted = np.asarray(template_digits)[similarity.argmax(axis=1)]
        scores.append(float(np.mean(predicted == labels[probe_mask])))
    return float(np.mean(scores))
