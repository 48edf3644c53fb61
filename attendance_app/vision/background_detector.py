"""BackgroundDetector: MTCNN on its own thread, one frame at a time, for camera-rate live views.

MTCNN costs ~66 ms per 640x360 frame on a 2-core laptop, so a live loop that waits for it cannot
keep up with a 30 fps camera. With this, the loop hands the newest frame to the detector thread
whenever that thread is idle and carries on: frames in between only move the tracks' boxes, and
when detections arrive they are applied to the frame they were computed on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from attendance_app.domain.detection import Detection
from attendance_app.vision.frame_source import Frame


@dataclass(frozen=True)
class FinishedDetection:
    """Detections of `frame` (full-frame coordinates), how long the work took (ms), and the
    embeddings of those detections (one row each) when the worker computed them too."""

    frame: Frame
    detections: list[Detection]
    detect_ms: float
    embeddings: np.ndarray | None = None


class BackgroundDetector:
    """One worker thread with a one-frame slot running `detect(frame) -> (detections, embeddings
    or None)`. `submit` only when `idle`; `poll` returns a finished detection once. Exceptions raised by `detect` come back from `poll`. `close()`
    stops the thread (it is a daemon, so a forgotten close never blocks exit)."""

    def __init__(self, detect: Callable[[Frame], tuple[list[Detection], np.ndarray | None]],
                 on_start: Callable[[], object] | None = None) -> None:
        """`on_start` runs first on the worker thread (e.g. sizing its torch thread pool)."""
        self._detect = detect
        self._on_start = on_start
        self._condition = threading.Condition()
        self._pending: Frame | None = None
        self._finished: FinishedDetection | None = None
        self._error: BaseException | None = None
        self._busy = False
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="face-detector", daemon=True)
        self._thread.start()

    @property
    def idle(self) -> bool:
        """No frame queued or being detected (a finished result may still wait to be polled)."""
        with self._condition:
            return not self._busy and self._pending is None

    def submit(self, frame: Frame) -> bool:
        """Queue `frame` for detection; False (nothing queued) while the worker is busy."""
        with self._condition:
            if self._busy or self._pending is not None or self._stopped:
                return False
            self._pending = frame
            self._condition.notify_all()
            return True

    def poll(self) -> FinishedDetection | None:
        """The detection finished since the last poll, if any; re-raises a detector error."""
        with self._condition:
            if self._error is not None:
                error, self._error = self._error, None
                raise error
            finished, self._finished = self._finished, None
            return finished

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until the worker has finished what it was given (tests, orderly shutdown)."""
        with self._condition:
            return self._condition.wait_for(
                lambda: (not self._busy and self._pending is None) or self._stopped, timeout)

    def close(self, timeout: float = 5.0) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        if self._on_start is not None:
            self._on_start()
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._pending is not None or self._stopped)
                if self._stopped:
                    return
                frame, self._pending, self._busy = self._pending, None, True
                assert frame is not None  # wait_for returned on a pending frame (not stopped)
            started = time.perf_counter()
            try:
                detections, embeddings = self._detect(frame)
                result = FinishedDetection(frame, detections,
                                           (time.perf_counter() - started) * 1e3, embeddings)
                error = None
            except BaseException as exc:  # noqa: BLE001 - handed to the loop, which decides
                result, error = None, exc
            with self._condition:
                self._finished = result if result is not None else self._finished
                self._error = error
                self._busy = False
                self._condition.notify_all()
