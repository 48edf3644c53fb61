"""DetectionLookahead: detect on a frame that is already decoded but not yet due, on a second
core, while the loop's thread embeds and tracks the frames before it.

Over a video file (the fast pass, `run` on a recording) later frames can be read before the
recogniser reaches them. With detection on every k-th frame the detector then works on frame
i + k while frames i .. i + k - 1 are tracked and embedded; the loop only waits when detection
is the slower half. The result of a frame is the same detector call on the same pixels as
without the lookahead, so detections (and everything after them) do not change. A frame whose
detection was started but is not detected after all (a shot cut moved the schedule) is dropped
unused. A live camera has no later frames: it uses BackgroundDetector instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from attendance_app.domain.detection import Detection
from attendance_app.vision.frame_source import Frame


class DetectionLookahead:
    """One worker thread running `detect(rgb)` for frames announced with `start`; `take` returns
    a frame's (detections, detect_ms on the worker) or None when it was never started. `used`
    counts the frames whose detections were taken.
    Exceptions raised by `detect` come back from `take`. Not thread-safe: one caller thread."""

    def __init__(self, detect: Callable[[np.ndarray], list[Detection]],
                 on_start: Callable[[], object] | None = None) -> None:
        """`on_start` runs first on the worker thread (e.g. sizing its torch thread pool)."""
        self._detect = detect
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="detect-ahead",
                                        initializer=on_start)
        self._pending: dict[int, tuple[Future[tuple[list[Detection], float]], Frame]] = {}
        self.used = 0

    def start(self, frame: Frame) -> None:
        """Begin detecting `frame` on the worker (once per frame index)."""
        if frame.index not in self._pending:
            self._pending[frame.index] = (self._pool.submit(self._timed, frame.rgb), frame)

    def take(self, frame: Frame) -> tuple[list[Detection], float] | None:
        """The detections of `frame` if they were started for this very frame (same index and
        pixels), waiting for them if need be; older started frames are dropped."""
        for index in [i for i in self._pending if i < frame.index]:
            self._pending.pop(index)[0].cancel()
        entry = self._pending.pop(frame.index, None)
        if entry is None or entry[1].rgb is not frame.rgb:
            if entry is not None:
                entry[0].cancel()
            return None
        self.used += 1
        return entry[0].result()

    def close(self) -> None:
        """Drop what is queued and stop the worker once its current frame is done."""
        for future, _ in self._pending.values():
            future.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _timed(self, rgb: np.ndarray) -> tuple[list[Detection], float]:
        started = time.perf_counter()
        detections = self._detect(rgb)
        return detections, (time.perf_counter() - started) * 1e3
