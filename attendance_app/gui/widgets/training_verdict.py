"""VerdictPanel: a training run's before/after figures on held-out people, the verdict in plain
words, the run's notes, and Activate / Discard with the recommended one highlighted (issue 13
item 9: after "not better" the default button is Discard, not Activate)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from attendance_app.gui.backend import TrainingOutcome
from attendance_app.gui.widgets.training_metrics import MetricsTable

MAX_SKIPPED_SHOWN = 5


class VerdictPanel(QGroupBox):
    def __init__(self) -> None:
        super().__init__("Before / after on held-out people")
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
        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict_label)
        layout.addWidget(self.metrics)
        layout.addWidget(self.notes_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.activate_button)
        layout.addLayout(buttons)

    def set_verdict(self, text: str, color: str | None = None) -> None:
        """A plain line (no colour) or the verdict in its colour, bold."""
        self.verdict_label.setText(text)
        self.verdict_label.setStyleSheet(f"color: {color}; font-weight: bold;" if color else "")

    def show_running(self) -> None:
        self.metrics.clear_figures()
        self.set_verdict("Running: the before/after figures appear here.")
        self.notes_label.setText("")

    def show_outcome(self, outcome: TrainingOutcome) -> None:
        self.metrics.set_figures(outcome.before, outcome.after)
        who = f"on {outcome.held_out_people} held-out people" if outcome.held_out_people else ""
        model_id = str(outcome.model.id) if outcome.model is not None else "?"
        if outcome.improved:
            self.set_verdict(f"Better {who}: candidate model {model_id} beats the current "
                             f"model. Activate it to use it for recognition.", "#1b7f3b")
            self.recommend(self.activate_button)
        else:
            self.set_verdict(f"Not better {who}: keep the current model (discard candidate "
                             f"{model_id}).", "#b3261e")
            self.recommend(self.discard_button)
        notes = list(outcome.notes)
        if outcome.skipped:
            shown = "; ".join(outcome.skipped[:MAX_SKIPPED_SHOWN])
            extra = len(outcome.skipped) - MAX_SKIPPED_SHOWN
            more = f" and {extra} more" if extra > 0 else ""
            count = len(outcome.skipped)
            notes.append(f"{count} image{'' if count == 1 else 's'} skipped: {shown}{more}")
        self.notes_label.setText("\n".join(f"• {n}" for n in notes))

    def recommend(self, button: QPushButton) -> None:
        """The primary style and the default button move to the recommended action."""
        for b in (self.activate_button, self.discard_button):
            b.setObjectName("primaryButton" if b is button else "")
            b.setDefault(b is button)
            b.style().unpolish(b)
            b.style().polish(b)
