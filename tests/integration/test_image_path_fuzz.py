"""Fuzzing the image path: whatever file arrives, enrolment and identification end in a clear
AttendanceAppError or a correct result, never another exception and never a hang.

Inputs (hypothesis): random bytes, real JPEG/PNG files cut at random points, 1x1 and small
images, a PNG whose header claims 20000x20000 pixels (a decompression bomb that is never
allocated), 16-bit, 32-bit int and float, CMYK, palette, RGBA, LA, bilevel and grey images in
PNG/JPEG/TIFF/BMP/GIF/WEBP, each saved under a random (often wrong) extension. Everything runs
through the real services (AppServices on a tmp data dir, real MTCNN, real FaceNet weights).
The number of cases run is printed at the end of the module (`pytest -s`) for the README.
"""

from __future__ import annotations

import io
import shutil
import struct
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from attendance_app.config import AppPaths, Settings
from attendance_app.domain.errors import AttendanceAppError, InvalidImageError
from attendance_app.services.app_services import AppServices
from attendance_app.services.enrollment_service import EnrollmentService
from attendance_app.vision.weights.weights_cache import sidecar_path

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Seed and example database come from the profile in tests/conftest.py (repeatable by default).
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
EXTENSIONS = [".jpg", ".jpeg", ".png", ".bmp", ".tif", ".gif", ".webp", ".pgm", ".txt", ""]
MODES = ["RGB", "RGBA", "LA", "L", "P", "CMYK", "I;16", "I", "F", "1"]
FORMATS = {  # which modes each format can hold
    "PNG": {"RGB", "RGBA", "LA", "L", "P", "I;16", "1"},
    "JPEG": {"RGB", "L", "CMYK"},
    "TIFF": {"RGB", "RGBA", "L", "P", "CMYK", "I;16", "I", "F", "1"},
    "BMP": {"RGB", "L", "P", "1"},
    "GIF": {"L", "P"},
    "WEBP": {"RGB", "RGBA"},
}
CASES: Counter[str] = Counter()


@pytest.fixture(scope="module")
def face_photo(dataset) -> Path:
    return dataset("face_recognition_video") / "lin-manuel-miranda.png"


class RealFiles(list):
    """The bytes of real photos; a short repr keeps hypothesis' failure reports readable."""

    def __repr__(self) -> str:
        return f"<{len(self)} real photo files>"


@pytest.fixture(scope="module")
def real_files(dataset, face_photo) -> RealFiles:
    jpeg = dataset("facenet_pytorch_test_images") / "angelina_jolie" / "1.jpg"
    return RealFiles([face_photo.read_bytes(), jpeg.read_bytes()])


@pytest.fixture(scope="module")
def face_rgb(face_photo) -> np.ndarray:
    """The face photo at about 200 px wide: big enough for MTCNN, small enough to be quick."""
    with Image.open(face_photo) as img:
        img = img.convert("RGB")
        img.thumbnail((200, 200))
        return np.asarray(img)


@pytest.fixture(scope="module")
def services(tmp_path_factory, converted_weights) -> Iterator[AppServices]:
    """Real services on a tmp data dir; the weights converted once per test session are copied
    in so no conversion runs here."""
    paths = AppPaths(tmp_path_factory.mktemp("fuzz") / "data").ensure()
    for source in (converted_weights.path, sidecar_path(converted_weights.path)):
        shutil.copy2(source, paths.models_dir / source.name)
    app = AppServices.open(paths, Settings())
    yield app
    app.close()
    print(f"\nimage-path fuzz cases: {sum(CASES.values())} {dict(CASES)}")


@pytest.fixture
def probe_dir(tmp_path: Path) -> Path:
    return tmp_path


def _run_both(services: AppServices, folder: Path, data: bytes, suffix: str, kind: str):
    """Enrol from the file, then identify it; returns (enrol outcome or error, identify result
    or error). Any exception other than AttendanceAppError fails the test."""
    CASES[kind] += 1
    path = folder / f"probe{CASES[kind]}{suffix}"
    path.write_bytes(data)
    consent = EnrollmentService.consent_from_flag(True, "fuzz test")
    started = time.perf_counter()
    results = []
    for action in (lambda: services.enrollment.enroll_photos(f"Fuzz {kind}", [path], consent),
                   lambda: services.identification.identify_photo(path)):
        try:
            results.append(action())
        except AttendanceAppError as exc:
            assert str(exc).strip(), "an error must say something"
            results.append(exc)
    # A generous bound: a hang (or a pathological decode) would take far longer.
    assert time.perf_counter() - started < 30
    enrolled = results[0]
    if not isinstance(enrolled, AttendanceAppError):
        services.people.delete(enrolled.person.id)  # keep the gallery to the real people
    return results[0], results[1]


def _encode(rgb: np.ndarray, mode: str, fmt: str) -> bytes:
    img = Image.fromarray(rgb)
    if mode in ("I;16", "I", "F"):
        grey = np.asarray(img.convert("L"), dtype=np.float64)
        if mode == "I;16":
            img = Image.fromarray((grey * 257).astype(np.uint16))
        elif mode == "I":
            img = Image.fromarray((grey * 1000).astype(np.int32))
        else:
            img = Image.fromarray((grey / 255.0).astype(np.float32))
    else:
        img = img.convert(mode)
    buffer = io.BytesIO()
    img.save(buffer, format=fmt)
    return buffer.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR says width x height RGB pixels, with a few bytes of image data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


# ---------------------------------------------------------------------------------- tests
@pytest.mark.timeout(600)
@FUZZ
@given(data=st.binary(min_size=0, max_size=4096), suffix=st.sampled_from(EXTENSIONS))
@example(data=b"", suffix=".jpg")
def test_random_bytes_are_refused_as_invalid_images(services, probe_dir, data, suffix) -> None:
    enrolled, identified = _run_both(services, probe_dir, data, suffix, "random bytes")
    # Random bytes can, in theory, form a valid tiny image; then there is no face in it.
    assert isinstance(enrolled, AttendanceAppError)
    assert isinstance(identified, (AttendanceAppError, list))


@pytest.mark.timeout(600)
@FUZZ
@given(which=st.integers(0, 1), cut=st.floats(0.0, 0.999), suffix=st.sampled_from(EXTENSIONS))
def test_truncated_jpeg_and_png_files_end_in_a_clear_error_or_a_result(
        services, probe_dir, real_files, which, cut, suffix) -> None:
    data = real_files[which]
    truncated = data[:int(len(data) * cut)]
    enrolled, identified = _run_both(services, probe_dir, truncated, suffix, "truncated")
    if len(truncated) < 1000:  # not even the header survived: no pixels at all
        assert isinstance(enrolled, AttendanceAppError)
        assert isinstance(identified, InvalidImageError)


@pytest.mark.timeout(600)
@settings(FUZZ, max_examples=30)
@given(mode=st.sampled_from(MODES), fmt=st.sampled_from(sorted(FORMATS)),
       size=st.sampled_from([(20, 20), (64, 64), (33, 21), None]),
       suffix=st.sampled_from(EXTENSIONS))
# The crash this fuzzing found (an image smaller than MTCNN's smallest face), kept for good.
@example(mode="RGB", fmt="PNG", size=(20, 20), suffix=".png")
def test_every_mode_and_format_ends_in_a_clear_error_or_a_correct_result(
        services, probe_dir, face_rgb, mode, fmt, size, suffix) -> None:
    if mode not in FORMATS[fmt]:
        mode = sorted(FORMATS[fmt])[0]
    rgb = face_rgb if size is None else np.asarray(
        Image.fromarray(face_rgb).resize(size, Image.Resampling.BILINEAR))
    enrolled, identified = _run_both(services, probe_dir, _encode(rgb, mode, fmt), suffix,
                                     f"{mode}/{fmt}")
    if size is None and mode in ("RGB", "RGBA", "L", "LA", "I;16") and fmt in ("PNG", "TIFF"):
        # The whole face photo, losslessly stored: it must be enrolled and found again.
        assert not isinstance(enrolled, AttendanceAppError), enrolled
        assert isinstance(identified, list) and len(identified) == 1


@pytest.mark.timeout(120)
@pytest.mark.parametrize("size", [(1, 1), (2, 3), (17, 9), (19, 400)])
def test_an_image_smaller_than_the_smallest_face_is_no_face(services, probe_dir, face_rgb,
                                                            size) -> None:
    tiny = np.asarray(Image.fromarray(face_rgb).resize(size, Image.Resampling.BILINEAR))
    enrolled, identified = _run_both(services, probe_dir, _encode(tiny, "RGB", "PNG"), ".png",
                                     "smaller than a face")
    assert isinstance(enrolled, AttendanceAppError)
    assert identified == []


@pytest.mark.timeout(60)
@pytest.mark.parametrize("width,height", [(20000, 20000), (65535, 65535), (50001, 1000)])
def test_a_decompression_bomb_header_is_refused_without_decoding(
        services, probe_dir, width, height) -> None:
    enrolled, identified = _run_both(services, probe_dir, _png_claiming(width, height), ".png",
                                     "decompression bomb")
    for outcome in (enrolled, identified):
        assert isinstance(outcome, InvalidImageError)
        assert "too large" in str(outcome)
