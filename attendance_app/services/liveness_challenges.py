"""Blink / head-turn challenges on camera frames: the kiosk's (Live view) and enrolment's.

KioskChallenge (one per live session, the GUI thread; FaceMesh on the asked face at most 15
times a second): when a recognised track has not shown
life `after_s` seconds after it was first seen recognised (or is already *suspect*), the
person on screen is asked to blink or turn their head (random, `timeout_s` to respond), one
person at a time. A pass makes the track *live* for the liveness gate (its states are
overridden on every later frame); a timeout leaves the track as it was, so under *require*
the gate sends it to the review queue as suspect. A track is asked once.

EnrolmentChallenge (webcam enrolment, always): the face in front of the camera must pass one
challenge before shots are accepted, so nobody is enrolled from a held-up photo. Photo and
folder import do not use it (they are photos by design).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from attendance_app.vision.live_types import FrameResult
from attendance_app.vision.liveness.challenge import (ChallengeKind, ChallengeStatus,
                                                      pick_kind)
from attendance_app.vision.liveness.face_challenge import DetectorLike, FaceChallenge
from attendance_app.vision.liveness.liveness_monitor import LandmarkerLike
from attendance_app.vision.liveness.liveness_state import LivenessState

__all__ = ["ChallengeStatus", "EnrolmentChallenge", "KioskChallenge", "KioskPrompt"]
SHOW_OUTCOME_S = 1.5  # "Thank you" / "not seen in time" stays this long on screen


@dataclass(frozen=True)
class KioskPrompt:
    """What the Live view shows over the video: the request and its state for one person."""

    track_id: int
    name: str
    status: ChallengeStatus

    @property
    def text(self) -> str:
        return f"{self.name}: {self.status.text}" if self.name else self.status.text


class KioskChallenge:
    def __init__(self, landmarker: LandmarkerLike, after_s: float = 2.0,
                 timeout_s: float = 5.0, rng: random.Random | None = None,
                 min_interval_s: float = 1 / 15) -> None:
        self._landmarker = landmarker
        # FaceMesh runs in the GUI thread while someone is asked: at most 15 times a second
        # (a blink still spans 2-6 samples), so a 30 fps camera costs half the frames' time
        self.min_interval_s = min_interval_s
        self.after_s = after_s
        self.timeout_s = timeout_s
        self._rng = rng or random.Random()
        self._first_seen: dict[int, float] = {}
        self._active: tuple[int, str, FaceChallenge] | None = None
        self._passed: dict[int, LivenessState] = {}
        self._asked: set[int] = set()
        self._last: tuple[float, KioskPrompt] | None = None
        self._shown: KioskPrompt | None = None
        self._last_step: float | None = None
        self.passed = self.failed = 0

    def step(self, rgb: np.ndarray | None, result: FrameResult
             ) -> tuple[FrameResult, KioskPrompt | None]:
        """Advance on one frame ((H, W, 3) uint8 RGB, None when only the result is known)
        and return the result with passed tracks marked live, and the prompt to show."""
        now = result.timestamp_s
        tracks = {t.track_id: t for t in result.tracks}
        prompt: KioskPrompt | None = None
        if self._active is not None and self._active[0] not in tracks:
            self._active = None  # the person left: nothing decided, the gate decides
        if self._active is None and rgb is not None:
            self._maybe_start(tracks, now)
        due = self._last_step is None or now - self._last_step >= self.min_interval_s
        if self._active is not None and rgb is not None and due:
            self._last_step = now
            track_id, name, challenge = self._active
            status = challenge.step(rgb, now, box=tracks[track_id].box)
            prompt = self._shown = KioskPrompt(track_id, name, status)
            if status.outcome != "waiting":
                self._finish(track_id, challenge, status, now)
                self._last = (now, prompt)
        elif self._active is not None:
            prompt = self._shown  # between checked frames the request stays on screen
        elif self._last is not None and now - self._last[0] <= SHOW_OUTCOME_S:
            prompt = self._last[1]
        if not self._passed:
            return result, prompt
        views = [replace(t, liveness=self._passed[t.track_id]) if t.track_id in self._passed
                 else t for t in result.tracks]
        return replace(result, tracks=views), prompt

    def _maybe_start(self, tracks: dict[int, Any], now: float) -> None:
        for track_id, view in tracks.items():
            state = view.liveness
            if view.state != "confirmed" or state is None or state.is_live \
                    or track_id in self._asked:
                continue
            first = self._first_seen.setdefault(track_id, now)
            if state.status == "suspect" or now - first >= self.after_s:
                self._asked.add(track_id)
                challenge = FaceChallenge(self._landmarker, now, pick_kind(self._rng),
                                          self.timeout_s)
                self._active = (track_id, view.name or "", challenge)
                self._last_step = None  # its first frame is checked at once
                return

    def _finish(self, track_id: int, challenge: FaceChallenge, status: ChallengeStatus,
                now: float) -> None:
        self._active = None
        if status.passed:
            self.passed += 1
            verb = "blinked" if challenge.kind == "blink" else "turned the head"
            self._passed[track_id] = LivenessState("live", f"{verb} when asked (challenge)",
                                                   0.0, {"challenge": 1})
        else:
            self.failed += 1


class EnrolmentChallenge:
    """One webcam-enrolment challenge: `start()`, then `step(rgb)` per frame until `passed`.
    Steps may run in a worker thread, one at a time; times default to the monotonic clock."""

    def __init__(self, landmarker: LandmarkerLike, detector: DetectorLike,
                 timeout_s: float = 6.0, rng: random.Random | None = None) -> None:
        self._landmarker = landmarker
        self._detector = detector
        self.timeout_s = timeout_s
        self._rng = rng or random.Random()
        self._challenge: FaceChallenge | None = None
        self.last: ChallengeStatus | None = None

    @property
    def passed(self) -> bool:
        return self.last is not None and self.last.passed

    def start(self, kind: ChallengeKind | None = None, time_s: float | None = None
              ) -> ChallengeStatus:
        now = time.monotonic() if time_s is None else time_s
        self._challenge = FaceChallenge(self._landmarker, now, kind or pick_kind(self._rng),
                                        self.timeout_s, detector=self._detector)
        self.last = self._challenge.challenge.update(now, None, "waiting for the first frame")
        self.last = replace(self.last, hint="")
        return self.last

    def step(self, rgb: np.ndarray, time_s: float | None = None) -> ChallengeStatus:
        """Feed one frame; a finished (or never started) challenge returns its last status."""
        if self._challenge is None:
            raise ValueError("start the challenge first")
        if self.last is not None and self.last.outcome != "waiting":
            return self.last
        now = time.monotonic() if time_s is None else time_s
        self.last = self._challenge.step(rgb, now)
        return self.last

    def reset(self) -> None:
        self._challenge = None
        self.last = None
