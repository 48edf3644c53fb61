"""A short real fine-tune: converted FaceNet weights, AT&T faces, end to end (skips without data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from facenet_pytorch import InceptionResnetV1

from attendance_app.training.evaluation import compare_models
from attendance_app.training.face_finetuner import FaceFineTuner
from attendance_app.training.fine_tune_config import FineTuneConfig
from attendance_app.vision.face_detector import resize_as_crop
from attendance_app.vision.face_embedder import FaceEmbedder
from attendance_app.vision.image_io import load_image_rgb

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TRAINABLE = ("repeat_3", "block8", "last_linear", "last_bn")


def _att_crops(root: Path, people: list[str], per_person: int) -> dict[str, list[np.ndarray]]:
    # AT&T images are tight grey faces: a plain resize to 160x160 RGB is the crop (no MTCNN).
    return {
        p: [resize_as_crop(load_image_rgb(root / p / f"{i}.pgm")) for i in range(1, per_person + 1)]
        for p in people
    }


def test_short_finetune_on_att_people_yields_a_loadable_model_and_before_after_metrics(
    dataset, pretrained_embedder
) -> None:
    root = dataset("att_faces")
    train = _att_crops(root, ["s1", "s2", "s3", "s4"], 4)
    held_out = _att_crops(root, ["s5", "s6", "s7"], 3)
    original = pretrained_embedder.model
    before = {k: v.clone() for k, v in original.state_dict().items()}
    config = FineTuneConfig(epochs=1, people_per_batch=4, samples_per_person=4, jitter_copies=0,
                            trainable_blocks=TRAINABLE, learning_rate=1e-4)

    torch.manual_seed(0)
    result = FaceFineTuner(config).fit(original, [(p, c) for p, cs in train.items() for c in cs])

    assert not result.cancelled and result.state_dict is not None
    assert result.history[-1].epoch == 1 and result.images_per_second > 0
    candidate = InceptionResnetV1(classify=False)
    candidate.load_state_dict(result.state_dict, strict=True)
    candidate.eval()
    changed = set()
    for key, value in result.state_dict.items():
        trainable = key.split(".")[0] in TRAINABLE and "running_" not in key and "num_batches" not in key
        if not trainable:
            assert torch.equal(value, before[key]), f"frozen {key} changed"
        elif not torch.equal(value, before[key]):
            changed.add(key.split(".")[0])
        assert torch.equal(original.state_dict()[key], before[key]), f"the caller's model changed at {key}"
    assert changed, "no trainable block moved in one epoch"

    metrics = compare_models(pretrained_embedder.embed, FaceEmbedder(candidate, "candidate").embed, held_out)
    for side in ("before", "after"):
        assert {"rank1", "tar_at_far_1pct", "threshold"} <= set(metrics[side])
        assert 0.0 <= metrics[side]["rank1"] <= 1.0 and -1.0 <= metrics[side]["threshold"] <= 1.0
    # Pretrained FaceNet on clean AT&T faces: one-shot identification among 3 people is easy.
    assert metrics["before"]["rank1"] >= 0.8
