"""Image loading and PNG encoding: every photo enters the app here as RGB uint8.

All decoding goes through Pillow with a decompression-bomb guard, EXIF orientation applied and
every mode (L, LA, P, RGBA, CMYK, I;16, I, F, 1) converted to (H, W, 3) uint8 RGB. Any failure
is an `InvalidImageError` whose message names the file.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from attendance_app.domain.errors import InvalidImageError

# About 50 megapixels: a 12k x 4k panorama still loads; a crafted 100k x 100k PNG does not.
MAX_IMAGE_PIXELS = 50_000_000


def load_image_rgb(path: str | Path) -> np.ndarray:
    """Read an image file as (H, W, 3) uint8 RGB, EXIF orientation applied.

    Raises InvalidImageError naming the file when it cannot be read, is empty, truncated, not an
    image, or larger than MAX_IMAGE_PIXELS.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidImageError(f"cannot read image file {path}: {exc.strerror or exc}") from exc
    return decode_image_bytes(data, str(path))


def decode_image_bytes(data: bytes, name: str) -> np.ndarray:
    """Decode encoded image bytes (any format Pillow reads) to (H, W, 3) uint8 RGB.

    `name` is only used in error messages. Raises InvalidImageError as load_image_rgb does.
    """
    if not data:
        raise InvalidImageError(f"{name}: the file is empty")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x its limit: make every oversize image an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise InvalidImageError(
                        f"{name}: image is too large ({width}x{height} pixels, limit "
                        f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels)")
                img.load()
                return _to_rgb_array(ImageOps.exif_transpose(img))
    except InvalidImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidImageError(f"{name}: image is too large ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise InvalidImageError(f"{name}: not an image file (or an unsupported format)") from exc
    except (OSError, ValueError, SyntaxError, EOFError, TypeError, IndexError,
            KeyError, ZeroDivisionError, MemoryError) as exc:
        # Truncated or corrupt files surface as any of these depending on the codec.
        raise InvalidImageError(f"{name}: damaged or truncated image ({exc})") from exc


def _to_rgb_array(img: Image.Image) -> np.ndarray:
    """Any Pillow mode to (H, W, 3) uint8 RGB; 16/32-bit and float images are scaled, not clipped."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        if img.mode.startswith("I;16"):
            scaled = arr / 257.0  # 65535 -> 255 exactly
        else:
            lo, hi = float(arr.min()), float(arr.max())
            if img.mode == "I" and lo >= 0 and hi <= 65535:
                scaled = arr / 257.0  # 16-bit PNGs often open as mode I
            elif hi > lo:
                scaled = (arr - lo) * (255.0 / (hi - lo))
            else:
                scaled = np.zeros_like(arr)
        grey = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        # Transparent pixels become white, as a viewer would show them, not black.
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    rgb = img.convert("RGB")
    return np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))


def encode_png(rgb: np.ndarray) -> bytes:
    """Encode an (H, W, 3) uint8 RGB array as PNG bytes (lossless). Raises ValueError on bad shape."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected (H, W, 3) uint8 RGB, got {rgb.shape} {rgb.dtype}")
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buffer, format="PNG")
    return buffer.getvalue()


def decode_png(data: bytes) -> np.ndarray:
    """Decode PNG bytes (as written by encode_png) to (H, W, 3) uint8 RGB."""
    return decode_image_bytes(data, "PNG data")
