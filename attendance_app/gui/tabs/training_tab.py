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
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget)

from attendance_app.gui.admin_gate import admin_allowed
from attendance_app.gui.dialogs.confirm_dialog import confirm_destructive
from attendance_app.gui.backend import (GuiBackend, ModelRow, TrainingOutcome, TrainingRequest,
                                        TrainingTick)
from attendance_app.gui.error_presenter import ErrorPresenter, user_message
from attendance_app.gui.task_runner import TaskHandle, TaskRunner
from attendance_app.gui.widgets.training_form import AdvancedSettings, TrainingDataBox
from attendance_app.gui.widgets.training_metrics import MetricsTable, ModelsTable
from attendance_app.gui.widgets.training_plot import LinePlot

PROGRESS_STEPS = 1000
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
        self._job: TaskHandle | None = None
        self._activating: TaskHandle | None = None
        self._last_epoch = 0
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
        self.start_button = QPushButton("Start training")
        self.start_button.setObjectName("primaryButton")
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setValue(0)
        self.progress.setTextVisible(False)
        self.phase_label = QLabel("Choose the data, then start.")
        self.phase_label.setWordWrap(True)
        self.start_reason = QLabel("")
        self.start_reason.setWordWrap(True)
        self.start_reason.setObjectName("startReason")
        run_box = QGroupBox("Run")
        run_layout = QVBoxLayout(run_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        run_layout.addLayout(buttons)
        run_layout.addWidget(self.start_reason)
        run_layout.addWidget(self.progress)
        run_layout.addWidget(self.phase_label)
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
        self.loss_plot = LinePlot("Training error per step (lower is better)", "#2f6fb3")
        self.loss_plot.setToolTip(
            "How far apart the model still puts photos of one person compared with photos of "
            "different people (the 'triplet loss'). It should go down.")
        self.active_plot = LinePlot("Examples still being learned", "#c7641a", (0.0, 1.0),
                                    percent=True)
        self.active_plot.setToolTip(
            "The share of (person, same person, other person) examples the model still gets "
            "wrong by the margin ('active triplets'). It should go down as it learns.")
        self.loss_plot.empty_text = "no error yet: every example in the batches was easy"
        plots = QHBoxLayout()
        plots.addWidget(self.loss_plot)
        plots.addWidget(self.active_plot)
        self.verdict_label = QLabel("No run yet: the before/after figures appear here.")
        self.verdict_label.setWordWrap(True)
        self.metrics = MetricsTable()
        self.notes_label = QLabel("")
        self.notes_label.setWordWrap(True)
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes_label.setProperty("role", "hint")
        self.activate_button = QPushButton("Activate candidate")
        self.activate_button.setObjectName("primaryButton")
        self.discard_button = QPushButton("Discard candidate")
        result_box = QGroupBox("Before / after on held-out people")
        result_layout = QVBoxLayout(result_box)
        result_layout.addWidget(self.verdict_label)
        result_layout.addWidget(self.metrics)
        result_layout.addWidget(self.notes_label)
        result_buttons = QHBoxLayout()
        result_buttons.addStretch(1)
        result_buttons.addWidget(self.discard_button)
        result_buttons.addWidget(self.activate_button)
        result_layout.addLayout(result_buttons)
        self.models_table = ModelsTable()
        self.models_table.setSizePolicy(QSizePolicy.Policy.Expanding,
                                        QSizePolicy.Policy.Expanding)
        self.models_table.setMinimumHeight(80)
        self.rollback_button = QPushButton("Activate selected")
        self.remove_button = QPushButton("Discard selected")
        self.rollback_button.setToolTip("Re-embed the stored faces with the selected model and "
                                        "make it active (rollback to an earlier model)")
        models_box = QGroupBox("Registered models")
        models_layout = QVBoxLayout(models_box)
        rollback_hint = QLabel("Activate an earlier model to roll back to it.")
        rollback_hint.setProperty("role", "hint")
        rollback_hint.setWordWrap(True)
        models_layout.addWidget(rollback_hint)
        models_layout.addWidget(self.models_table, 1)
        model_buttons = QHBoxLayout()
        model_buttons.addStretch(1)
        model_buttons.addWidget(self.remove_button)
        model_buttons.addWidget(self.rollback_button)
        models_layout.addLayout(model_buttons)
        right = QVBoxLayout()
        right.addLayout(plots, 3)
        right.addWidget(result_box)
        right.addWidget(models_box, 1)

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
        try:
            self._defaults, choices = backend.training_defaults()
        except Exception as exc:
            self._errors.present("Could not read the training defaults", exc)
        else:
            self.advanced.set_defaults(self._defaults, choices)
            self._fit_left()
        self.refresh()

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
        self.loss_plot.clear()
        self.active_plot.clear()
        self._last_epoch = 0
        self.outcome = None
        self._show_outcome(None)
        self.progress.setRange(0, 0)  # busy until the first tick
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
        total = max(1, t.total_steps)
        self.progress.setRange(0, total)
        self.progress.setValue(min(t.step, total))
        if t.phase == "collecting":
            self._set_phase(f"Reading the dataset: image {t.step} of {t.total_steps}")
        elif t.phase == "caching":
            self._set_phase(f"Preparing: image {t.step} of {t.total_steps} through the frozen "
                            f"layers{_eta(t.eta_s)}")
        else:
            self.loss_plot.append(t.loss, new_epoch=t.epoch != self._last_epoch)
            self.active_plot.append(t.active_share, new_epoch=t.epoch != self._last_epoch)
            self._last_epoch = t.epoch
            loss = f", loss {t.loss:.3f}" if t.loss is not None else ", no semi-hard triplet"
            if t.step >= t.total_steps:
                self._set_phase("Measuring the current and the new model on the held-out "
                                "people…")
            else:
                self._set_phase(f"Training: epoch {t.epoch}, step {t.step} of at most "
                                f"{t.total_steps}{loss}{_eta(t.eta_s)}")

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
            self.metrics.clear_figures()
            self.verdict_label.setText("Running: the before/after figures appear here.")
            self.verdict_label.setStyleSheet("")
            self.notes_label.setText("")
            self._update_buttons()
            return
        self.metrics.set_figures(outcome.before, outcome.after)
        who = f"on {outcome.held_out_people} held-out people" if outcome.held_out_people else ""
        if outcome.improved:
            text = (f"Better {who}: candidate model {_model_id(outcome)} beats the current "
                    f"model. Activate it to use it for recognition.")
            color = "#1b7f3b"
            self._recommend(self.activate_button)
        else:
            text = (f"Not better {who}: keep the current model (discard candidate "
                    f"{_model_id(outcome)}).")
            color = "#b3261e"
            self._recommend(self.discard_button)
        self.verdict_label.setText(text)
        self.verdict_label.setStyleSheet(f"color: {color}; font-weight: bold;")
        notes = list(outcome.notes)
        if outcome.skipped:
            shown = "; ".join(outcome.skipped[:5])
            more = f" and {len(outcome.skipped) - 5} more" if len(outcome.skipped) > 5 else ""
            notes.append(f"{len(outcome.skipped)} images skipped: {shown}{more}")
        self.notes_label.setText("\n".join(f"• {n}" for n in notes))
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
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setValue(0)
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
        self.progress.setValue(round(fraction * PROGRESS_STEPS))
        if message:
            self._set_phase(message)

    def _activated(self, model_id: int, count: int) -> None:
        self.progress.setValue(PROGRESS_STEPS)
        self._set_phase(f"Model {model_id} is active: {count} face templates re-embedded.")
        if self.candidate is not None and self.candidate.id == model_id:
            self.verdict_label.setText(f"Candidate model {model_id} is now the active model.")
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
        self.verdict_label.setText(f"Candidate model {model_id} discarded; the current model "
                                   f"stays active.")
        self.verdict_label.setStyleSheet("")
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
            self.verdict_label.setText(f"Candidate model {model_id} discarded.")
            self.verdict_label.setStyleSheet("")
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
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setValue(0)

    def _set_phase(self, text: str) -> None:
        self.phase_label.setText(text)

    def _recommend(self, button: QPushButton) -> None:
        """Highlight the action the verdict recommends (issue 13 item 9): the primary style
        and the default button move to it."""
        for b in (self.activate_button, self.discard_button):
            b.setObjectName("primaryButton" if b is button else "")
            b.setDefault(b is button)
            b.style().unpolish(b)
            b.style().polish(b)

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
        self.start_button.setToolTip(blocker)
        self.start_reason.setText(blocker if ready else "")
        self.start_reason.setVisible(bool(blocker) and ready)
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
        table = self.models_table
        for row in range(table.rowCount()):
            if table.item(row, 0) is not None and table.item(row, 0).text() == str(model_id):
                return bool(table.item(row, 5).text())
        return False


def _request_problem(r: TrainingRequest) -> str:
    if not r.use_enrolled and r.folder is None:
        return "Choose what to train on: the enrolled people and/or a folder dataset."
    if r.learning_rate <= 0:
        return "The learning rate must be a positive number, e.g. 1e-4."
    if not r.trainable_blocks:
        return "Choose at least one block to train (Advanced settings)."
    return ""


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 90:
        return f" — about {max(1, round(seconds))} s left"
    return f" — about {round(seconds / 60)} min left"


def _model_id(outcome: TrainingOutcome) -> str:
    return str(outcome.model.id) if outcome.model is not None else "?"
