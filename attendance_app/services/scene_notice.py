"""scene_notice: what the live pipeline noticed about the picture itself, in plain words.

The recogniser reports per frame when the picture went black, stopped changing (a frozen
camera or driver), or changed size (a camera renegotiating its mode); issue 11 asks that the
status says so. Shot cuts and dropped stale detections are normal in videos and not shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

_FROZEN_PREFIX = "picture unchanged for "


SceneKind = Literal["black", "frozen", "resize"]


def _classify(events: Iterable[str], fps: float) -> tuple[SceneKind, str] | None:
    """(kind, notice) for one frame's events, the most serious first; None when all is normal."""
    events = list(events)
    if "black frame" in events:
        return "black", "The picture is black: is the camera covered, or the room dark?"
    frozen = [e for e in events if e.startswith(_FROZEN_PREFIX)]
    if frozen:
        frames = int(frozen[-1][len(_FROZEN_PREFIX):].split()[0])
        return "frozen", (f"The picture has not changed for {frames / max(fps, 1.0):.0f} s: "
                          "the camera may be frozen (names are not updated)")
    if "frame size changed" in events:
        return "resize", "The camera changed its picture size: every face is being checked again"
    return None


def scene_notice(events: Iterable[str], fps: float = 30.0) -> str | None:
    """The notice for one frame's events, the most serious first; None when all is normal."""
    found = _classify(events, fps)
    return found[1] if found is not None else None


class SceneNoticeLog:
    """For a log or a terminal: `observe(events)` (one call per frame) returns a line only when
    the notice changes (a black picture is said once, not 30 times a second) and "picture
    normal again" after `hold_frames` frames without it (a frozen picture is reported every
    30 frames, so shorter quiet spells do not count)."""

    def __init__(self, fps: float = 30.0, hold_frames: int = 45) -> None:
        self._fps = fps
        self._hold = hold_frames
        self._kind: SceneKind | None = None
        self._quiet = 0

    def observe(self, events: Iterable[str]) -> str | None:
        found = _classify(events, self._fps)
        if found is None:
            self._quiet += 1
            if self._kind is None or self._quiet < self._hold:
                return None
            was_resize, self._kind = self._kind == "resize", None
            return None if was_resize else "picture normal again"
        self._quiet = 0
        kind, notice = found
        if kind == self._kind:
            return None
        self._kind = kind
        return notice
