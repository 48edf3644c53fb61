"""TrainingPlots: the two live curves of a training run, explained in plain words in their
tooltips (issue 13 item 9: "triplet loss" and "active triplets" are only named in brackets)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QWidget

from attendance_app.gui.backend import TrainingTick
from attendance_app.gui.widgets.training_plot import LinePlot


class TrainingPlots(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.loss_plot = LinePlot("Training error per step (lower is better)", "#2f6fb3")
        self.loss_plot.setToolTip(
            "How far apart the model still puts photos of one person compared with photos of "
            "different people (the 'triplet loss'). It should go down.")
        self.loss_plot.empty_text = "no error yet: every example in the batches was easy"
        self.active_plot = LinePlot("Examples still being learned", "#c7641a", (0.0, 1.0),
                                    percent=True)
        self.active_plot.setToolTip(
            "The share of (person, same person, other person) examples the model still gets "
            "wrong by the margin ('active triplets'). It should go down as it learns.")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.active_plot)
        self._last_epoch = 0

    def clear(self) -> None:
        self.loss_plot.clear()
        self.active_plot.clear()
        self._last_epoch = 0

    def add_tick(self, t: TrainingTick) -> None:
        """One training step's loss and share of active examples (other phases are ignored);
        a new epoch starts a new segment."""
        if t.phase in ("collecting", "caching"):
            return
        new_epoch = t.epoch != self._last_epoch
        self.loss_plot.append(t.loss, new_epoch=new_epoch)
        self.active_plot.append(t.active_share, new_epoch=new_epoch)
        self._last_epoch = t.epoch
