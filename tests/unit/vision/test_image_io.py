"""image_io: every mode becomes RGB uint8; every bad file becomes InvalidImageError naming it."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from attendance_app.domain.errors import InvalidImageError
from attendance_app.vision import image_io
from attendance_app.vision.image_io import (decode_image_bytes, decode_png, encode_png,
                                            load_image_rgb)


def _png_bytes(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _gradient(h: int = 12, w: int = 20) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)


@pytest.mark.parametrize("mode", ["L", "LA", "P", "RGBA", "CMYK", "1"])
def test_every_common_mode_loads_as_rgb_uint8(tmp_path: Path, mode: str) -> None:
    img = Image.fromarray(_gradient()).convert(mode)
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    path = tmp_path / f"x.{fmt.lower()}"
    img.save(path, format=fmt)
    rgb = load_image_rgb(path)
    assert rgb.shape == (12, 20, 3) and rgb.dtype == np.uint8


def test_grey_image_has_three_equal_channels(tmp_path: Path) -> None:
    grey = _gradient()[:, :, 0]
    path = tmp_path / "g.png"
    Image.fromarray(grey).save(path)
    rgb = load_image_rgb(path)
    for c in range(3):
        np.testing.assert_array_equal(rgb[:, :, c], grey)


def test_sixteen_bit_grey_is_scaled_not_clipped(tmp_path: Path) -> None:
    values = np.array([[0, 257 * 100, 65535]], dtype=np.uint16)
    path = tmp_path / "deep.png"
    Image.fromarray(values).save(path)
    rgb = load_image_rgb(path)
    assert rgb[0, :, 0].tolist() == [0, 100, 255]


def test_transparent_pixels_become_white(tmp_path: Path) -> None:
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)  # fully transparent black
    path = tmp_path / "t.png"
    Image.fromarray(rgba, mode="RGBA").save(path)
    assert (load_image_rgb(path) == 255).all()


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    img = Image.fromarray(_gradient(10, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    path = tmp_path / "rot.jpg"
    img.save(path, format="JPEG", exif=exif)
    assert load_image_rgb(path).shape == (30, 10, 3)


def test_png_round_trip_is_lossless() -> None:
    rgb = _gradient(160, 160)
    np.testing.assert_array_equal(decode_png(encode_png(rgb)), rgb)


def test_encode_png_refuses_non_rgb_arrays() -> None:
    with pytest.raises(ValueError):
        encode_png(np.zeros((4, 4), dtype=np.uint8))


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidImageError, match="nope.jpg"):
        load_image_rgb(tmp_path / "nope.jpg")


def test_empty_file_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(InvalidImageError, match="empty.png.*empty"):
        load_image_rgb(path)


def test_text_file_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("hello, I am not a photo")
    with pytest.raises(InvalidImageError, match="notes.jpg"):
        load_image_rgb(path)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_file_is_refused(tmp_path: Path, fmt: str) -> None:
    data = _png_bytes(Image.fromarray(_gradient(64, 64)), fmt)
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidImageError, match=f"cut.{fmt.lower()}"):
        load_image_rgb(path)


def test_decompression_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_io, "MAX_IMAGE_PIXELS", 100)
    data = _png_bytes(Image.new("L", (20, 20)))
    with pytest.raises(InvalidImageError, match="bomb.png.*too large"):
        decode_image_bytes(data, "bomb.png")


def test_a_real_oversized_header_is_refused_before_decoding() -> None:
    # 10000 x 10000 = 100 MP of one colour compresses to a small file.
    data = _png_bytes(Image.new("1", (10_000, 10_000)))
    with pytest.raises(InvalidImageError, match="too large"):
        decode_image_bytes(data, "huge.png")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_either_decode_to_rgb_or_raise_invalid_image(data: bytes) -> None:
    try:
        rgb = decode_image_bytes(data, "fuzz.bin")
    except InvalidImageError as exc:
        assert "fuzz.bin" in str(exc)
    else:
        assert rgb.ndim == 3 and rgb.shape[2] == 3 and rgb.dtype == np.uint8


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_corrupted_real_png_never_escapes_as_another_error(data: st.DataObject) -> None:
    raw = bytearray(_png_bytes(Image.fromarray(_gradient(16, 16))))
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    try:
        rgb = decode_image_bytes(bytes(raw), "flip.png")
    except InvalidImageError:
        return
    assert rgb.shape == (16, 16, 3)
