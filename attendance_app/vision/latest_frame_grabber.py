"""LatestFrameGrabber: a capture thread that always hands out the newest frame.

The thread reads the source as fast as it delivers and keeps only the newest frame: a slow
consumer gets fewer, fresher frames instead of a growing backlog (`dropped_frames` counts the
ones it never saw). With `realtime=True` a file or folder is paced by its fps against the wall
clock, which is how a camera behaves: the benchmark's real-time mode. Stop with `stop()`
(an event plus join); the thread closes the source itself so a blocking read is never torn
from under it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from attendance_app.domain.errors import CameraError
from attendance_app.vision.frame_source import Frame, FrameSource


class LatestFrameGrabber:
    """Reads `source` on a daemon thread; `get()` returns frames newer than the last one given.

    `realtime`: pace a non-live source by its frames' timestamps (video time) against the wall
    clock; ignored for live sources, whose read already waits for the next frame.
    `clock` (seconds) is injectable for tests. After the source ends or fails, `get()` returns
    None once the last frame is taken, and `error` holds the CameraError if it failed.
    """

    def __init__(self, source: FrameSource, realtime: bool = False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._source = source
        self._realtime = realtime and not source.is_live
        self._clock = clock
        self._condition = threading.Condition()
        self._stop = threading.Event()
        self._latest: Frame | None = None
        self._last_given = -1
        self._finished = False
        self._thread: threading.Thread | None = None
        self.error: CameraError | None = None
        self.frames_read = 0
        self.dropped_frames = 0

    @property
    def finished(self) -> bool:
        """The source has ended or failed (frames may still be waiting to be taken)."""
        return self._finished

    def start(self) -> "LatestFrameGrabber":
        """Open the source here (so a missing camera raises CameraError to the caller) and start
        the thread. Returns self."""
        self._source.open()
        self._thread = threading.Thread(target=self._run, name="frame-grabber", daemon=True)
        self._thread.start()
        return self

    def get(self, timeout: float | None = None) -> Frame | None:
        """The newest frame not yet handed out, waiting up to `timeout` seconds (None: until one
        comes or the source ends). None on timeout or when the source has ended."""
        with self._condition:
            ready = self._condition.wait_for(
                lambda: self._has_new() or self._finished or self._stop.is_set(), timeout)
            if not ready or not self._has_new():
                return None
            frame = self._latest
            assert frame is not None
            self._last_given = frame.index
            return frame

    def stop(self, timeout: float = 5.0) -> bool:
        """Ask the thread to stop and wait up to `timeout` seconds; True when it has ended."""
        self._stop.set()
        cancel = getattr(self._source, "cancel", None)
        if callable(cancel):
            cancel()  # a reconnect back-off wait ends now, not after its delay
        with self._condition:
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def __enter__(self) -> "LatestFrameGrabber":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _has_new(self) -> bool:
        return self._latest is not None and self._latest.index != self._last_given

    def _run(self) -> None:
        started = self._clock()
        try:
            while not self._stop.is_set():
                frame = self._source.read()
                if frame is None:
                    break
                if self._realtime and not self._wait_until(started + frame.timestamp_s):
                    break
                self._publish(frame)
        except CameraError as error:
            self.error = error
        finally:
            try:
                self._source.close()
            finally:
                with self._condition:
                    self._finished = True
                    self._condition.notify_all()

    def _wait_until(self, due: float) -> bool:
        """Sleep until the frame's wall-clock time; False when stopped meanwhile."""
        remaining = due - self._clock()
        if remaining > 0:
            return not self._stop.wait(remaining)
        return not self._stop.is_set()

    def _publish(self, frame: Frame) -> None:
        with self._condition:
            if self._latest is not None and self._latest.index != self._last_given:
                self.dropped_frames += 1  # the consumer never saw the frame being replaced
            self._latest = frame
            self.frames_read += 1
            self._condition.notify_all()
