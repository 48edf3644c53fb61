"""ReadAhead: frames of a file decoded a few frames before the recogniser reaches them, so it
can detect the next detection frame on a second thread (LiveRecognizer.process's `upcoming`)."""

from __future__ import annotations

from collections import deque

from attendance_app.vision.frame_source import Frame, FrameSource


class ReadAhead:
    """`next()` returns the source's frames in order (None at the end); `upcoming` holds the
    up to `depth` frames already read after the one `next()` returned last; `close()` closes
    the source."""

    def __init__(self, source: FrameSource, depth: int) -> None:
        self._source = source
        self._depth = depth
        self._frames: deque[Frame] = deque()
        self._ended = False

    def next(self) -> Frame | None:
        self._fill(self._depth + 1)
        return self._frames.popleft() if self._frames else None

    @property
    def upcoming(self) -> tuple[Frame, ...]:
        return tuple(self._frames)

    def close(self) -> None:
        self._frames.clear()
        self._source.close()

    def _fill(self, count: int) -> None:
        while not self._ended and len(self._frames) < count:
            frame = self._source.read()
            if frame is None:
                self._ended = True
            else:
                self._frames.append(frame)
