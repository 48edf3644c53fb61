"""Choosing the digits readout without looking at 8 and 9: a validation split of the seen digits.

The reported benchmark (digits_benchmark) trains on 0-7 and measures 8/9. Any choice made by its
8/9 scores would tune on the digits it claims never to have seen. Here 8 and 9 are dropped
entirely; two of 0-7 (`pseudo_unseen`, default 6 and 7) play the unseen digits: the network trains
on the other six (750 images each), and the same template protocol (20 random draws, templates
and probes from held-out images only) scores both readouts of the one trained model:
"features" (normalised pre-projection features, the shipped readout) and "projection"
(normalised projection output). `chosen_readout` is the one with the better pseudo-unseen 2-way
1-shot accuracy (ties: 8-way 1-shot). Returns, per readout, seen_8way_1shot,
pseudo_unseen_8way_1shot, pseudo_unseen_8way_5shot and pseudo_unseen_2way_1shot.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from attendance_app.services.benchmarks.digits_benchmark import (TRAIN_PER_SEEN_DIGIT,
                                                                 template_accuracy)
from attendance_app.training.digits_trainer import train_and_embed_digits_readouts
from attendance_app.training.mnist_idx import load_mnist_folder

VALIDATION_DIGITS = tuple(range(8))  # 8 and 9 are never read
DEFAULT_PSEUDO_UNSEEN = (6, 7)


def validation_split(labels: np.ndarray, rng: np.random.Generator,
                     pseudo_unseen: Sequence[int] = DEFAULT_PSEUDO_UNSEEN,
                     train_per_seen_digit: int = TRAIN_PER_SEEN_DIGIT
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint sorted (train, held_out) indices over digits 0-7 only: train_per_seen_digit
    images of each digit not in pseudo_unseen train; the rest of 0-7 is held out; no 8 or 9."""
    if len(set(pseudo_unseen)) != 2 or not set(pseudo_unseen) <= set(VALIDATION_DIGITS):
        raise ValueError(f"pseudo_unseen must be two distinct digits of 0-7, got {pseudo_unseen}")
    train, held = [], []
    for digit in VALIDATION_DIGITS:
        idx = rng.permutation(np.flatnonzero(labels == digit))
        cut = 0 if digit in pseudo_unseen else train_per_seen_digit
        train.append(idx[:cut])
        held.append(idx[cut:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(held))


def run_digits_validation(dataset_dir: Path | str, seed: int = 0,
                          pseudo_unseen: Sequence[int] = DEFAULT_PSEUDO_UNSEEN,
                          epochs: int = 8, train_per_seen_digit: int = TRAIN_PER_SEEN_DIGIT,
                          progress: Callable[[int, int, str], object] | None = None
                          ) -> dict[str, Any]:
    """Train on six of 0-7, score both readouts on the other two (see the module docstring)."""
    started = time.perf_counter()
    images, labels = load_mnist_folder(Path(dataset_dir))
    rng = np.random.default_rng(seed)
    pseudo = tuple(sorted(pseudo_unseen))
    seen = tuple(d for d in VALIDATION_DIGITS if d not in pseudo)
    train_idx, held_idx = validation_split(labels, rng, pseudo, train_per_seen_digit)

    def report(step: int, total: int, loss: float | None) -> None:
        if progress is not None:
            progress(step, total, "validation" if loss is None else f"loss {loss:.3f}")

    readouts = train_and_embed_digits_readouts(images, labels, train_idx, held_idx,
                                               epochs=epochs, seed=seed, progress=report)
    held = labels[held_idx]
    scores: dict[str, dict[str, float]] = {}
    for name, features in readouts.items():
        draws = np.random.default_rng(seed + 1)  # the same template draws for both readouts
        scores[name] = {
            "seen_8way_1shot": template_accuracy(features, held, seen, VALIDATION_DIGITS, 1, draws),
            "pseudo_unseen_8way_1shot": template_accuracy(features, held, pseudo,
                                                          VALIDATION_DIGITS, 1, draws),
            "pseudo_unseen_8way_5shot": template_accuracy(features, held, pseudo,
                                                          VALIDATION_DIGITS, 5, draws),
            "pseudo_unseen_2way_1shot": template_accuracy(features, held, pseudo, pseudo, 1, draws),
        }
    chosen = max(scores, key=lambda r: (scores[r]["pseudo_unseen_2way_1shot"],
                                        scores[r]["pseudo_unseen_8way_1shot"]))
    return {"pseudo_unseen": list(pseudo), "readouts": scores, "chosen_readout": chosen,
            "train_images": int(len(train_idx)), "heldout_images": int(len(held_idx)),
            "max_label_used": int(max(labels[train_idx].max(), held.max())),
            "seconds": time.perf_counter() - started}
