"""A light in-memory GuiBackend for window tests that do not need the real models.

It is faked at the edge only (no torch, no SQLite); tests that need real recognition use the
services backend. Register it with `install()` and pass FAKE_MODULE as `backend_module`.
"""

from __future__ import annotations

import sys
import threading
import time
import types
from dataclasses import replace
from datetime import datetime
from datetime import time as dt_time
from pathlib import Path
from typing import Any

import numpy as np

from attendance_app.config import Settings
from attendance_app.domain.errors import (AccessDeniedError, CameraError, NotFoundError,
                                          TrainingError, ValidationError, WeightsError)
from attendance_app.domain.face_box import FaceBox
from attendance_app.domain.person import Person
from attendance_app.domain.session import Session
from attendance_app.services.scene_notice import scene_notice
from attendance_app.gui.backend import (FolderEnrolResult, FolderProgress, LiveUpdate, TemplateRow,
                                        ModelRow, RecordRow, RosterPlan, RosterRow, ShotCheck,
                                        SuspectRow, TrainingOutcome, TrainingRequest,
                                        TrainingTick)
from attendance_app.services.liveness_challenges import ChallengeStatus
from attendance_app.services.dataset_folder import person_from_folder
from attendance_app.gui.task_runner import TaskCancelled
from attendance_app.gui.widgets.attendance_list import AttendanceRow
from attendance_app.gui.widgets.video_view import FaceOverlay
from attendance_app.reporting.report_table import NO_RECORDS, Column, ReportTable

FAKE_MODULE = "_attendance_fake_backend"


class FakeCamera:
    is_live = True

    def __init__(self) -> None:
        self.closed = False

    def read(self) -> np.ndarray:
        return np.full((120, 160, 3), 90, np.uint8)

    def close(self) -> None:
        self.closed = True


class FakeBackend:
    def __init__(self, camera_available: bool = True) -> None:
        self.camera_available = camera_available
        self.model_threshold: float | None = None  # the active model's own, when it has one
        self.interrupted: list[Session] = []  # sessions a crash left open
        self.closed_interrupted: list[int] = []
        self.started_sessions: list[str] = []
        self.sync_text: str | None = None  # no shared server
        self.templates: list[tuple[int, TemplateRow]] = []  # (person id, row)
        self.removed_templates: list[int] = []
        self.cameras: list[FakeCamera] = []
        self._people: dict[int, Person] = {}
        self.enrolled_crops: dict[int, list[np.ndarray]] = {}
        self._settings = Settings()
        self.closed = False
        # training: a registry with the converted model active; a run of `train_steps` ticks
        # `train_step_s` apart (the test may hold it at a step with `train_gate`)
        self.registry: dict[int, ModelRow] = {1: ModelRow(
            1, "fake model", "converted", datetime(2026, 1, 5, 9, 0), True)}
        self.train_steps = 12
        self.train_step_s = 0.005
        self.train_gate: threading.Event | None = None
        self.train_improves = True
        self.train_requests: list[TrainingRequest] = []
        self.activated: list[int] = []
        self.discarded: list[int] = []
        # trust (issue 7): an optional admin password and passphrase, start-up warnings,
        # housekeeping calls; the module's check_database/restore_backup use db_report/restored
        self.admin_password: str | None = None
        self.admin_attempts: list[str | None] = []
        self.passphrase: str | None = None  # set: the face data starts locked
        self.locked = False
        self.warnings: list[str] = []
        self.housekeeping_warnings: list[str] = []
        self.housekeeping_calls = 0
        self.db_report: Any = None
        self.restored: list[Path] = []
        self.restore_error: Exception | None = None
        # issue 13: sessions and their rows, corrections, groups, folder enrolment
        self.sessions: list[Session] = []
        self.rows: dict[int, RecordRow] = {}
        self.history: dict[int, list[RecordRow]] = {}
        self.created_groups: dict[str, dt_time | None] = {}
        self.roster_rows: list[RosterRow] = []
        self.roster_problems: list[str] = []
        self.folder_step_s = 0.0
        self.background_reloads = 0
        self.suspects: list[SuspectRow] = []  # issue 15
        self.reviewed: list[tuple[str, int]] = []

    def warm_up(self, ctx: Any) -> str:
        return "fake model"

    def check_shot(self, rgb, pose) -> ShotCheck:
        return ShotCheck(np.zeros((160, 160, 3), np.uint8))

    # issue 15: the fake's enrolment challenge passes at once (the real one: test_liveness_gui)
    def start_enrol_challenge(self, kind: str | None = None,
                              time_s: float | None = None) -> Any:
        return ChallengeStatus(kind or "blink", "passed", "Please blink")  # type: ignore[arg-type]

    def enrol_challenge_step(self, rgb: np.ndarray, time_s: float | None = None) -> Any:
        return ChallengeStatus("blink", "passed", "Please blink")

    def reset_enrol_challenge(self) -> None:
        pass

    def check_photo(self, path: Path) -> ShotCheck:
        return ShotCheck(np.zeros((160, 160, 3), np.uint8))

    def open_frame_source(self, spec: str):
        if not self.camera_available:
            raise CameraError("camera 0 could not be opened; no cameras found")
        cam = FakeCamera()
        self.cameras.append(cam)
        return cam

    def list_cameras(self) -> list[str]:
        return ["0"] if self.camera_available else []

    def live_processor(self, paced: bool = True):
        return lambda frame: "processed"

    def folder_preview(self, folder: Path) -> list[tuple[str, str, str | None, int]]:
        return [(d.name, *person_from_folder(d.name), sum(1 for f in d.iterdir()))
                for d in sorted(Path(folder).iterdir()) if d.is_dir()]

    def enrol_folder(self, folder: Path, group: str | None, consent_by: str,
                     ctx: Any) -> FolderEnrolResult:
        """Each sub-folder is one person, saved whole; `folder_step_s` per photo."""
        enrolled = []
        preview = self.folder_preview(folder)
        for k, (_folder, name, external_id, photos) in enumerate(preview):
            for _ in range(photos):
                time.sleep(self.folder_step_s)
                if ctx.is_cancelled():
                    raise TaskCancelled()
            self._add(name, external_id, group, photos, consent_by)
            enrolled.append((name, photos))
            ctx.report_progress((k + 1) / len(preview), FolderProgress(
                k + 1, len(preview), k + 1, len(preview), None).text())
        return FolderEnrolResult(enrolled, [])

    def after_background_enrolment(self) -> None:
        self.background_reloads += 1

    def people(self) -> list[Person]:
        return list(self._people.values())

    def thumbnails(self) -> dict[int, bytes]:
        return {}

    def groups(self) -> list[str]:
        return sorted({p.group for p in self._people.values() if p.group}
                      | set(self.created_groups))

    def create_group(self, name: str, usual_start: dt_time | None) -> str:
        if not name.strip() or name in self.groups():
            raise ValidationError(f"a group called {name!r} already exists")
        self.created_groups[name.strip()] = usual_start
        return name.strip()

    def rename_group(self, old: str, new: str) -> int:
        moved = [p for p in self._people.values() if p.group == old]
        for p in moved:
            self._people[p.id] = replace(p, group=new)
        if old in self.created_groups:
            self.created_groups[new] = self.created_groups.pop(old)
        return len(moved)

    def move_to_group(self, person_ids: list[int], group: str | None) -> int:
        for pid in person_ids:
            self._people[pid] = replace(self._people[pid], group=group or None)
        return len(person_ids)

    def person_templates(self, person_id: int) -> list[TemplateRow]:
        return [t for pid, t in self.templates if pid == person_id]

    def remove_template(self, template_id: int) -> None:
        self.removed_templates.append(template_id)
        self.templates = [(pid, t) for pid, t in self.templates if t.template_id != template_id]

    def plan_roster_import(self, path: Path) -> RosterPlan:
        return RosterPlan(Path(path), tuple(self.roster_rows), tuple(self.roster_problems))

    def apply_roster_import(self, plan: RosterPlan, consent_by: str, ctx: Any) -> RosterPlan:
        for row in plan.rows:
            self._add(row.name, row.external_id, row.group, 0, consent_by)
        return replace(plan, done=tuple(r.name for r in plan.rows))

    def usual_start(self, group: str | None) -> dt_time | None:
        return self.created_groups.get(group) if group else None

    def find_existing(self, crops):
        return None

    def enrol(self, name: str, external_id: str | None, group: str | None,
              crops: list[np.ndarray], consent_by: str) -> Person:
        person = self._add(name, external_id, group, len(crops), consent_by)
        self.enrolled_crops[person.id] = list(crops)
        return person

    def _add(self, name, external_id, group, templates, consent_by) -> Person:
        pid = max(self._people, default=0) + 1
        person = Person(pid, name, external_id, group, consent_by=consent_by,
                        created_at=datetime.now(), template_count=templates)
        self._people[pid] = person
        return person

    def update_person(self, person_id, name, external_id, group) -> Person:
        old = self._people[person_id]
        self._people[person_id] = Person(person_id, name, external_id, group,
                                         template_count=old.template_count)
        return self._people[person_id]

    def delete_person(self, person_id: int) -> None:
        del self._people[person_id]
        self.enrolled_crops.pop(person_id, None)

    def start_session(self, name: str, roster_group: str | None,
                      late_after: datetime | None) -> tuple[Session, int | None]:
        session = Session(len(self.sessions) + 1, name, datetime.now().replace(microsecond=0),
                          roster_group, late_after)
        self.sessions.append(session)
        self.started_sessions.append(name)
        return session, None

    def stop_session(self) -> dict[str, int]:
        return {"present": len(self.rows)}

    def past_sessions(self, limit: int = 200) -> list[Session]:
        return self.sessions[::-1][:limit]

    def session_rows(self, session_id: int) -> list[RecordRow]:
        return list(self.rows.values())

    def correct_record(self, session_id: int, person_id: int, status: str, reason: str,
                       by: str) -> RecordRow:
        old = self.rows.get(person_id) or RecordRow(person_id, f"#{person_id}", "absent")
        self.history.setdefault(person_id, []).append(old)
        self.rows[person_id] = replace(old, status=status, corrections=f"{by}: {reason}",
                                       can_undo=True)
        return self.rows[person_id]

    def undo_correction(self, session_id: int, person_id: int, by: str) -> RecordRow:
        if not self.history.get(person_id):
            raise ValidationError("there is no correction to undo")
        self.rows[person_id] = self.history[person_id].pop()
        return self.rows[person_id]

    def interrupted_sessions(self) -> list[Session]:
        return list(self.interrupted)

    def close_interrupted(self, session_id: int) -> int:
        self.interrupted = [s for s in self.interrupted if s.id != session_id]
        self.closed_interrupted.append(session_id)
        return 2

    def scene_notice(self, result) -> str | None:
        return scene_notice(getattr(result, "events", ()))

    # issue 15: suspect faces and flagged records
    def suspect_faces(self, session_id: int) -> list[SuspectRow]:
        return list(self.suspects)

    def confirm_suspect(self, unknown_id: int, by: str) -> None:
        self.suspects = [s for s in self.suspects if s.unknown_id != unknown_id]
        self.reviewed.append(("confirm", unknown_id))

    def reject_suspect(self, unknown_id: int, by: str) -> None:
        self.suspects = [s for s in self.suspects if s.unknown_id != unknown_id]
        self.reviewed.append(("reject", unknown_id))

    def confirm_liveness(self, session_id: int, person_id: int, by: str) -> RecordRow:
        self.rows[person_id] = replace(self.rows[person_id], liveness="confirmed by teacher")
        return self.rows[person_id]

    def reject_liveness(self, session_id: int, person_id: int, by: str) -> RecordRow:
        return self.correct_record(session_id, person_id, "absent", "photo", by)

    def handle_frame_result(self, result, rgb: np.ndarray | None = None) -> LiveUpdate:
        return LiveUpdate([FaceOverlay(FaceBox(10, 10, 60, 70), "confirmed", "Ada 90%")],
                          [AttendanceRow(1, "Ada", datetime.now(), "present")])

    def similarity_scores_job(self, ctx: Any) -> tuple[np.ndarray, np.ndarray]:
        return self.similarity_scores()

    def similarity_scores(self):
        return np.array([0.8, 0.7]), np.array([0.1, 0.2])

    def active_model_name(self) -> str:
        return "fake model"

    def settings(self) -> Settings:
        return self._settings

    def save_settings(self, settings: Settings, model_threshold: float | None = None) -> None:
        self._settings = settings
        if model_threshold is not None:
            self.model_threshold = model_threshold

    def threshold_in_force(self) -> tuple[float, bool]:
        if self.model_threshold is not None:
            return self.model_threshold, True
        return self._settings.match_threshold, False

    # --- reports: no sessions are stored here; the reports tab test uses a real database
    def report_sessions(self) -> list[Session]:
        return []

    def report_people(self) -> list[Person]:
        return self.people()

    def report_groups(self) -> list[str]:
        return self.groups()

    def session_reports(self, name, on, at) -> list[ReportTable]:
        raise NotFoundError(f"no session called {name!r} on {on.isoformat()}")

    def session_report_by_id(self, session_id: int) -> ReportTable:
        return self._empty_report(f"Session report: {session_id}")

    def person_report(self, who, start, end) -> ReportTable:
        return self._empty_report(f"Attendance of {who}")

    def group_report(self, group, start, end) -> ReportTable:
        return self._empty_report(f"Group report: {group}")

    def unknown_faces_report(self, start, end) -> ReportTable:
        return self._empty_report("Unknown faces")

    def export_report(self, tables, fmt, path) -> Path:
        Path(path).write_text("\n".join(t.title for t in tables), encoding="utf-8")
        return Path(path)

    @staticmethod
    def _empty_report(title: str) -> ReportTable:
        return ReportTable(title, "fake period", datetime.now(), (Column("Name"),), (),
                           {"Result": NO_RECORDS})

    # --- training: a fake run that ticks, respects cancel and registers a candidate
    def training_defaults(self) -> tuple[TrainingRequest, tuple[str, ...]]:
        return (TrainingRequest(trainable_blocks=("repeat_3", "block8", "last_linear", "last_bn")),
                ("repeat_1", "mixed_6a", "repeat_2", "mixed_7a", "repeat_3", "block8",
                 "last_linear", "last_bn"))

    def enrolled_training_counts(self) -> tuple[int, int, int]:
        counts = [len(c) for c in self.enrolled_crops.values() if c]
        return len(counts), sum(counts), sum(1 for n in counts if n >= 2)

    def folder_training_counts(self, folder: Path) -> tuple[int, int]:
        return 3, 30

    def train(self, request: TrainingRequest, ctx: Any, on_tick) -> TrainingOutcome:
        """Refuses like the service without 2 people of 2+ crops (enrolled only); else ticks
        `train_steps` training steps (waiting at step 3 while `train_gate` is unset), stops at
        a cancel, and registers an inactive candidate when it finishes."""
        self.train_requests.append(request)
        usable = sum(1 for c in self.enrolled_crops.values() if len(c) >= 2)
        if request.folder is None and usable < 2:
            raise TrainingError(f"training needs at least 2 people with 2 or more face crops "
                                f"each (have {usable} of {len(self.enrolled_crops)} people)")
        on_tick(TrainingTick("caching", 0, 5, 10))
        per_epoch = max(1, self.train_steps // 3)
        for step in range(1, self.train_steps + 1):
            if self.train_gate is not None and step == 3:
                self.train_gate.wait(10)
            if ctx.is_cancelled():
                raise TaskCancelled()
            loss = None if step == 2 else 0.2 / step
            on_tick(TrainingTick("training", 1 + (step - 1) // per_epoch, step, self.train_steps,
                                 loss, 1.0 / step, 0.01 * (self.train_steps - step)))
            time.sleep(self.train_step_s)
        if ctx.is_cancelled():
            raise TaskCancelled()
        before = {"rank1": 0.85, "tar_at_far_1pct": 0.70, "threshold": 0.55}
        after = ({"rank1": 0.89, "tar_at_far_1pct": 0.75, "threshold": 0.52}
                 if self.train_improves else
                 {"rank1": 0.80, "tar_at_far_1pct": 0.68, "threshold": 0.57})
        new_id = max(self.registry) + 1
        model = ModelRow(new_id, f"fine-tuned from 1: rank-1 0.850 -> {after['rank1']:.3f}",
                         "finetuned", datetime.now(), False, 1,
                         {"before": before, "after": after})
        self.registry[new_id] = model
        return TrainingOutcome(False, model, before, after, self.train_improves,
                               ("fake run",), (), 1.5, 200.0, 3)

    def list_models(self) -> list[ModelRow]:
        return list(self.registry.values())

    def active_model_id(self) -> int:
        return next(m.id for m in self.registry.values() if m.is_active)

    def activate_model(self, model_id: int, ctx: Any) -> int:
        ctx.report_progress(0.5, "Re-embedding face 1 of 2")
        self.activated.append(model_id)
        self.registry = {i: ModelRow(m.id, m.name, m.kind, m.created_at, i == model_id,
                                     m.parent_id, m.metrics) for i, m in self.registry.items()}
        return 2

    def discard_model(self, model_id: int) -> None:
        if self.registry[model_id].is_active:
            raise WeightsError("the active model cannot be discarded")
        del self.registry[model_id]
        self.discarded.append(model_id)

    # --- trust (issue 7)
    def sync_status_text(self) -> str | None:
        return self.sync_text

    def startup_warnings(self) -> list[str]:
        return list(self.warnings)

    def housekeeping(self) -> list[str]:
        self.housekeeping_calls += 1
        return list(self.housekeeping_warnings)

    def biometrics_locked(self) -> bool:
        return self.locked

    def unlock(self, passphrase: str) -> None:
        if passphrase != self.passphrase:
            raise AccessDeniedError("wrong passphrase for the encrypted face data")
        self.locked = False

    def admin_password_set(self) -> bool:
        return self.admin_password is not None

    def require_admin(self, password_provider) -> None:
        if self.admin_password is None:
            return
        given = password_provider()
        self.admin_attempts.append(given)
        if not given:
            raise AccessDeniedError("this action needs the administrator password")
        if given != self.admin_password:
            raise AccessDeniedError("wrong administrator password; the next attempt is "
                                    "possible in 2 s")

    def set_admin_password(self, new_password: str) -> None:
        if len(new_password) < 8:
            raise ValidationError("the administrator password needs at least 8 characters")
        self.admin_password = new_password

    def close(self) -> None:
        self.closed = True


def install(backend: FakeBackend) -> str:
    """Register a module whose open_backend returns `backend`; returns the module name."""
    module = types.ModuleType(FAKE_MODULE)
    module.open_backend = lambda paths, settings: backend  # type: ignore[attr-defined]
    if backend.passphrase is not None:
        backend.locked = True

    def restore_backup(paths, src):
        if backend.restore_error is not None:
            raise backend.restore_error
        backend.restored.append(Path(src))
        backend.db_report = None
        return None

    module.check_database = lambda paths: backend.db_report  # type: ignore[attr-defined]
    module.restore_backup = restore_backup  # type: ignore[attr-defined]
    sys.modules[FAKE_MODULE] = module
    return FAKE_MODULE
