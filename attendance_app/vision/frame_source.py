"""Frame sources: webcam, video file, network stream and image folder behind one interface.

Every source yields `Frame`s of RGB uint8 pixels (H, W, 3) with a running index and a timestamp in
seconds (video time for files and folders, seconds since first open for live sources). `read()`
returns None at the end of a file or folder; a live source that stops delivering raises
`CameraError`, which `ReconnectingSource` turns into retries with back-off. Unreadable frames are
skipped and counted in `corrupted_frames`, never handed out.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

from attendance_app.domain.errors import CameraError
from attendance_app.vision.camera_discovery import describe_cameras, list_cameras

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".pgm"})
# A live capture may fail a single grab (USB hiccup); this many in a row means it is gone.
_LIVE_FAILED_READS = 3
# A damaged stretch of a video file: give up on the file after this many bad frames in a row.
_FILE_FAILED_READS = 300


@dataclass(frozen=True)
class Frame:
    """One frame: `rgb` (H, W, 3) uint8 RGB, `index` counting from 0 in delivery order,
    `timestamp_s` in seconds, `decode_ms` the time spent reading and converting it."""

    index: int
    timestamp_s: float
    rgb: np.ndarray
    decode_ms: float = 0.0


@runtime_checkable
class FrameSource(Protocol):
    """What the grabber and the recognizer need from any source of frames."""

    @property
    def fps(self) -> float | None: ...

    @property
    def is_live(self) -> bool: ...

    @property
    def corrupted_frames(self) -> int: ...

    @property
    def description(self) -> str: ...

    def open(self) -> None: ...

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...


def to_rgb(image: np.ndarray | None) -> np.ndarray | None:
    """OpenCV's BGR/grey/BGRA image as contiguous RGB uint8 (H, W, 3); None when unusable."""
    if image is None or image.size == 0 or image.dtype != np.uint8:
        return None
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    return None


class _CaptureSource:
    """Shared cv2.VideoCapture handling; subclasses say how to open and what 'failed' means."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._cap: cv2.VideoCapture | None = None
        self._clock = clock
        self._index = 0
        self._t0: float | None = None
        self._corrupted = 0

    @property
    def corrupted_frames(self) -> int:
        return self._corrupted

    def open(self) -> None:
        """Open the capture; each subclass says how (and what failing to open raises)."""
        raise NotImplementedError

    @property
    def fps(self) -> float | None:
        if self._cap is None:
            return None
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        return fps if 0.0 < fps < 1000.0 else None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def __enter__(self) -> "_CaptureSource":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _grab_rgb(self) -> tuple[bool, np.ndarray | None, float]:
        """(grab succeeded, RGB or None when the grabbed frame is unusable, ms spent)."""
        if self._cap is None:
            raise CameraError(f"{self.description} is not open")  # type: ignore[attr-defined]
        started = time.perf_counter()
        try:
            ok, bgr = self._cap.read()
        except cv2.error:
            ok, bgr = True, None  # a frame the decoder chokes on: corrupted, not the end
        rgb = to_rgb(bgr) if ok else None
        return ok, rgb, (time.perf_counter() - started) * 1000.0

    def _live_frame(self) -> Frame:
        failures = 0
        while True:
            ok, rgb, ms = self._grab_rgb()
            if rgb is not None:
                if self._t0 is None:
                    self._t0 = self._clock()
                frame = Frame(self._index, self._clock() - self._t0, rgb, ms)
                self._index += 1
                return frame
            if ok:
                self._corrupted += 1
            failures += 1
            if failures >= _LIVE_FAILED_READS:
                raise CameraError(f"{self.description} stopped delivering frames "  # type: ignore[attr-defined]
                                  "(unplugged, in use by another program, or the network dropped)")


class CameraSource(_CaptureSource):
    """A webcam by OpenCV index (0 is usually the built-in camera). Live; timestamps are
    seconds since the first frame. Opening a missing index raises CameraError listing the
    cameras that exist."""

    def __init__(self, index: int = 0, width: int | None = None, height: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(clock)
        self._camera_index = index
        self._size = (width, height)

    @property
    def is_live(self) -> bool:
        return True

    @property
    def description(self) -> str:
        return f"camera {self._camera_index}"

    def open(self) -> None:
        self.close()
        cap = cv2.VideoCapture(self._camera_index)
        if not cap.isOpened():
            cap.release()
            raise CameraError(f"camera {self._camera_index} could not be opened; "
                              f"{describe_cameras(list_cameras())}")
        width, height = self._size
        if width and height:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        # The newest frame matters, not a backlog: keep the driver's buffer minimal.
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._cap = cap

    def read(self) -> Frame | None:
        return self._live_frame()


class StreamSource(_CaptureSource):
    """A network stream (rtsp://, http://, anything OpenCV's FFmpeg opens). Live. Credentials
    in the URL are never shown in messages."""

    def __init__(self, url: str, open_timeout_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(clock)
        self._url = url
        self._timeout_ms = int(open_timeout_s * 1000)

    @property
    def is_live(self) -> bool:
        return True

    @property
    def description(self) -> str:
        return f"stream {redact_url(self._url)}"

    def open(self) -> None:
        self.close()
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, self._timeout_ms,
                  cv2.CAP_PROP_READ_TIMEOUT_MSEC, self._timeout_ms]
        cap = cv2.VideoCapture(self._url, cv2.CAP_ANY, params)
        if not cap.isOpened():
            cap.release()
            raise CameraError(f"could not open {self.description}: the address did not answer "
                              "with a video OpenCV can read (check the URL, the network, the "
                              "user name and password)")
        self._cap = cap

    def read(self) -> Frame | None:
        return self._live_frame()


class VideoFileSource(_CaptureSource):
    """A video file played frame by frame; timestamps are video time (index / fps). `read()`
    returns None at the end, unless `loop` restarts it (index and time keep increasing)."""

    def __init__(self, path: str | Path, loop: bool = False) -> None:
        super().__init__()
        self._path = Path(path)
        self._loop = loop
        self._fps_fallback = 30.0

    @property
    def is_live(self) -> bool:
        return False

    @property
    def description(self) -> str:
        return f"video {self._path.name}"

    @property
    def frame_count(self) -> int | None:
        if self._cap is None:
            return None
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        return count if count > 0 else None

    def open(self) -> None:
        self.close()
        if not self._path.is_file():
            raise CameraError(f"video file not found: {self._path}")
        cap = cv2.VideoCapture(str(self._path))
        if not cap.isOpened():
            cap.release()
            raise CameraError(f"{self._path} could not be opened as a video "
                              "(not a video, damaged, or a format OpenCV cannot decode)")
        self._cap = cap

    def read(self) -> Frame | None:
        failures = 0
        restarted = False
        while failures < _FILE_FAILED_READS:
            ok, rgb, ms = self._grab_rgb()
            if rgb is not None:
                frame = Frame(self._index, self._index / (self.fps or self._fps_fallback), rgb, ms)
                self._index += 1
                return frame
            if not ok and self._at_end():
                if not self._loop or restarted:
                    return None
                restarted = True  # an empty or unreadable file must not loop forever
                self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)  # type: ignore[union-attr]
                continue
            self._corrupted += 1
            failures += 1
        return None

    def _at_end(self) -> bool:
        count = self.frame_count
        if count is None:
            return True
        position = int(self._cap.get(cv2.CAP_PROP_POS_FRAMES))  # type: ignore[union-attr]
        return position >= count - 1


class ImageFolderSource:
    """The images of a folder in name order, as if they were video frames at `fps` (used for
    timestamps). Files that are not readable images are skipped and counted."""

    def __init__(self, folder: str | Path, fps: float = 1.0) -> None:
        self._folder = Path(folder)
        self._fps = fps
        self._files: list[Path] = []
        self._next = 0
        self._index = 0
        self._corrupted = 0

    fps = property(lambda self: self._fps)
    is_live = property(lambda self: False)
    corrupted_frames = property(lambda self: self._corrupted)
    description = property(lambda self: f"image folder {self._folder}")

    def open(self) -> None:
        if not self._folder.is_dir():
            raise CameraError(f"image folder not found: {self._folder}")
        self._files = sorted(p for p in self._folder.iterdir()
                             if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        if not self._files:
            raise CameraError(f"{self._folder} holds no images "
                              f"({', '.join(sorted(IMAGE_SUFFIXES))})")
        self._next = 0

    def read(self) -> Frame | None:
        while self._next < len(self._files):
            path = self._files[self._next]
            self._next += 1
            started = time.perf_counter()
            rgb = to_rgb(cv2.imread(str(path), cv2.IMREAD_COLOR))
            if rgb is None:
                self._corrupted += 1
                continue
            frame = Frame(self._index, self._index / self._fps, rgb,
                          (time.perf_counter() - started) * 1000.0)
            self._index += 1
            return frame
        return None

    def close(self) -> None:
        self._files = []

    def __enter__(self) -> "ImageFolderSource":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_source(spec: str, loop: bool = False) -> FrameSource:
    """The source a user means by `spec`: '0' -> camera 0, 'rtsp://...' -> stream, a folder ->
    its images, a file -> video (looped when `loop`). Not opened yet. Raises CameraError when
    `spec` names nothing that exists."""
    spec = spec.strip()
    if re.fullmatch(r"\d{1,3}", spec):
        return CameraSource(int(spec))
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", spec):
        return StreamSource(spec)
    path = Path(spec).expanduser()
    if path.is_dir():
        return ImageFolderSource(path)
    if path.is_file():
        return VideoFileSource(path, loop=loop)
    raise CameraError(f"{spec!r} is not a camera number, an existing video file or folder, "
                      f"nor a stream URL; {describe_cameras(list_cameras())}")


def redact_url(url: str) -> str:
    """The URL with any 'user:password@' replaced by '***@'."""
    return re.sub(r"(://)[^/@]+@", r"\1***@", url)


class ReconnectingSource:
    """Wraps a live source: when it raises CameraError, reports it through `on_status`, then
    closes and reopens it with exponential back-off (`initial_delay_s` doubling up to
    `max_delay_s`) until it delivers again; after `max_attempts` failed reopenings (None:
    forever) the last CameraError is raised. `sleep(seconds)` is injectable for tests; `cancel()`
    ends a wait at once and makes `read()` return None (used by a stopping grabber).
    With `retry_on_open`, the first open is retried the same way (a stream not up yet)."""

    def __init__(self, inner: FrameSource, *, initial_delay_s: float = 0.5,
                 max_delay_s: float = 10.0, max_attempts: int | None = None,
                 retry_on_open: bool = False,
                 on_status: Callable[[str], None] | None = None,
                 sleep: Callable[[float], None] | None = None) -> None:
        self._inner = inner
        self._initial = initial_delay_s
        self._max_delay = max_delay_s
        self._max_attempts = max_attempts
        self._retry_on_open = retry_on_open
        self._on_status = on_status or (lambda message: None)
        self._cancelled = threading.Event()
        self._sleep = sleep or (lambda seconds: self._cancelled.wait(seconds))
        self.disconnects = 0
        self.reconnects = 0

    fps = property(lambda self: self._inner.fps)
    is_live = property(lambda self: self._inner.is_live)
    corrupted_frames = property(lambda self: self._inner.corrupted_frames)
    description = property(lambda self: self._inner.description)

    def open(self) -> None:
        try:
            self._inner.open()
        except CameraError as error:
            if not self._retry_on_open:
                raise
            self._on_status(f"{error}; retrying")
            self._reopen(error)

    def read(self) -> Frame | None:
        while not self._cancelled.is_set():
            try:
                return self._inner.read()
            except CameraError as error:
                self.disconnects += 1
                self._on_status(f"{error}; reconnecting")
                if not self._reopen(error):
                    return None
        return None

    def close(self) -> None:
        self._inner.close()

    def cancel(self) -> None:
        self._cancelled.set()

    def _reopen(self, error: CameraError) -> bool:
        """True once reopened; False when cancelled; raises after too many attempts."""
        delay, attempt = self._initial, 0
        while not self._cancelled.is_set():
            if self._max_attempts is not None and attempt >= self._max_attempts:
                raise CameraError(f"{self.description} did not come back after {attempt} "
                                  f"attempts: {error}")
            attempt += 1
            self._sleep(delay)
            if self._cancelled.is_set():
                break
            try:
                self._inner.close()
                self._inner.open()
            except CameraError as again:
                error = again
                self._on_status(f"reconnect attempt {attempt} failed: {again}")
                delay = min(delay * 2.0, self._max_delay)
                continue
            self.reconnects += 1
            self._on_status(f"{self.description} reconnected after {attempt} attempt(s)")
            return True
        return False
