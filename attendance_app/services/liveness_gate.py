"""LivenessGate: the liveness policy between the recogniser's confirmed sightings and records.

- off: every sighting becomes a record at once, unmarked.
- flag: every sighting becomes a record at once, marked *live* when its track already showed
  life, else "liveness not shown"; if the track shows life within `wait_s` seconds the mark is
  upgraded to *live*. Flagged records stay for a teacher to review.
- require: a sighting waits (no record) until its track is *live*, then becomes a record marked
  live; after `wait_s` seconds without that, no record is written and the face goes to the
  review queue as *suspect* with the reason the track gave.
Times are the frames' timestamps (video seconds for files, the camera clock for cameras), so a
file gives the same result at any processing speed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from attendance_app.domain.attendance import AttendanceRecord, LivenessCheck
from attendance_app.domain.errors import ValidationError
from attendance_app.services.session_run import SessionRun
from attendance_app.vision.live_recognizer import ConfirmedSighting, FrameResult
from attendance_app.vision.liveness.liveness_state import LivenessState

LivenessMode = Literal["off", "flag", "require"]
LIVENESS_MODES: tuple[str, ...] = ("off", "flag", "require")


def check_mode(mode: str) -> LivenessMode:
    """`mode` if it is off / flag / require; ValidationError naming the choices otherwise."""
    if mode not in LIVENESS_MODES:
        raise ValidationError(f"liveness must be one of {', '.join(LIVENESS_MODES)}, "
                              f"not {mode!r}")
    return mode  # type: ignore[return-value]


@dataclass
class _Waiting:
    sighting: ConfirmedSighting
    deadline_s: float
    state: LivenessState
    record_id: int | None = None  # flag mode: the record already written


@dataclass
class GateOutcome:
    """What one frame's sightings and liveness changes produced."""

    records: list[AttendanceRecord] = field(default_factory=list)
    suspects: int = 0
    upgraded: int = 0


class LivenessGate:
    """Applies the policy for one session run; `process(result)` once per FrameResult."""

    def __init__(self, run: SessionRun, mode: str = "flag", wait_s: float = 5.0) -> None:
        if wait_s <= 0:
            raise ValidationError("the liveness wait must be a positive number of seconds")
        self._run = run
        self.mode = check_mode(mode)
        self._wait_s = wait_s
        self._waiting: dict[int, _Waiting] = {}

    @property
    def waiting(self) -> int:
        """Sightings held back (require) or flagged records still watched (flag)."""
        return len(self._waiting)

    def process(self, result: FrameResult) -> GateOutcome:
        """Take the frame's new sightings and its tracks' liveness; write what is due."""
        out = GateOutcome()
        states = {v.track_id: v.liveness for v in result.tracks if v.liveness is not None}
        for sighting in result.sightings:
            self._on_sighting(sighting, states.get(sighting.track_id), out)
        for track_id, waiting in list(self._waiting.items()):
            state = states.get(track_id)
            if state is not None:
                waiting.state = state
            if waiting.state.is_live:
                self._release_live(track_id, waiting, out)
            elif result.timestamp_s >= waiting.deadline_s:
                self._expire(track_id, waiting, out)
        out.records.extend(self._run.poll())  # held records are retried on every frame
        return out

    def close(self) -> GateOutcome:
        """End of the session: sightings still waiting are handled as if their time ran out."""
        out = GateOutcome()
        for track_id, waiting in list(self._waiting.items()):
            self._expire(track_id, waiting, out)
        return out

    # -------------------------------------------------------------- internals
    def _on_sighting(self, sighting: ConfirmedSighting, state: LivenessState | None,
                     out: GateOutcome) -> None:
        state = state or LivenessState()
        if self.mode == "off":
            self._record(sighting, None, out)
            return
        if state.is_live:
            self._record(sighting, LivenessCheck.LIVE, out)
            return
        waiting = _Waiting(sighting, sighting.time_s + self._wait_s, state)
        if self.mode == "flag":
            record = self._record(sighting, LivenessCheck.NOT_SHOWN, out)
            if record is None:
                return  # already recorded in this session, or not written: nothing to watch
            waiting.record_id = record.id
        self._waiting[sighting.track_id] = waiting

    def _release_live(self, track_id: int, waiting: _Waiting, out: GateOutcome) -> None:
        del self._waiting[track_id]
        if waiting.record_id is not None:
            if self._run.mark_liveness(waiting.record_id, LivenessCheck.LIVE) is not None:
                out.upgraded += 1
        else:
            self._record(waiting.sighting, LivenessCheck.LIVE, out)

    def _expire(self, track_id: int, waiting: _Waiting, out: GateOutcome) -> None:
        del self._waiting[track_id]
        if waiting.record_id is not None:
            return  # flag: the record keeps "liveness not shown" for review
        s = waiting.sighting
        reason = waiting.state.reason if waiting.state.status != "live" else "not live in time"
        self._run.on_suspect(s.crop, s.similarity, s.person_id,
                             f"{waiting.state.status}: {reason}")
        out.suspects += 1

    def _record(self, sighting: ConfirmedSighting, liveness: LivenessCheck | None,
                out: GateOutcome) -> AttendanceRecord | None:
        # Every record committed by the call (a held earlier one too, issue 14), each once.
        written = self._run.on_sighting(sighting.person_id, sighting.similarity, sighting.crop,
                                        liveness=liveness)
        out.records.extend(written)
        return next((r for r in written if r.person_id == sighting.person_id), None)

