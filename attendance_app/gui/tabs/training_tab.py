"""TrainingTab: fine-tune the face model on the school's own faces, see the proof, then activate,
discard or roll back (issue 5).

Threads (DESIGN.md section 3): the run (`backend.train`: collect, fine-tune, measure, register)
is one task-runner job on its own SQLite connection; its progress ticks come back through a
queued signal and only GUI-thread slots touch widgets. The plots repaint on their own timer,
so a fast run does not repaint per step. Cancelling stops the job at its next step and
registers nothing; the active model is never touched by a run. Activation (re-embedding every
stored crop) is a second job with a progress bar. Counts, the model list and discarding are
quick database reads/writes in the GUI thread. Errors go to the ErrorPresenter and the tab
keeps its last good state.

The tab assembles small widgets and keeps only the jobs and the button states: what to train
on (TrainingDataBox, AdvancedSettings), Start/progress (TrainingRunBox), the live curves
(TrainingPlots), the before/after verdict (VerdictPanel) and the models (RegisteredModelsBox).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from attendance_app.gui.admin_gate import admin_allowed
from attendance_app.gui.dialogs.confirm_dialog import confirm_destructive
from attendance_app.gui.backend import (GuiBackend, ModelRow, TrainingOutcome, TrainingRequest,
                                        TrainingTick)
from attendance_app.gui.error_presenter import ErrorPresenter, user_message
from attendance_app.gui.task_runner import TaskHandle, TaskRunner
from attendance_app.gui.widgets.registered_models_box import RegisteredModelsBox
from attendance_app.gui.widgets.training_form import AdvancedSettings, TrainingDataBox
from attendance_app.gui.widgets.training_plots import TrainingPlots
from attendance_app.gui.widgets.training_run_box import PROGRESS_STEPS, TrainingRunBox
from attendance_app.gui.widgets.training_verdict import VerdictPanel

__all__ = ["PROGRESS_STEPS", "TrainingTab"]
Confirm = Callable[[str, str], bool]


class _TickBridge(QObject):
    """Lives in the GUI thread: emitting `tick` from the worker queues the slot call here."""

    tick = Signal(object)


class TrainingTab(QWidget):
    """Emits `model_activated(name)` after a model became active (the Settings tab shows it)."""

    model_activated = Signal(str)

    def __init__(self, runner: TaskRunner, errors: ErrorPresenter,
                 parent: QWidget | None = None, confirm: Confirm | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._errors = errors
        self._confirm = confirm or self._ask
        self._backend: GuiBackend | None = None
        self._enrolled_usable = 0  # people with 2+ crops (the enrolled data Start needs)
        self._defaults = TrainingRequest()
        self._choices: tuple[str, ...] | None = None  # trainable blocks shown (None: not read)
        self._job: TaskHandle | None = None
        self._activating: TaskHandle | None = None
        self.outcome: TrainingOutcome | None = None
        self.candidate: ModelRow | None = None
        self._bridge = _TickBridge(self)
        self._bridge.tick.connect(self._on_tick)

        # --- left: data, settings, run
        self.data_box = TrainingDataBox()
        self.advanced = AdvancedSettings()
        settings_box = QGroupBox("Settings")
        settings_layout = QVBoxLayout(settings_box)
        settings_layout.addWidget(self.advanced)
        self.run_box = TrainingRunBox()
        run_box = self.run_box
        # The parts tests and the screenshots reach for, under their old names.
        self.start_button, self.cancel_button = run_box.start_button, run_box.cancel_button
        self.progress, self.phase_label = run_box.progress, run_box.phase_label
        self.start_reason = run_box.start_reason
        left_inner = QWidget()
        left_layout = QVBoxLayout(left_inner)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.data_box)
        left_layout.addWidget(settings_box)
        left_layout.addWidget(run_box)
        left_layout.addStretch(1)
        left = QScrollArea()
        left.setWidget(left_inner)
        left.setWidgetResizable(True)
        left.setFrameShape(QScrollArea.Shape.NoFrame)
        left.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._left, self._left_inner = left, left_inner
        self._fit_left()

        # --- right: live plots, the result, the registered models
        self.plots = TrainingPlots()
        self.loss_plot, self.active_plot = self.plots.loss_plot, self.plots.active_plot
        self.verdict = VerdictPanel()
        self.verdict_label, self.metrics = self.verdict.verdict_label, self.verdict.metrics
        self.notes_label = self.verdict.notes_label
        self.activate_button = self.verdict.activate_button
        self.discard_button = self.verdict.discard_button
        self.models_box = RegisteredModelsBox()
        self.models_table = self.models_box.models_table
        self.rollback_button = self.models_box.rollback_button
        self.remove_button = self.models_box.remove_button
        right = QVBoxLayout()
        right.addWidget(self.plots, 3)
        right.addWidget(self.verdict)
        right.addWidget(self.models_box, 1)

        layout = QHBoxLayout(self)
        layout.addWidget(left)
        layout.addLayout(right, 1)

        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.activate_button.clicked.connect(self.activate_candidate)
        self.discard_button.clicked.connect(self.discard_candidate)
        self.rollback_button.clicked.connect(self.activate_selected)
        self.remove_button.clicked.connect(self.discard_selected)
        self.models_table.itemSelectionChanged.connect(self._update_buttons)
        self.data_box.changed.connect(self._update_buttons)
        self.data_box.folder_chosen.connect(self._count_folder)
        self._update_buttons()

    # ------------------------------------------------------------------ state
    @property
    def training(self) -> bool:
        return self._job is not None

    @property
    def activating(self) -> bool:
        return self._activating is not None

    def set_backend(self, backend: GuiBackend) -> None:
        """Called once the face models are warm (the tab needs the active model)."""
        self._backend = backend
        self._choices = None
        self.refresh()

    def _load_defaults(self) -> None:
        """The knobs' defaults and trainable blocks of the active model's network (FaceNet and
        SFace differ), re-read when an activation may have switched the network."""
        assert self._backend is not None
        try:
            defaults, choices = self._backend.training_defaults()
        except Exception as exc:
            self._errors.present("Could not read the training defaults", exc)
            return
        if choices != self._choices:
            self._defaults, self._choices = defaults, choices
            self.advanced.set_defaults(defaults, choices)
            self._fit_left()

    def _fit_left(self) -> None:
        """The left column as wide as its content, the folded Advanced section included (no
        horizontal scrolling), plus room for the vertical scroll bar."""
        self._left_inner.adjustSize()
        content = max(self._left_inner.minimumSizeHint().width(),
                      self.advanced.body.sizeHint().width() + 30)
        width = content + self._left.verticalScrollBar().sizeHint().width() + 6
        self._left.setMinimumWidth(width)
        self._left.setMaximumWidth(max(width, 480))

    def refresh(self) -> None:
        """Re-count the enrolled crops and re-list the registered models."""
        if self._backend is None:
            return
        self._load_defaults()
        try:
            counts = self._backend.enrolled_training_counts()
            self._enrolled_usable = counts[2]
            self.data_box.set_enrolled_counts(*counts)
            self.models_table.set_models(self._backend.list_models())
        except Exception as exc:
            self._errors.present("Could not read the models and enrolled faces", exc)
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self.training and not self.activating:
            self.refresh()  # people may have been enrolled or deleted since

    def request(self) -> TrainingRequest:
        base = TrainingRequest(use_enrolled=self.data_box.enrolled_box.isChecked(),
                               folder=self.data_box.folder(),
                               folder_is_crops=self.data_box.crops_box.isChecked())
        return self.advanced.request(base)

    # ------------------------------------------------------------------ training
    def start(self) -> bool:
        if self._backend is None or self.training or self.activating:
            return False
        blocker = self._start_blocker()
        if blocker:
            self._update_buttons()
            return False
        request = self.request()
        problem = _request_problem(request)
        if problem:
            self._set_phase(problem)
            return False
        if not admin_allowed(self, "training a face model"):
            return False
        backend = self._backend
        emit = self._bridge.tick.emit
        self.plots.clear()
        self.outcome = None
        self._show_outcome(None)
        self.run_box.busy()  # until the first tick
        self._set_phase("Starting: reading the training data…")
        self._job = self._runner.submit(
            "train face model", lambda ctx: backend.train(request, ctx, emit),
            on_success=self._trained, on_error=self._train_failed,
            on_cancelled=self._train_cancelled, on_finished=self._train_finished)
        self._update_buttons()
        return True

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._set_phase("Cancelling… (stops after the current step)")
            self.cancel_button.setEnabled(False)

    def _on_tick(self, t: TrainingTick) -> None:
        if self._job is None:
            return
        self.plots.add_tick(t)
        self.run_box.show_tick(t)

    def _trained(self, outcome: TrainingOutcome) -> None:
        self.outcome = outcome
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setValue(PROGRESS_STEPS)
        self._set_phase(f"Done in {outcome.seconds:.0f} s "
                        f"({outcome.images_per_second:.0f} training images per second).")
        self._show_outcome(outcome)
        self.refresh()
        if outcome.model is not None:
            self.models_table.select_id(outcome.model.id)

    def _train_failed(self, exc: BaseException) -> None:
        self._reset_progress()
        self._set_phase(f"Training did not run: {user_message(exc)}")
        self._errors.present("Training did not run", exc)

    def _train_cancelled(self) -> None:
        self._reset_progress()
        self._set_phase("Cancelled: nothing was registered; the active model is unchanged.")

    def _train_finished(self) -> None:
        self._job = None
        self._update_buttons()

    def _show_outcome(self, outcome: TrainingOutcome | None) -> None:
        self.candidate = outcome.model if outcome is not None else None
        if outcome is None:
            self.verdict.show_running()
        else:
            self.verdict.show_outcome(outcome)
        self._update_buttons()

    # ------------------------------------------------------------------ models
    def activate_candidate(self) -> bool:
        return self.candidate is not None and self.activate(self.candidate.id)

    def activate_selected(self) -> bool:
        model_id = self.models_table.selected_id()
        return model_id is not None and self.activate(model_id)

    def activate(self, model_id: int) -> bool:
        """Re-embed every stored crop with `model_id` in the background, then switch to it."""
        if self._backend is None or self.training or self.activating:
            return False
        if not admin_allowed(self, "activating a face model"):
            return False
        backend = self._backend
        self.run_box.reset_progress()
        self._set_phase(f"Activating model {model_id}: re-embedding the stored faces…")
        self._activating = self._runner.submit(
            "activate model", lambda ctx: backend.activate_model(model_id, ctx),
            on_success=lambda count: self._activated(model_id, count),
            on_error=self._activation_failed, on_progress=self._activation_progress,
            on_cancelled=lambda: self._set_phase("Activation cancelled; the active model is "
                                                 "unchanged."),
            on_finished=self._activation_finished)
        self._update_buttons()
        return True

    def _activation_progress(self, fraction: float, message: str) -> None:
        self.run_box.set_fraction(fraction)
        if message:
            self._set_phase(message)

    def _activated(self, model_id: int, count: int) -> None:
        self.progress.setValue(PROGRESS_STEPS)
        self._set_phase(f"Model {model_id} is active: {count} face templates re-embedded.")
        if self.candidate is not None and self.candidate.id == model_id:
            self.verdict.set_verdict(f"Candidate model {model_id} is now the active model.")
        self.refresh()
        name = self._backend.active_model_name() if self._backend is not None else ""
        self.model_activated.emit(name)

    def _activation_failed(self, exc: BaseException) -> None:
        self._reset_progress()
        self._set_phase(f"Activation failed; the active model is unchanged: {user_message(exc)}")
        self._errors.present("Could not activate the model", exc)

    def _activation_finished(self) -> None:
        self._activating = None
        self.refresh()

    def discard_candidate(self) -> bool:
        if self.candidate is None or self.training or self.activating:
            return False
        model_id = self.candidate.id
        if not self._discard(model_id):
            return False
        self.candidate = None
        self.verdict.set_verdict(f"Candidate model {model_id} discarded; the current model "
                                 f"stays active.")
        self._update_buttons()
        return True

    def discard_selected(self) -> bool:
        model_id = self.models_table.selected_id()
        if model_id is None or self.training or self.activating:
            return False
        if not self._confirm("Discard model", f"Delete model {model_id} and its weights file? "
                                              f"This cannot be undone."):
            return False
        if not self._discard(model_id):
            return False
        if self.candidate is not None and self.candidate.id == model_id:
            self.candidate = None
            self.verdict.set_verdict(f"Candidate model {model_id} discarded.")
        self._update_buttons()
        return True

    def _discard(self, model_id: int) -> bool:
        assert self._backend is not None
        if not admin_allowed(self, "discarding a face model"):
            return False
        try:
            self._backend.discard_model(model_id)
        except Exception as exc:
            self._errors.present("Could not discard the model", exc)
            return False
        self._set_phase(f"Model {model_id} discarded.")
        self.refresh()
        return True

    # ------------------------------------------------------------------ helpers
    def _count_folder(self, folder: object) -> None:
        if self._backend is None:
            self.data_box.set_folder_counts("")
            return
        try:
            people, images = self._backend.folder_training_counts(folder)  # type: ignore[arg-type]
        except Exception as exc:
            self.data_box.set_folder_counts(user_message(exc))
            return
        self.data_box.set_folder_counts(f"{people} people, {images} images")

    def _ask(self, title: str, text: str) -> bool:
        return confirm_destructive(self, title, text, "Discard")

    def _reset_progress(self) -> None:
        self.run_box.reset_progress()

    def _set_phase(self, text: str) -> None:
        self.run_box.set_phase(text)

    def _start_blocker(self) -> str:
        """Why Start cannot run now, in plain words ('' when it can)."""
        if self._backend is None:
            return "The face models are still loading."
        use_enrolled = self.data_box.enrolled_box.isChecked()
        folder = self.data_box.folder()
        if not use_enrolled and folder is None:
            return "Choose what to train on: the enrolled people and/or a folder."
        if folder is None and self._enrolled_usable < 2:
            return (f"Training needs at least 2 people with 2 or more face photos each; "
                    f"{self._enrolled_usable} enrolled people have that. Re-enrol with more "
                    "photos, or add a folder dataset.")
        return ""

    def _update_buttons(self) -> None:
        busy = self.training or self.activating
        ready = self._backend is not None
        blocker = self._start_blocker()
        self.start_button.setEnabled(ready and not busy and not blocker)
        self.run_box.set_blocker(blocker, ready)
        self.cancel_button.setEnabled(self.training)
        self.data_box.setEnabled(not busy)
        self.advanced.setEnabled(not busy)
        candidate_open = self.candidate is not None and not busy
        candidate_active = candidate_open and self._is_active(self.candidate.id)  # type: ignore[union-attr]
        self.activate_button.setEnabled(candidate_open and not candidate_active)
        self.discard_button.setEnabled(candidate_open and not candidate_active)
        selected = self.models_table.selected_id()
        selected_active = selected is not None and self._is_active(selected)
        self.rollback_button.setEnabled(ready and not busy and selected is not None
                                        and not selected_active)
        self.remove_button.setEnabled(ready and not busy and selected is not None
                                      and not selected_active)

    def _is_active(self, model_id: int) -> bool:
        return self.models_box.is_active(model_id)


def _request_problem(r: TrainingRequest) -> str:
    if not r.use_enrolled and r.folder is None:
        return "Choose what to train on: the enrolled people and/or a folder dataset."
    if r.learning_rate <= 0:
        return "The learning rate must be a positive number, e.g. 1e-4."
    if not r.trainable_blocks:
        return "Choose at least one block to train (Advanced settings)."
    return ""
