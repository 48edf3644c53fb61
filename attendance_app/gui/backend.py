"""GuiBackend: everything the window asks of the services layer, in GUI-friendly shapes.

The tabs talk only to this protocol; `services_backend.ServicesBackend` implements it over
`attendance_app.services.AppServices`. Methods marked (GUI thread) touch SQLite and must run in
the thread that opened the backend (DESIGN.md section 3); methods marked (any thread) only use
models and are safe in the camera worker or the task runner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from attendance_app.domain.enrollment_gate import Pose
from attendance_app.domain.person import Person
from attendance_app.domain.session import Session
from attendance_app.gui.widgets.attendance_list import AttendanceRow
from attendance_app.gui.widgets.video_view import FaceOverlay
from attendance_app.reporting.report_table import ReportTable


@dataclass(frozen=True)
class ShotCheck:
    """Outcome of one enrolment shot: the crop when accepted, else the reasons it was refused."""

    crop: np.ndarray | None
    reasons: tuple[str, ...] = ()
    box: Any = None

    @property
    def accepted(self) -> bool:
        return self.crop is not None and not self.reasons


@dataclass(frozen=True)
class LiveUpdate:
    """What one processed frame means for the Live tab."""

    overlays: list[FaceOverlay] = field(default_factory=list)
    arrivals: list[AttendanceRow] = field(default_factory=list)
    unknowns: list[tuple[Any, np.ndarray]] = field(default_factory=list)


@dataclass(frozen=True)
class ExistingMatch:
    person: Person
    similarity: float


class GuiBackend(Protocol):
    # --- models (any thread) ---
    def warm_up(self, ctx: Any) -> str: ...
    def check_shot(self, rgb: np.ndarray, pose: Pose) -> ShotCheck: ...
    def check_photo(self, path: Path) -> ShotCheck: ...
    def open_frame_source(self, spec: str) -> Any: ...
    def list_cameras(self) -> list[str]: ...
    def live_processor(self, paced: bool = True) -> Any: ...
    def prepare_folder(self, folder: Path, ctx: Any) -> list["FolderPerson"]: ...
    # --- data (GUI thread) ---
    def people(self) -> list[Person]: ...
    def thumbnails(self) -> dict[int, bytes]: ...
    def groups(self) -> list[str]: ...
    def find_existing(self, crops: list[np.ndarray]) -> ExistingMatch | None: ...
    def enrol(self, name: str, external_id: str | None, group: str | None,
              crops: list[np.ndarray], consent_by: str) -> Person: ...
    def update_person(self, person_id: int, name: str, external_id: str | None,
                      group: str | None) -> Person: ...
    def delete_person(self, person_id: int) -> None: ...
    def start_session(self, name: str, roster_group: str | None,
                      late_after: datetime | None) -> tuple[Session, int | None]: ...
    def stop_session(self) -> None: ...
    def interrupted_sessions(self) -> list[Session]: ...
    def close_interrupted(self, session_id: int) -> int: ...
    def handle_frame_result(self, result: Any) -> LiveUpdate: ...
    def similarity_scores(self) -> tuple[np.ndarray, np.ndarray]: ...
    def active_model_name(self) -> str: ...
    def settings(self) -> Any: ...
    def save_settings(self, settings: Any) -> None: ...
    # --- reports: tables are built in the GUI thread (fast, SQLite); exporting the built
    # tables touches no database and runs in the task runner (any thread) ---
    def report_sessions(self) -> list[Session]: ...
    def report_people(self) -> list[Person]: ...
    def report_groups(self) -> list[str]: ...
    def session_reports(self, name: str, on: date, at: time | None) -> list[ReportTable]: ...
    def person_report(self, who: int | str, start: date, end: date) -> ReportTable: ...
    def group_report(self, group: str, start: date, end: date) -> ReportTable: ...
    def unknown_faces_report(self, start: date, end: date) -> ReportTable: ...
    def export_report(self, tables: list[ReportTable], fmt: str, path: Path) -> Path: ...
    # --- training (issue 5): the tab gets the backend only once the models are warm ---
    def training_defaults(self) -> tuple["TrainingRequest", tuple[str, ...]]: ...  # GUI thread
    def enrolled_training_counts(self) -> tuple[int, int, int]: ...  # GUI thread
    def folder_training_counts(self, folder: Path) -> tuple[int, int]: ...  # any thread
    def train(self, request: "TrainingRequest", ctx: Any,
              on_tick: Callable[["TrainingTick"], None]) -> "TrainingOutcome": ...  # any thread
    def list_models(self) -> list["ModelRow"]: ...  # GUI thread
    def activate_model(self, model_id: int, ctx: Any) -> int: ...  # any thread
    def discard_model(self, model_id: int) -> None: ...  # GUI thread
    # --- trust (issue 7), GUI thread. The backend module may also offer
    # `check_database(paths) -> StartupReport` and `restore_backup(paths, file)`, called
    # before `open_backend` when the start-up check finds the database damaged. ---
    def startup_warnings(self) -> list[str]: ...
    def housekeeping(self) -> list[str]: ...
    def biometrics_locked(self) -> bool: ...
    def unlock(self, passphrase: str) -> None: ...  # AccessDeniedError when wrong
    def admin_password_set(self) -> bool: ...
    def require_admin(self, password_provider: Callable[[], str | None]) -> None: ...
    def set_admin_password(self, new_password: str) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class FolderPerson:
    """One sub-folder of a folder enrolment: the person's name, accepted crops, refused files."""

    name: str
    crops: list[np.ndarray]
    refused: list[str]


# ---------------------------------------------------------------- training (issue 5)
@dataclass(frozen=True)
class TrainingRequest:
    """What the Training tab asks for: the data (enrolled crops and/or a folder dataset, one
    sub-folder per person; `folder_is_crops` when its images are already face crops) and the
    fine-tune knobs (services.training FineTuneConfig; its defaults come from the backend)."""

    use_enrolled: bool = True
    folder: Path | None = None
    folder_is_crops: bool = False
    epochs: int = 5
    margin: float = 0.2
    people_per_batch: int = 8
    samples_per_person: int = 4
    learning_rate: float = 1e-4
    trainable_blocks: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrainingTick:
    """One progress tick of a run. phase "collecting" (reading the folder dataset: `step` of
    `total_steps` images), "caching" (images through the frozen trunk), "training" (optimiser
    step `step` of at most `total_steps`; `loss` None when the batch had no semi-hard triplet;
    `active_share` of margin-violating triplets 0..1; `eta_s` seconds left or None)."""

    phase: str
    epoch: int
    step: int
    total_steps: int
    loss: float | None = None
    active_share: float = 0.0
    eta_s: float | None = None


@dataclass(frozen=True)
class ModelRow:
    """A registered embedding model as the tab lists it; `metrics` as stored (before/after...)."""

    id: int
    name: str
    kind: str
    created_at: datetime
    is_active: bool
    parent_id: int | None = None
    metrics: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TrainingOutcome:
    """A finished run. Not cancelled: `model` is the registered (inactive) candidate and
    `before` / `after` hold rank1, tar_at_far_1pct and threshold on the held-out people.
    A cancelled run registers nothing (`model` None, empty figures)."""

    cancelled: bool
    model: ModelRow | None = None
    before: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)
    improved: bool = False
    notes: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    seconds: float = 0.0
    images_per_second: float = 0.0
    held_out_people: int = 0
