"""LivenessChallenge: ask the person to blink or turn their head, and check it from landmarks.

Used by the kiosk (Live view, when passive evidence stays inconclusive) and by webcam
enrolment (always). Pure: fed one FaceMesh sample (or the reason there is none) per frame of
one face, it says whether the response has been seen, with no camera or model inside, so it
is unit-testable on recorded landmark sequences.

- **blink**: the existing EyeBlinkCue (a dip of eye openness below its recent median and back,
  normalised by the face's aspect so that tilting a picture is no blink).
- **turn**: the nose's position between the cheeks (a yaw proxy: about 0 facing the camera,
  +-0.2 or more for a clear turn) must move by `min_turn` from where it was at the start (the
  median of the first `BASELINE_SAMPLES` usable samples), AND the mesh motion from the start
  must break planarity (homography residual above the LivenessConfig's `planar_residual`):
  a photo rotated by hand moves as one plane, so its nose stays where it was between its
  cheeks and its points fit one homography. Both on `SUSTAINED` consecutive usable samples:
  FaceMesh on a small face on a phone screen jitters by single-sample spikes of up to 0.17
  (measured on generated attacks), a head turn lasts. A jump of the face (another person
  became the largest face, or a tracker jump) restarts the baseline instead of passing.
Samples the observation gate refuses (face too small, too dark, at the edge, no landmarks)
count for nothing and turn into a hint for the person ("come closer", "more light"): a bad
picture can only time out, never pass.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

import numpy as np

from attendance_app.vision.liveness.eye_blink import EyeBlinkCue
from attendance_app.vision.liveness.liveness_state import LivenessConfig
from attendance_app.vision.liveness.mesh_geometry import LEFT_CHEEK, RIGHT_CHEEK, inter_ocular
from attendance_app.vision.liveness.nonrigid_motion import homography_residual

ChallengeKind = Literal["blink", "turn"]
ChallengeOutcome = Literal["waiting", "passed", "failed"]
CHALLENGE_KINDS: tuple[ChallengeKind, ...] = ("blink", "turn")
NOSE_TIP = 1  # MediaPipe's canonical index of the nose tip
BASELINE_SAMPLES = 3
SUSTAINED = 2
_MAX_SCALE_CHANGE = 1.35  # inter-ocular ratio between consecutive samples of one face
_MAX_SHIFT = 1.5  # eye-centre shift between consecutive samples, in inter-ocular distances
PROMPTS: dict[ChallengeKind, str] = {"blink": "Please blink",
                                     "turn": "Please turn your head to one side"}


@dataclass(frozen=True)
class ChallengeStatus:
    """Where a challenge stands: `outcome` waiting / passed / failed (timed out); `prompt` the
    request to show; `hint` what is wrong with the picture now ("" when it is usable);
    `remaining_s` seconds left (0 once decided)."""

    kind: ChallengeKind
    outcome: ChallengeOutcome
    prompt: str
    hint: str = ""
    remaining_s: float = 0.0

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    @property
    def text(self) -> str:
        """One line for the screen."""
        if self.outcome == "passed":
            return "Thank you"
        if self.outcome == "failed":
            return f"{self.prompt}: not seen in time"
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.prompt} — {self.remaining_s:.0f} s{hint}"


def pick_kind(rng: random.Random | None = None) -> ChallengeKind:
    """A random challenge, so that a prepared answer (a clip of one blink) fits only half."""
    return (rng or random.Random()).choice(CHALLENGE_KINDS)


def hint_for(reason: str) -> str:
    """A request the person can act on, for an observation-gate reason."""
    text = reason.lower()
    if "small" in text:
        return "come closer"
    if "dark" in text or "contrast" in text:
        return "more light, please"
    if "edge" in text or "outside" in text:
        return "move to the centre of the picture"
    if "no face found" in text:
        return "face the camera (come closer if you are far)"
    if "no face" in text or "landmark" in text:
        return "face the camera"
    return reason


def yaw_proxy(xy: np.ndarray) -> float:
    """The nose tip's position along the cheek-to-cheek axis, 0 at the midpoint, in cheek
    widths (signed; about +-0.5 at a profile). `xy` is a (468, 2) FaceMesh in pixels."""
    left, right, nose = xy[LEFT_CHEEK], xy[RIGHT_CHEEK], xy[NOSE_TIP]
    axis = right - left
    width2 = float(axis @ axis)
    if width2 <= 0:
        return 0.0
    return float((nose - (left + right) / 2) @ axis / width2)


class LivenessChallenge:
    """One challenge for one face, started at `started_s` (seconds, the frames' clock)."""

    def __init__(self, kind: ChallengeKind, started_s: float, timeout_s: float = 5.0,
                 config: LivenessConfig | None = None, min_turn: float = 0.15) -> None:
        if kind not in CHALLENGE_KINDS:
            raise ValueError(f"unknown challenge {kind!r}")
        if timeout_s <= 0 or min_turn <= 0:
            raise ValueError("timeout_s and min_turn must be positive")
        self.kind: ChallengeKind = kind
        self._cfg = config or LivenessConfig()
        self._start = started_s
        self._timeout = timeout_s
        self._min_turn = min_turn
        self._blink = EyeBlinkCue(self._cfg)
        self._start_samples: list[tuple[float, np.ndarray]] = []  # (yaw, xy) of the start
        self._ref: np.ndarray | None = None  # the start's median-yaw sample (turn)
        self._ref_yaw = 0.0
        self._previous: np.ndarray | None = None
        self._turned_run = 0
        self._outcome: ChallengeOutcome = "waiting"
        self.best_turn = 0.0  # largest yaw change seen with non-planar motion (diagnostics)

    @property
    def outcome(self) -> ChallengeOutcome:
        return self._outcome

    def update(self, time_s: float, xy: np.ndarray | None, reason: str | None = None
               ) -> ChallengeStatus:
        """Feed one frame: `xy` the face's (468, 2) mesh points in pixels, or None with
        `reason` (the observation gate's words) when the sample is not usable."""
        if self._outcome != "waiting":
            return self._status("")
        remaining = self._timeout - (time_s - self._start)
        if remaining < 0:
            self._outcome = "failed"
            return self._status("")
        if xy is None or reason is not None:
            return self._status(hint_for(reason or "no face landmarks found"), remaining)
        xy = np.asarray(xy, dtype=np.float64)
        if self.kind == "blink":
            if self._blink.update(time_s, xy):
                self._outcome = "passed"
        elif self._turned(xy):
            self._outcome = "passed"
        return self._status("", remaining)

    def _turned(self, xy: np.ndarray) -> bool:
        yaw = yaw_proxy(xy)
        previous, self._previous = self._previous, xy
        if previous is not None and _jumped(previous, xy):
            self._start_samples, self._ref, self._turned_run = [], None, 0
        if self._ref is None:
            self._start_samples.append((yaw, xy))
            if len(self._start_samples) >= BASELINE_SAMPLES:
                ordered = sorted(self._start_samples, key=lambda s: s[0])
                self._ref_yaw, self._ref = ordered[len(ordered) // 2]
            return False
        change = abs(yaw - self._ref_yaw)
        scale = (inter_ocular(self._ref) + inter_ocular(xy)) / 2
        planar = homography_residual(self._ref, xy, scale) if change >= self._min_turn \
            else 0.0
        # the nose moved AND the points left one plane (a picture keeps them on it)
        if change >= self._min_turn and self._cfg.planar_residual < planar \
                < self._cfg.max_residual:
            self._turned_run += 1
            self.best_turn = max(self.best_turn, change)
        else:
            self._turned_run = 0
        return self._turned_run >= SUSTAINED

    def _status(self, hint: str, remaining: float = 0.0) -> ChallengeStatus:
        return ChallengeStatus(self.kind, self._outcome, PROMPTS[self.kind], hint,
                               max(0.0, remaining) if self._outcome == "waiting" else 0.0)


def _jumped(previous: np.ndarray, xy: np.ndarray) -> bool:
    """Not the same face as the previous sample: its size or place changed too much."""
    a, b = inter_ocular(previous), inter_ocular(xy)
    if a <= 0 or b <= 0 or max(a, b) / min(a, b) > _MAX_SCALE_CHANGE:
        return True
    shift = float(np.linalg.norm(previous.mean(axis=0) - xy.mean(axis=0)))
    return shift > _MAX_SHIFT * (a + b) / 2
