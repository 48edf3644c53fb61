"""FaceEmbedder: shapes, unit norms, eval-mode determinism, flip averaging, input validation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from attendance_app.vision.face_embedder import FaceEmbedder


class _LinearNet(nn.Module):
    """A tiny stand-in with dropout (so train mode would be random) and normalised output."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.pool = nn.AdaptiveAvgPool2d(4)
        self.dropout = nn.Dropout(0.6)
        self.fc = nn.Linear(3 * 4 * 4, 512)
        self.seen: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append(x.clone())
        return nn.functional.normalize(self.fc(self.dropout(self.pool(x).flatten(1))), dim=1)


def _crops(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 160, 160, 3), dtype=np.uint8)


def test_a_batch_of_crops_becomes_unit_float32_rows():
    out = FaceEmbedder(_LinearNet(), "tiny").embed(_crops(5))
    assert out.shape == (5, 512) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_no_crops_give_an_empty_0_by_512_array():
    embedder = FaceEmbedder(_LinearNet(), "tiny")
    assert embedder.embed([]).shape == (0, 512)
    assert embedder.embed(np.zeros((0, 160, 160, 3), np.uint8)).shape == (0, 512)


def test_standardisation_happens_inside_as_x_minus_127_5_over_128():
    net = _LinearNet()
    crop = np.full((160, 160, 3), 255, np.uint8)
    crop[0, 0] = [0, 127, 128]
    FaceEmbedder(net, "tiny").embed_one(crop)
    x = net.seen[0]
    assert x.shape == (1, 3, 160, 160)  # NCHW, RGB channel order kept
    assert x[0, :, 0, 0].tolist() == pytest.approx([-127.5 / 128, -0.5 / 128, 0.5 / 128])
    assert x[0, :, 1, 1].tolist() == pytest.approx([127.5 / 128] * 3)


def test_the_model_runs_in_eval_mode_even_if_someone_switched_it_to_training():
    net = _LinearNet()
    embedder = FaceEmbedder(net, "tiny")
    net.train()
    crops = _crops(3)
    a, b = embedder.embed(crops), embedder.embed(crops)
    np.testing.assert_array_equal(a, b)
    assert not net.training


def test_a_list_and_an_array_and_small_batches_give_the_same_embeddings():
    crops = _crops(7)
    full = FaceEmbedder(_LinearNet(), "tiny", batch_size=32).embed(crops)
    chunked = FaceEmbedder(_LinearNet(), "tiny", batch_size=3).embed(list(crops))
    np.testing.assert_allclose(full, chunked, atol=1e-6)


def test_embed_one_equals_the_matching_row_of_embed():
    embedder = FaceEmbedder(_LinearNet(), "tiny")
    crops = _crops(3)
    np.testing.assert_allclose(embedder.embed_one(crops[1]), embedder.embed(crops)[1], atol=1e-6)


def test_flip_averaging_is_the_renormalised_mean_of_crop_and_mirror():
    crops = _crops(4)
    plain = FaceEmbedder(_LinearNet(), "tiny")
    flipped = FaceEmbedder(_LinearNet(), "tiny", flip_average=True, batch_size=3)
    a, b = plain.embed(crops), plain.embed(crops[:, :, ::-1].copy())
    expected = (a + b) / np.linalg.norm(a + b, axis=1, keepdims=True)
    np.testing.assert_allclose(flipped.embed(crops), expected, atol=1e-5)


def test_flip_averaging_makes_a_crop_and_its_mirror_embed_identically():
    crop = _crops(1)[0]
    embedder = FaceEmbedder(_LinearNet(), "tiny", flip_average=True)
    np.testing.assert_allclose(embedder.embed_one(crop), embedder.embed_one(crop[:, ::-1].copy()), atol=1e-5)


@pytest.mark.parametrize(
    "bad",
    [np.zeros((2, 160, 160), np.uint8), np.zeros((1, 120, 160, 3), np.uint8),
     np.zeros((1, 160, 160, 3), np.float32), np.zeros((160, 160, 3), np.uint8)],
)
def test_crops_of_the_wrong_shape_or_dtype_are_refused_with_the_expected_shape(bad):
    with pytest.raises(ValueError, match=r"160, 160, 3"):
        FaceEmbedder(_LinearNet(), "tiny").embed(bad)


def test_the_embedder_exposes_its_model_and_key():
    net = _LinearNet()
    embedder = FaceEmbedder(net, "facenet-x")
    assert embedder.model is net and embedder.model_key == "facenet-x"


def test_pretrained_embeddings_are_deterministic_unit_vectors(pretrained_embedder):
    crops = _crops(2, seed=3)
    a, b = pretrained_embedder.embed(crops), pretrained_embedder.embed(crops)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
