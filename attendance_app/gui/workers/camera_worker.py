"""CameraWorker: reads the newest frame from a frame source and processes it off the GUI thread.

The worker opens the source itself (opening a webcam can take a second), then loops: read the
newest frame, run the processing callable (detection, tracking, recognition), emit the frame and
the result with a rising sequence number, and sleep so that the loop never exceeds `max_fps`.
It emits plain numpy arrays and domain objects only; the GUI thread draws them and drops any result
whose sequence number is not newer than the last one shown (DESIGN.md section 3, example 7).
Stop with `stop()` (requestInterruption + wait), never terminate().
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import QThread, Signal

from attendance_app.domain.errors import CameraError

log = logging.getLogger(__name__)


class FrameSource(Protocol):
    """What the worker reads from (vision's frame sources, reached through a service): `read()`
    returns a frame (an RGB uint8 (H, W, 3) array, or an object with `.rgb` and `.timestamp_s`),
    or None when a file has ended; it raises `CameraError` when the device fails. Optional:
    `open()` (called in the worker thread), `is_live` (False: paced to its timestamps)."""

    def read(self) -> Any: ...

    def close(self) -> None: ...


SourceFactory = Callable[[], FrameSource]
Processor = Callable[[Any], Any]  # receives what read() returned


class CameraWorker(QThread):
    """One frame loop in its own thread. Signals carry (sequence, frame, processing result)."""

    frame_ready = Signal(int, object, object)
    source_opened = Signal()
    source_failed = Signal(str)
    source_ended = Signal()

    def __init__(self, source_factory: SourceFactory, processor: Processor | None = None,
                 max_fps: float = 30.0, parent: Any = None, realtime: bool = True) -> None:
        """`realtime=False` processes every frame of a file (deterministic tests, benchmarks)."""
        super().__init__(parent)
        self._realtime = realtime
        self._source_factory = source_factory
        self._processor = processor
        self._lock = threading.Lock()
        self._min_period = 1.0 / max_fps if max_fps > 0 else 0.0
        self.frames_read = 0

    def set_processor(self, processor: Processor | None) -> None:
        """Swap the processing step while running (e.g. a session starts recognising)."""
        with self._lock:
            self._processor = processor

    def stop(self, timeout_ms: int = 5000) -> bool:
        """Ask the loop to end and wait for it; True when the thread has finished."""
        self.requestInterruption()
        return self.wait(timeout_ms)

    def run(self) -> None:
        try:
            source = self._source_factory()
            if hasattr(source, "open"):
                source.open()
        except Exception as exc:  # a missing camera must explain itself, not crash the app
            self.source_failed.emit(_describe(exc))
            return
        self.source_opened.emit()
        seq = 0
        # A video file stands in for a webcam: play it in real time, skipping frames when the
        # processing falls behind, as a live camera's newest-frame grabbing would.
        paced = self._realtime and getattr(source, "is_live", True) is False
        clock_start: float | None = None
        try:
            while not self.isInterruptionRequested():
                started = time.monotonic()
                frame = source.read()
                if frame is None:
                    self.source_ended.emit()
                    break
                self.frames_read += 1
                stamp = getattr(frame, "timestamp_s", None)
                if paced and stamp is not None:
                    if clock_start is None:
                        clock_start = started - stamp
                    lag = (started - clock_start) - stamp
                    if lag > self._min_period:
                        continue  # stale file frame: drop it unprocessed
                    self._sleep_until(clock_start + stamp)
                with self._lock:
                    processor = self._processor
                result = processor(frame) if processor is not None else None
                seq += 1
                rgb = getattr(frame, "rgb", frame)
                self.frame_ready.emit(seq, rgb, result)
                self._sleep_until(started + self._min_period)
        except Exception as exc:
            log.exception("camera loop stopped")
            self.source_failed.emit(_describe(exc))
        finally:
            try:
                source.close()
            except Exception:  # closing a broken device must not mask the first error
                log.exception("closing the frame source failed")

    def _sleep_until(self, deadline: float) -> None:
        # Sleep in short slices so that stop() is honoured within ~20 ms.
        while not self.isInterruptionRequested():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.02))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, CameraError):
        return str(exc)
    return f"The camera stopped working ({type(exc).__name__}: {exc})."
