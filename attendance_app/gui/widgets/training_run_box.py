"""TrainingRunBox: Start / Cancel, the reason Start is disabled, the progress bar and the line
that says what a training run is doing now (issue 13 item 9: plain words, no jargon)."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout

from attendance_app.gui.backend import TrainingTick

PROGRESS_STEPS = 1000


class TrainingRunBox(QGroupBox):
    def __init__(self) -> None:
        super().__init__("Run")
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
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.start_reason)
        layout.addWidget(self.progress)
        layout.addWidget(self.phase_label)

    def set_phase(self, text: str) -> None:
        self.phase_label.setText(text)

    def set_blocker(self, blocker: str, ready: bool) -> None:
        """Why Start is disabled ('' when it is not), shown once the backend is there."""
        self.start_button.setToolTip(blocker)
        self.start_reason.setText(blocker if ready else "")
        self.start_reason.setVisible(bool(blocker) and ready)

    def busy(self) -> None:
        """An indeterminate bar until the first tick arrives."""
        self.progress.setRange(0, 0)

    def reset_progress(self) -> None:
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setValue(0)

    def set_fraction(self, fraction: float) -> None:
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setValue(round(fraction * PROGRESS_STEPS))

    def show_tick(self, t: TrainingTick) -> None:
        """The bar and the phase line for one progress tick of a run."""
        total = max(1, t.total_steps)
        self.progress.setRange(0, total)
        self.progress.setValue(min(t.step, total))
        if t.phase == "collecting":
            self.set_phase(f"Reading the dataset: image {t.step} of {t.total_steps}")
        elif t.phase == "caching":
            self.set_phase(f"Preparing: image {t.step} of {t.total_steps} through the frozen "
                           f"layers{eta_text(t.eta_s)}")
        elif t.step >= t.total_steps:
            self.set_phase("Measuring the current and the new model on the held-out people…")
        else:
            loss = f", loss {t.loss:.3f}" if t.loss is not None else ", no semi-hard triplet"
            self.set_phase(f"Training: epoch {t.epoch}, step {t.step} of at most "
                           f"{t.total_steps}{loss}{eta_text(t.eta_s)}")


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 90:
        return f" — about {max(1, round(seconds))} s left"
    return f" — about {round(seconds / 60)} min left"
