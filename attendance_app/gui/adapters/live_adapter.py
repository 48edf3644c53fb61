"""ServicesLive: the LiveBackend and SessionsBackend over AppServices.

Attendance taken here goes through services.SessionRun: each record is committed before the
window shows it. Corrections go through AttendanceService.correct_person (added, never
overwriting; who/when/why kept). Frame sources and the camera list come from
services.live_support, so gui/ imports no vision/ or storage/ module.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import numpy as np

from attendance_app.config import challenge_enabled
from attendance_app.domain.attendance import AttendanceStatus
from attendance_app.domain.errors import AttendanceAppError, ValidationError
from attendance_app.domain.session import Session
from attendance_app.services.scene_notice import scene_notice
from attendance_app.gui.backend import LiveUpdate, RecordRow, SuspectRow
from attendance_app.gui.widgets.attendance_list import AttendanceRow
from attendance_app.gui.widgets.thumbnails import png_from_rgb
from attendance_app.gui.widgets.video_view import FaceOverlay
from attendance_app.reporting.session_outcomes import corrections_text
from attendance_app.services.app_services import AppServices
from attendance_app.services.live_support import open_frame_source
from attendance_app.services.liveness_challenges import KioskChallenge
from attendance_app.services.liveness_gate import LivenessGate
from attendance_app.services.liveness_review import LivenessReview
from attendance_app.services.roster_service import RosterService

NOT_SEEN = "not seen yet"


class ServicesLive:
    services: AppServices
    _names: dict[int, str]
    _cameras: list[str]
    _run: Any
    _recognizer: Any
    _gate: Any  # services.liveness_gate.LivenessGate while a session is open
    _learner: Any = None  # services.camera_template_learner.CameraTemplateLearner, or None
    _kiosk: Any  # services.liveness_challenges.KioskChallenge when the challenge is on

    def open_frame_source(self, spec: str) -> Any:
        return open_frame_source(spec)

    def list_cameras(self) -> list[str]:
        return list(self._cameras)

    def live_processor(self, paced: bool = True) -> Any:
        """The frame processor of the running session. `paced` (camera, or a file played in
        real time): MTCNN runs on its own thread so the live view keeps the camera's rate."""
        if self._run is None:
            raise ValidationError("start a session first")
        if self._recognizer is not None:
            self._recognizer.close()
        # Looked up on every frame (not bound to today's dict, which people() replaces), so
        # someone enrolled during the session is shown by name at once.
        self._recognizer = self.services.make_recognizer(
            name_of=lambda pid: self._names.get(pid), async_detection=paced)
        return self._recognizer.process

    def usual_start(self, group: str | None) -> time | None:
        return RosterService(self.services.db, self.services.people_repository).usual_start(group)

    def start_session(self, name: str, roster_group: str | None,
                      late_after: datetime | None) -> tuple[Session, int | None]:
        """`late_after` None: the session's start + the late-after setting (the service's
        rule); the Live tab passes the time it shows, computed at the moment Start is pressed."""
        self.people()  # type: ignore[attr-defined]  # ServicesPeople: refreshes the names
        # the same name today continues a session a crash left open (nobody recorded twice)
        run, _resumed = self.services.attendance.start_or_resume(name, roster_group, late_after)
        self._run = run
        # The liveness policy (issue 15) decides when a sighting becomes a record, as in `run`.
        # Settings are read here: a change applies from the next session start.
        settings = self.services.settings
        wait_s = settings.liveness_wait_s
        self._kiosk = None
        if challenge_enabled(settings):
            self._kiosk = KioskChallenge(self.services.face_mesh(),
                                         after_s=min(2.0, settings.liveness_wait_s))
            wait_s += self._kiosk.timeout_s  # a challenge always ends before the wait does
        self._gate = LivenessGate(run, settings.liveness, wait_s)
        # Camera templates (issue 12 setting): clearly confirmed live views join the templates.
        self._learner = self.services.camera_learner(settings.liveness != "off")
        # Warm the gallery here; the camera thread reads it through GalleryProvider, which
        # reloads on its own connection after an enrolment or deletion invalidates it.
        self.services.gallery.current()
        return run.session, run.roster_size

    def interrupted_sessions(self) -> list[Session]:
        return self.services.attendance.interrupted_sessions()

    def close_interrupted(self, session_id: int) -> int:
        """Close a session a crash left open; returns how many absentees were recorded."""
        return len(self.services.attendance.close_interrupted(session_id))

    def stop_session(self) -> dict[str, int]:
        """Close the running session (absent records for roster members never seen) and
        return its summary (counts per status); {} when none was running."""
        summary: dict[str, int] = {}
        if self._run is not None:
            if self._gate is not None:  # sightings still waiting for liveness are decided now
                self._gate.close()
            self._run.close()
            summary = self._run.summary()
        if self._recognizer is not None:
            self._recognizer.close()
        self._run = self._recognizer = self._gate = self._kiosk = self._learner = None
        return summary

    def scene_notice(self, result: Any) -> str | None:
        return scene_notice(getattr(result, "events", ()))

    def handle_frame_result(self, result: Any, rgb: np.ndarray | None = None) -> LiveUpdate:
        prompt = None
        if self._kiosk is not None and self._run is not None:
            # before the gate: a passed challenge makes the track live in this very frame
            result, asked = self._kiosk.step(rgb, result)
            prompt = asked.text if asked is not None else None
        overlays = [FaceOverlay(t.box, t.state, _caption(t)) for t in result.tracks]
        arrivals, unknowns = [], []
        suspects: list[SuspectRow] = []
        relist = False
        if self._run is not None:
            crops = {s.person_id: s.crop for s in result.sightings}
            outcome = self._gate.process(result)
            if outcome.suspects:
                suspects = self.suspect_faces(self._run.session.id)
            relist = outcome.upgraded > 0
            # every record committed now (a retried one too), each once, after it is committed;
            # the liveness gate holds back or flags sightings per the Liveness setting
            for record in outcome.records:
                crop = crops.get(record.person_id)
                # an excused person's arrival keeps the excuse visible (note) and undoable
                arrivals.append(AttendanceRow(
                    record.person_id, record.person_name or f"#{record.person_id}",
                    record.arrival_time, record.effective_status.value,
                    png_from_rgb(crop) if crop is not None else record.thumbnail_png,
                    corrections_text(record.corrections), _has_open_correction(record),
                    liveness=record.liveness.value if record.liveness is not None else ""))
            for u in result.unknowns:
                self._run.on_unknown(u.crop, u.best_similarity)
            if self._learner is not None:
                self._learner.process(result)
        for u in result.unknowns:
            unknowns.append((u.track_id, u.crop))
        return LiveUpdate(overlays, arrivals, unknowns, suspects, prompt, relist)

    # ---------------------------------------------------------------- liveness review (15)
    def _review(self) -> LivenessReview:
        return LivenessReview(self.services.db, self.services.attendance)

    def _open_run(self, session_id: int | None) -> Any:
        return self._run if self._run is not None and self._run.session.id == session_id \
            else None

    def suspect_faces(self, session_id: int) -> list[SuspectRow]:
        return [SuspectRow(f.unknown_id, self._name_of(f.person_id), f.reason, f.time,
                           f.snapshot_png)
                for f in self._review().suspects(session_id)]

    def _name_of(self, person_id: int | None) -> str:
        if person_id in self._names:
            return self._names[person_id]  # type: ignore[index]
        try:  # a past session's suspect, before the People list was loaded
            return self.services.people_repository.get(person_id).name
        except AttendanceAppError:  # erased meanwhile
            return f"#{person_id}"

    def confirm_suspect(self, unknown_id: int, by: str) -> None:
        self._review().confirm_suspect(unknown_id, by, self._run)

    def reject_suspect(self, unknown_id: int, by: str) -> None:
        self._review().reject_suspect(unknown_id)

    def confirm_liveness(self, session_id: int, person_id: int, by: str) -> RecordRow:
        self._review().confirm_record(session_id, person_id, by)
        return self._row_of(session_id, person_id)

    def reject_liveness(self, session_id: int, person_id: int, by: str) -> RecordRow:
        self._review().reject_record(session_id, person_id, by, self._open_run(session_id))
        return self._row_of(session_id, person_id)

    # ---------------------------------------------------------------- sessions, GUI thread
    def past_sessions(self, limit: int = 200) -> list[Session]:
        return self.services.attendance.sessions(limit)

    def session_rows(self, session_id: int) -> list[RecordRow]:
        svc = self.services.attendance
        is_open = svc.get_session(session_id).is_open
        return [_record_row(o, is_open) for o in svc.overview(session_id)]

    def correct_record(self, session_id: int, person_id: int, status: str, reason: str,
                       by: str) -> RecordRow:
        run = self._run if self._run is not None and self._run.session.id == session_id \
            else None
        self.services.attendance.correct_person(session_id, person_id, status, by, reason, run)
        return self._row_of(session_id, person_id)

    def undo_correction(self, session_id: int, person_id: int, by: str) -> RecordRow:
        self.services.attendance.undo_person(session_id, person_id, by)
        return self._row_of(session_id, person_id)

    def _row_of(self, session_id: int, person_id: int) -> RecordRow:
        return next(r for r in self.session_rows(session_id) if r.person_id == person_id)


def _record_row(outcome: Any, session_open: bool) -> RecordRow:
    record = outcome.record
    status = outcome.status.value
    if record is None and session_open:
        status = NOT_SEEN
    shows_time = record is not None and outcome.status not in (AttendanceStatus.ABSENT,
                                                                AttendanceStatus.EXCUSED)
    return RecordRow(
        record.person_id if record is not None else outcome.key, outcome.display_name, status,
        record.arrival_time if shows_time else None,
        record.status.value if record is not None else "",
        corrections_text(record.corrections) if record is not None else "",
        _has_open_correction(record), outcome.on_roster,
        record.liveness.value if record is not None and record.liveness is not None else "")


def _has_open_correction(record: Any) -> bool:
    if record is None:
        return False
    depth = 0
    for c in record.corrections:
        depth = max(0, depth - 1) if c.action == "undo" else depth + (c.new_status is not None)
    return depth > 0


def _caption(track: Any) -> str:
    if track.state == "confirmed":
        return f"{track.name or 'Known'} {max(0.0, track.similarity) * 100:.0f}%"
    if track.state == "checking":
        return "checking…"
    return "Unknown"
