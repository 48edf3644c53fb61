"""list_cameras: which webcam indices open, for pickers and for 'no camera 3' messages.

Probing is kept quick: on Linux an index without a /dev/videoN node is skipped without asking
OpenCV, and OpenCV's own warnings about missing devices are silenced while probing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2


def list_cameras(max_index: int = 5) -> list[int]:
    """Indices 0..max_index-1 whose camera opens and delivers one frame. Never raises."""
    found: list[int] = []
    with _quiet_opencv():
        for index in range(max_index):
            if sys.platform.startswith("linux") and not Path(f"/dev/video{index}").exists():
                continue
            cap = cv2.VideoCapture(index)
            try:
                if cap.isOpened() and cap.read()[0]:
                    found.append(index)
            except cv2.error:
                pass
            finally:
                cap.release()
    return found


def describe_cameras(cameras: list[int]) -> str:
    """Plain words for an error message: 'cameras found: 0, 2' or 'no camera was found'."""
    if not cameras:
        return "no camera was found on this computer"
    return "cameras found: " + ", ".join(str(i) for i in cameras)


class _quiet_opencv:
    """Silence OpenCV's log (missing device warnings) for the duration of a probe."""

    def __enter__(self) -> None:
        logging = getattr(cv2.utils, "logging", None)
        self._logging = logging
        if logging is not None:
            self._level = logging.getLogLevel()
            logging.setLogLevel(logging.LOG_LEVEL_ERROR)

    def __exit__(self, *exc: object) -> None:
        if self._logging is not None:
            self._logging.setLogLevel(self._level)
