"""Batched area resizing (vision/mtcnn_batched.py) against torch's own, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from facenet_pytorch.models.utils.detect_face import imresample

from attendance_app.vision.image_io import load_image_rgb
from attendance_app.vision.mtcnn_batched import (
    MAX_CELL_AREA,
    area_resize_boxes,
    packed_summed_area_table,
    resize_frame,
)


@pytest.fixture(scope="module")
def photo(dataset) -> np.ndarray:
    rgb = load_image_rgb(dataset("face_recognition_examples") / "_multi_face" / "two_people.jpg")
    return np.ascontiguousarray(rgb[:400, :600])


def _as_torch(rgb: np.ndarray) -> torch.Tensor:
    # facenet-pytorch's layout: a permuted NHWC tensor, i.e. NCHW channels-last.
    return torch.as_tensor(rgb.copy()).unsqueeze(0).permute(0, 3, 1, 2).float()


@pytest.mark.parametrize("size", [24, 48])
def test_box_crops_equal_per_box_area_interpolation(photo, size) -> None:
    rng = np.random.default_rng(size)
    h, w = photo.shape[:2]
    # Tiny (upsampled), exact multiples, odd sizes, boxes clipped at all four borders, whole frame.
    y0 = np.r_[rng.integers(0, h - 1, 200), 0, 0, h - 5, 10, 0]
    x0 = np.r_[rng.integers(0, w - 1, 200), 0, w - 7, 0, 10, 0]
    y1 = np.minimum(y0 + np.r_[rng.integers(1, 160, 200), 48, 30, 5, 96, h], h)
    x1 = np.minimum(x0 + np.r_[rng.integers(1, 160, 200), 30, 7, 48, 96, w], w)
    img = _as_torch(photo)
    expected = torch.cat([imresample(img[:, :, a:b, c:d], (size, size))
                          for a, b, c, d in zip(y0, y1, x0, x1)])
    got = area_resize_boxes(packed_summed_area_table(photo), y0, y1, x0, x1, size)
    assert got is not None
    assert torch.equal(got, expected)
    assert got.stride() == expected.stride()  # same memory layout into the nets


def test_pyramid_levels_equal_imresample(photo) -> None:
    img, sat = _as_torch(photo), packed_summed_area_table(photo)
    h, w = photo.shape[:2]
    for scale in (0.6, 0.4254, 0.3016, 0.1516, 0.0379):
        size = (int(h * scale + 1), int(w * scale + 1))
        assert torch.equal(resize_frame(sat, img, size), imresample(img, size))


def test_too_large_cells_are_refused_and_the_frame_falls_back_to_torch() -> None:
    # A bright 1000 x 1000 frame to 10 x 10: 100 x 100 px cells would overflow the packed sums.
    rgb = np.full((1000, 1000, 3), 255, np.uint8)
    rgb[::3, ::7] = (1, 2, 3)
    sat = packed_summed_area_table(rgb)
    zero, side = np.zeros(1, np.int64), np.array([1000])
    assert 100 * 100 > MAX_CELL_AREA
    assert area_resize_boxes(sat, zero, side, zero, side, 10) is None
    img = _as_torch(rgb)
    assert torch.equal(resize_frame(sat, img, (10, 10)), imresample(img, (10, 10)))
    # Just below the limit the packed sums are still exact.
    assert torch.equal(resize_frame(sat, img, (12, 12)), imresample(img, (12, 12)))
