"""FaceFineTuner: semi-hard triplet fine-tuning of the last blocks of InceptionResnetV1 (160 px
face crops) or of SFace's torch twin (112 px five-point aligned faces)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
import copy
import math
import time

import numpy as np
import torch
from torch import nn

from attendance_app.domain.errors import TrainingError
from attendance_app.training.class_balanced_sampler import ClassBalancedSampler
from attendance_app.training.evaluation import one_shot_rank1
from attendance_app.training.fine_tune_config import FineTuneConfig
from attendance_app.training.inception_tail import InceptionTail
from attendance_app.training.person_split import split_people
from attendance_app.training.semi_hard_triplets import SemiHardTripletLoss
from attendance_app.training.sface_tail import SFaceTail
from attendance_app.training.training_progress import (
    EpochRecord, FineTuneResult, ProgressCallback, TrainingProgress,
)
from attendance_app.training.trunk_feature_cache import TrunkFeatureCache
from attendance_app.vision.weights.sface_torch import SFaceNet


class _Cancelled(Exception):
    pass


class FaceFineTuner:
    """Fine-tune a deep copy of an InceptionResnetV1 or an SFaceNet (the caller's model is never
    modified; the config's `trainable_blocks` must name blocks of that network).

    `fit(model, samples, on_progress=None) -> FineTuneResult`. `samples`: (person_key, crop) with
    crop (160, 160, 3) uint8 RGB for InceptionResnetV1, (112, 112, 3) aligned faces for SFace. People with fewer than 2 crops are excluded (named in
    `excluded_people`); the rest are split by person into train and validation (FineTuneConfig).
    The frozen trunk runs once per cached view (image, flip, jittered copies); each step draws a
    ClassBalancedSampler batch, picks a random cached view per image, runs the tail and takes
    the SemiHardTripletLoss; batches without semi-hard triplets are skipped and counted. After
    each epoch the validation loss (mean triplet hinge over all validation triplets) decides
    early stopping, and the best epoch's weights (possibly epoch 0 = unchanged) are returned.
    `on_progress` returning False cancels: the result then has cancelled=True and no state dict.
    Raises TrainingError with the reason when fewer than 2 people with 2+ crops remain, a crop
    is malformed, or the loss becomes NaN.
    """

    def __init__(self, config: FineTuneConfig | None = None) -> None:
        self.config = config or FineTuneConfig()

    def fit(
        self,
        model: nn.Module,
        samples: Sequence[tuple[Hashable, np.ndarray]],
        on_progress: ProgressCallback | None = None,
    ) -> FineTuneResult:
        started = time.perf_counter()
        cfg = self.config
        torch.manual_seed(cfg.seed)
        keys, crops, excluded = _eligible(samples)
        split = split_people(keys, cfg.seed, val_fraction=cfg.val_fraction)
        notes = [f"excluded {p!r}: fewer than 2 crops" for p in excluded]
        val_people = split.val if len(split.val) >= cfg.min_val_people else []
        if not val_people:
            notes.append("no validation people: early stopping off, all epochs run")
        train_people = [p for p in split.train + split.val if p not in set(val_people)]
        if len(train_people) < 2:
            raise TrainingError(f"fine-tuning needs 2 or more training people with 2+ crops; got {len(train_people)}")

        tail = _make_tail(model, cfg.trainable_blocks)
        try:
            return self._run(tail, keys, crops, train_people, val_people, excluded, notes, on_progress, started)
        except _Cancelled:
            return FineTuneResult(None, [], time.perf_counter() - started, 0.0, True,
                                  excluded_people=[str(p) for p in excluded], notes=notes + ["cancelled"])

    def _run(self, tail, keys, crops, train_people, val_people, excluded, notes, on_progress, started):
        cfg = self.config
        train_idx = [i for i, k in enumerate(keys) if k in set(train_people)]
        val_idx = [i for i, k in enumerate(keys) if k in set(val_people)]

        def on_images(done: int, total: int) -> bool:
            tick = TrainingProgress(0, done, total, None, 0.0, None, phase="caching")
            return on_progress is None or on_progress(tick) is not False

        train_cache = TrunkFeatureCache.build([crops[i] for i in train_idx], tail.trunk, cfg.jitter_copies, cfg.seed, on_images,
                                              to_input=tail.to_input, input_shape=tail.input_shape)
        if train_cache is None:
            raise _Cancelled
        val_feats = _val_features(tail, [crops[i] for i in val_idx]) if val_idx else None
        person_id = {p: n for n, p in enumerate(train_people)}
        labels = torch.tensor([person_id[keys[i]] for i in train_idx])
        val_labels = torch.tensor([val_people.index(keys[i]) for i in val_idx]) if val_idx else None

        sampler = ClassBalancedSampler(labels.tolist(), cfg.people_per_batch, cfg.samples_per_person, seed=cfg.seed)
        criterion = SemiHardTripletLoss(cfg.margin)
        optimiser = torch.optim.Adam(tail.trainable_parameters(), lr=cfg.learning_rate)
        view_rng = np.random.default_rng(cfg.seed)
        total_steps, step, seen = cfg.epochs * len(sampler), 0, 0
        train_started = time.perf_counter()
        cache_seconds = train_started - started

        val_loss, val_rank1 = self._validate(tail, val_feats, val_labels)
        history = [EpochRecord(0, float("nan"), 0.0, 0, val_loss, val_rank1)]
        best_epoch, best_loss, best_state = 0, val_loss, _trainable_state(tail)
        for epoch in range(1, cfg.epochs + 1):
            losses, shares, skipped = [], [], 0
            for batch in sampler:
                views = view_rng.integers(0, train_cache.num_views, size=len(batch))
                loss, stats = criterion(tail(train_cache.batch(batch, views)), labels[batch])
                step, seen = step + 1, seen + len(batch)
                shares.append(stats.active_share)
                if loss is None:
                    skipped += 1
                else:
                    if not torch.isfinite(loss):
                        raise TrainingError(f"the loss became NaN at epoch {epoch}, step {step}: training stopped")
                    optimiser.zero_grad()
                    loss.backward()
                    optimiser.step()
                    losses.append(loss.item())
                elapsed = time.perf_counter() - train_started
                eta = elapsed / step * (total_steps - step)
                tick = TrainingProgress(epoch, step, total_steps, None if loss is None else loss.item(),
                                        stats.active_share, eta)
                if on_progress is not None and on_progress(tick) is False:
                    raise _Cancelled
            val_loss, val_rank1 = self._validate(tail, val_feats, val_labels)
            history.append(EpochRecord(epoch, float(np.mean(losses)) if losses else float("nan"),
                                       float(np.mean(shares)), skipped, val_loss, val_rank1))
            if val_loss is None or val_loss < best_loss:
                best_epoch, best_loss, best_state = epoch, val_loss, _trainable_state(tail)
            elif epoch - best_epoch >= cfg.patience:
                notes.append(f"early stop after epoch {epoch}: no better validation loss since epoch {best_epoch}")
                break
        tail.model.load_state_dict(best_state, strict=False)
        seconds = time.perf_counter() - started
        return FineTuneResult(
            state_dict={k: v.detach().clone() for k, v in tail.model.state_dict().items()},
            history=history, seconds=seconds, images_per_second=seen / seconds, cancelled=False,
            best_epoch=best_epoch, train_people=[str(p) for p in train_people],
            val_people=[str(p) for p in val_people], excluded_people=[str(p) for p in excluded], notes=notes,
            cache_seconds=cache_seconds,
        )

    def _validate(self, tail: InceptionTail | SFaceTail, feats, labels) -> tuple[float | None, float | None]:
        if feats is None:
            return None, None
        with torch.no_grad():
            emb = tail(feats)
        dist = torch.cdist(emb, emb)
        same = labels[:, None] == labels[None, :]
        valid = (same & ~torch.eye(len(labels), dtype=torch.bool))[:, :, None] & (~same)[:, None, :]
        hinge = (dist[:, :, None] - dist[:, None, :] + self.config.margin).clamp_min(0)
        return float(hinge[valid].mean()), one_shot_rank1(emb.numpy(), labels.tolist())


def _eligible(samples):
    counts: dict[Hashable, int] = {}
    for key, _ in samples:
        counts[key] = counts.get(key, 0) + 1
    excluded = [k for k, n in counts.items() if n < 2]
    kept = [(k, c) for k, c in samples if counts[k] >= 2]
    if len(counts) - len(excluded) < 2:
        raise TrainingError(
            f"triplet training needs at least 2 people with 2 or more crops each; "
            f"got {len(counts) - len(excluded)} (of {len(counts)} people)"
        )
    return [k for k, _ in kept], [c for _, c in kept], excluded


def _make_tail(model: nn.Module, blocks: Sequence[str]) -> InceptionTail | SFaceTail:
    try:
        if isinstance(model, SFaceNet):
            return SFaceTail(copy.deepcopy(model).cpu(), blocks)
        return InceptionTail(copy.deepcopy(model).cpu(), blocks)
    except ValueError as exc:
        raise TrainingError(str(exc)) from exc


def _val_features(tail: InceptionTail | SFaceTail, crops: list[np.ndarray]) -> torch.Tensor:
    for i, crop in enumerate(crops):
        if crop.shape != tail.input_shape or crop.dtype != np.uint8:
            raise TrainingError(f"validation crop {i} is {crop.shape} {crop.dtype}, expected "
                                f"{'x'.join(map(str, tail.input_shape))} uint8")
    # In batches: SFace's early maps are 64x112x112 per face.
    return torch.cat([tail.trunk(tail.to_input(np.stack(crops[i:i + 16])))
                      for i in range(0, len(crops), 16)])


def _trainable_state(tail: InceptionTail | SFaceTail) -> dict[str, torch.Tensor]:
    # Frozen parameters never change, so only trainable ones (and their modules' buffers) matter.
    names = {n for n, p in tail.model.named_parameters() if p.requires_grad}
    return {k: v.detach().clone() for k, v in tail.model.state_dict().items() if k in names}
