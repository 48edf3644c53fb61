"""CameraController: owns the one CameraWorker, restarts it on a new source, drops stale frames,
and measures the displayed frame rate.

A worker that does not stop in time (a processor stuck in a long call) is kept alive, not
deleted under its own running thread: it is deleted when it finishes. Frames queued by a worker
that has been replaced are not drawn, but their results still arrive through `late_result`, so
a confirmed sighting or an unknown face inside one is never lost."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from attendance_app.gui.workers.camera_worker import CameraWorker, Processor

SourceOpener = Callable[[str], Any]


class CameraController(QObject):
    """Signals: `frame(rgb, result)` (newest only, GUI thread), `late_result(result)` (the
    non-empty result of a frame from a worker that was stopped or replaced: record it, do not
    draw it), `failed(message)`, `ended()`, `opened(spec)`. `displayed_fps` is measured over
    the last two seconds of delivered frames."""

    frame = Signal(object, object)
    late_result = Signal(object)
    failed = Signal(str)
    ended = Signal()
    opened = Signal(str)

    def __init__(self, opener: SourceOpener | None = None, max_fps: float = 30.0,
                 parent: QObject | None = None, stop_timeout_ms: int = 5000) -> None:
        super().__init__(parent)
        self._opener = opener
        self._max_fps = max_fps
        self._worker: CameraWorker | None = None
        self._stop_timeout_ms = stop_timeout_ms
        self._stuck: list[CameraWorker] = []  # asked to stop, still running: deleted when done
        self._processor: Processor | None = None
        self._last_seq = 0
        self._times: deque[float] = deque(maxlen=120)
        self.spec: str | None = None
        self.realtime = True  # False: a video file is processed frame by frame (tests)
        self.dropped = 0

    def set_opener(self, opener: SourceOpener) -> None:
        self._opener = opener

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.isRunning()

    def start(self, spec: str) -> None:
        """(Re)start reading `spec` ('0', a video path...). Failures arrive via `failed`."""
        self.stop()
        if self._opener is None:
            self.failed.emit("The camera is not available yet: models are still loading.")
            return
        opener = self._opener
        self.spec = spec
        self._last_seq = 0
        self._times.clear()
        worker = CameraWorker(lambda: opener(spec), self._processor, self._max_fps,
                              realtime=self.realtime)
        worker.frame_ready.connect(self._on_frame)
        worker.source_failed.connect(self.failed)
        worker.source_ended.connect(self.ended)
        worker.source_opened.connect(lambda: self.opened.emit(spec))
        self._worker = worker
        worker.start()

    def stop(self) -> bool:
        """Stop the worker cooperatively; True when no thread is left running."""
        worker, self._worker = self._worker, None
        if worker is None:
            return True
        stopped = worker.stop(timeout_ms=self._stop_timeout_ms)
        if stopped:
            worker.deleteLater()
        else:  # deleting a QThread that still runs would crash the app
            self._stuck.append(worker)
            worker.finished.connect(lambda: self._release(worker))
        return stopped

    def _release(self, worker: CameraWorker) -> None:
        if worker in self._stuck:
            self._stuck.remove(worker)
        worker.deleteLater()

    def set_processor(self, processor: Processor | None) -> None:
        self._processor = processor
        if self._worker is not None:
            self._worker.set_processor(processor)

    @property
    def displayed_fps(self) -> float:
        if len(self._times) < 2:
            return 0.0
        span = self._times[-1] - self._times[0]
        return (len(self._times) - 1) / span if span > 0 else 0.0

    @Slot(int, object, object)
    def _on_frame(self, seq: int, rgb: Any, result: Any) -> None:
        if self.sender() is not self._worker or seq <= self._last_seq:
            self.dropped += 1  # stale: from a stopped worker or overtaken by a newer frame
            if result is not None:
                self.late_result.emit(result)  # its sightings and unknowns still count
            return
        self._last_seq = seq
        now = time.monotonic()
        self._times.append(now)
        while self._times and now - self._times[0] > 2.0:
            self._times.popleft()
        self.frame.emit(rgb, result)
