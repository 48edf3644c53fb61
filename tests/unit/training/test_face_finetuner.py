"""FaceFineTuner on random crops with a miniature stand-in for InceptionResnetV1 (fast, no data).

The stand-in has InceptionResnetV1's child names and forward order but tiny layers, so the
fine-tuner's wiring (caching, freezing, cancel, errors) is checked in seconds; the real network
is exercised by test_tail_after_trunk_equals_the_full_model and the integration test."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from facenet_pytorch import InceptionResnetV1

from attendance_app.domain.errors import TrainingError
from attendance_app.training import face_finetuner
from attendance_app.training.face_finetuner import FaceFineTuner
from attendance_app.training.fine_tune_config import FineTuneConfig
from attendance_app.training.inception_tail import FORWARD_ORDER, InceptionTail
from attendance_app.vision.face_embedder import standardise_crops

FAST = FineTuneConfig(epochs=2, people_per_batch=3, samples_per_person=2, jitter_copies=1,
                      trainable_blocks=("last_linear", "last_bn"), learning_rate=1e-2, margin=0.5)


class MiniInception(nn.Module):
    """InceptionResnetV1's child names; conv2d_1a, repeat_3 and the bottleneck do real work."""

    def __init__(self) -> None:
        super().__init__()
        for name in FORWARD_ORDER:
            setattr(self, name, nn.Identity())
        self.conv2d_1a = nn.Sequential(nn.Conv2d(3, 8, 8, stride=8, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.repeat_3 = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.avgpool_1a = nn.AdaptiveAvgPool2d(4)
        self.last_linear = nn.Linear(128, 16, bias=False)
        self.last_bn = nn.BatchNorm1d(16, eps=0.001)


@pytest.fixture(scope="module")
def model() -> MiniInception:
    torch.manual_seed(0)
    return MiniInception().eval()


def _samples(people: int, per_person: int, seed: int = 0) -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    bases = rng.integers(0, 256, (people, 160, 160, 3))
    return [
        (f"p{p}", np.clip(bases[p] + rng.integers(-40, 40, (160, 160, 3)), 0, 255).astype(np.uint8))
        for p in range(people) for _ in range(per_person)
    ]


def test_tail_after_trunk_equals_the_full_model() -> None:
    torch.manual_seed(0)
    net = InceptionResnetV1(classify=False).eval()
    x = standardise_crops(np.stack([c for _, c in _samples(1, 1)]))
    with torch.no_grad():
        expected = net(x)
        tail = InceptionTail(net, ("repeat_3", "block8", "last_linear", "last_bn"))
        assert tail.trunk(x).shape == (1, 1792, 3, 3)
        assert torch.allclose(tail(tail.trunk(x)), expected, atol=1e-6)


def test_only_trainable_blocks_change_and_the_callers_model_is_untouched(model) -> None:
    original = {k: v.clone() for k, v in model.state_dict().items()}
    modes = []

    def watch(progress) -> bool:
        modes.append(progress.phase)
        return True

    result = FaceFineTuner(FAST).fit(model, _samples(4, 3), on_progress=watch)
    assert not result.cancelled and result.state_dict is not None
    for key, value in model.state_dict().items():
        assert torch.equal(value, original[key]), key
    changed = {k for k, v in result.state_dict.items() if not torch.equal(v, original[k])}
    assert changed and all(k.startswith(("last_linear.", "last_bn.")) for k in changed)
    # BN statistics stay frozen even in the trainable last_bn.
    assert torch.equal(result.state_dict["last_bn.running_mean"], original["last_bn.running_mean"])
    assert "caching" in modes and "training" in modes
    assert [r.epoch for r in result.history] == [0, 1, 2]
    assert result.images_per_second > 0
    MiniInception().load_state_dict(result.state_dict, strict=True)


def test_returning_false_from_progress_cancels_without_a_state_dict(model) -> None:
    calls = []

    def cancel_at_first_step(progress) -> bool:
        calls.append(progress)
        return progress.phase != "training"

    result = FaceFineTuner(FAST).fit(model, _samples(3, 3), on_progress=cancel_at_first_step)
    assert result.cancelled and result.state_dict is None
    assert calls[-1].phase == "training" and calls[-1].step == 1


def test_people_with_one_crop_are_excluded_and_named(model) -> None:
    samples = _samples(3, 2) + [("alone", _samples(1, 1, seed=3)[0][1])]
    result = FaceFineTuner(FineTuneConfig(**{**FAST.__dict__, "epochs": 1})).fit(model, samples)
    assert result.excluded_people == ["alone"]
    assert "alone" not in result.train_people and any("alone" in n for n in result.notes)


@pytest.mark.parametrize(
    "samples", [_samples(1, 5), _samples(3, 1), _samples(1, 4) + _samples(1, 1, seed=2)[:1]]
)
def test_fewer_than_two_people_with_two_crops_is_refused_with_the_reason(model, samples) -> None:
    with pytest.raises(TrainingError, match="at least 2 people"):
        FaceFineTuner(FAST).fit(model, samples)


def test_a_nan_loss_stops_training_with_an_error(model, monkeypatch) -> None:
    class NanLoss(face_finetuner.SemiHardTripletLoss):
        def __call__(self, embeddings, labels):
            loss, stats = super().__call__(embeddings, labels)
            return embeddings.sum() * float("nan"), stats

    monkeypatch.setattr(face_finetuner, "SemiHardTripletLoss", NanLoss)
    with pytest.raises(TrainingError, match="NaN"):
        FaceFineTuner(FAST).fit(model, _samples(3, 3))


def test_a_malformed_crop_is_refused(model) -> None:
    samples = _samples(2, 2) + [("p0", np.zeros((100, 100, 3), np.uint8))]
    with pytest.raises(TrainingError, match="160x160x3"):
        FaceFineTuner(FAST).fit(model, samples)
