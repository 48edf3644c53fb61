"""GuiBackend and the GUI-friendly value objects the backend hands the tabs.

Each tab talks to its own small Protocol (gui/backend_protocols.py); `GuiBackend` is their
union. `services_backend.ServicesBackend` implements it over `attendance_app.services.AppServices`
and tests/gui/fake_backend.py implements it in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from attendance_app.domain.person import Person
from attendance_app.gui.backend_protocols import (EnrolBackend, LiveBackend, PeopleBackend,
                                                  ReportsBackend, SessionsBackend,
                                                  SettingsBackend, TrainingBackend,
                                                  WindowBackend)
from attendance_app.gui.widgets.attendance_list import AttendanceRow
from attendance_app.gui.widgets.video_view import FaceOverlay
from attendance_app.services.roster_import import RosterPlan, RosterRow

__all__ = ["GuiBackend", "RosterPlan", "RosterRow"]


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
class SuspectRow:
    """A suspect face awaiting review (issue 15): it matched `name` but never showed life."""

    unknown_id: int
    name: str
    reason: str
    time: datetime
    thumbnail_png: bytes | None = None


@dataclass(frozen=True)
class LiveUpdate:
    """What one processed frame means for the Live tab. `suspects`: suspect faces the
    liveness gate sent to the review queue with this frame; `prompt`: the kiosk challenge's
    request to show over the video ("Ada: Please blink — 4 s"), None when nobody is asked;
    `relist`: records already listed changed (a flagged one showed life after all)."""

    overlays: list[FaceOverlay] = field(default_factory=list)
    arrivals: list[AttendanceRow] = field(default_factory=list)
    unknowns: list[tuple[Any, np.ndarray]] = field(default_factory=list)
    suspects: list[SuspectRow] = field(default_factory=list)
    prompt: str | None = None
    relist: bool = False


@dataclass(frozen=True)
class ExistingMatch:
    person: Person
    similarity: float


class GuiBackend(LiveBackend, SessionsBackend, EnrolBackend, PeopleBackend, TrainingBackend,
                 ReportsBackend, SettingsBackend, WindowBackend, Protocol):
    """Everything the window asks: the union of the per-tab Protocols in backend_protocols."""


@dataclass(frozen=True)
class RecordRow:
    """One person of a session as the Live list and the Sessions tab show it. `status` is the
    effective status word ("not seen yet" for a roster member of an open session without a
    record); `time` None when there is no arrival to show (absent, not seen); `corrections`
    the who/when/why text; `can_undo` when the last correction can be taken back;
    `liveness` the record's liveness mark ("", "live", "liveness not shown", "confirmed by
    teacher")."""

    person_id: int | None
    name: str
    status: str
    time: datetime | None = None
    recorded_as: str = ""
    corrections: str = ""
    can_undo: bool = False
    on_roster: bool = True
    liveness: str = ""


@dataclass(frozen=True)
class TemplateRow:
    """One template of a person (active model) as the People tab lists it: `source` is
    'enrolment' or 'camera' (learned from a confirmed live sighting; removable)."""

    template_id: int
    source: str
    created_at: datetime

    @property
    def removable(self) -> bool:
        return self.source == "camera"


@dataclass(frozen=True)
class FolderEnrolResult:
    """A finished (or cancelled) folder enrolment: who was saved with how many photos, the
    photos and folders skipped with the reason, and whether it stopped at a Cancel."""

    enrolled: list[tuple[str, int]]
    skipped: list[str]
    cancelled: bool = False


@dataclass(frozen=True)
class FolderProgress:
    """Progress of a folder enrolment, as the task runner's message carries it."""

    people_done: int
    people_total: int
    photos_done: int
    photos_total: int
    eta_s: float | None

    def text(self) -> str:
        eta = f", about {_duration(self.eta_s)} left" if self.eta_s is not None else ""
        return (f"{self.people_done} of {self.people_total} people, {self.photos_done} of "
                f"{self.photos_total} photos{eta}")


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


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
