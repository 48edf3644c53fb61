"""The Training tab's inputs: which data to train on (with counts) and the fine-tune settings,
sensible defaults shown and the knobs folded into a collapsible "Advanced" section."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QToolButton, QVBoxLayout, QWidget)

from attendance_app.gui.backend import TrainingRequest

LEARNING_RATES = ("1e-5", "3e-5", "1e-4", "3e-4", "1e-3")


class TrainingDataBox(QGroupBox):
    """Enrolled people and/or a folder dataset. Emits `changed` when the choice changes, and
    `folder_chosen(path)` so the tab can count the folder's people and images."""

    changed = Signal()
    folder_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Training data", parent)
        self.enrolled_box = QCheckBox("Enrolled people")
        self.enrolled_box.setChecked(True)
        self.enrolled_count = QLabel("–")
        self.folder_box = QCheckBox("Folder dataset (one sub-folder per person)")
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText("choose a folder…")
        self.folder_edit.setReadOnly(True)
        self.browse_button = QPushButton("Browse…")
        self.crops_box = QCheckBox("Images are already face crops")
        self.folder_count = QLabel("")
        for label in (self.enrolled_count, self.folder_count):
            label.setWordWrap(True)
            label.setProperty("role", "hint")
        layout = QVBoxLayout(self)
        layout.addWidget(self.enrolled_box)
        layout.addWidget(_indented(self.enrolled_count))
        layout.addWidget(self.folder_box)
        row = QHBoxLayout()
        row.setContentsMargins(20, 0, 0, 0)
        row.addWidget(self.folder_edit, 1)
        row.addWidget(self.browse_button)
        layout.addLayout(row)
        layout.addWidget(_indented(self.crops_box))
        layout.addWidget(_indented(self.folder_count))
        self.enrolled_box.toggled.connect(lambda _c: self.changed.emit())
        self.folder_box.toggled.connect(self._folder_toggled)
        self.crops_box.toggled.connect(lambda _c: self.changed.emit())
        self.browse_button.clicked.connect(self.browse)
        self._folder_toggled(False)

    def _folder_toggled(self, on: bool) -> None:
        for w in (self.folder_edit, self.browse_button, self.crops_box, self.folder_count):
            w.setEnabled(on)
        self.changed.emit()

    def browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder dataset (one sub-folder per person)",
                                                self.folder_edit.text())
        if path:
            self.set_folder(Path(path))

    def set_folder(self, folder: Path | None) -> None:
        self.folder_edit.setText("" if folder is None else str(folder))
        if folder is not None:
            self.folder_box.setChecked(True)
            self.folder_chosen.emit(folder)
        self.changed.emit()

    def folder(self) -> Path | None:
        text = self.folder_edit.text().strip()
        return Path(text) if self.folder_box.isChecked() and text else None

    def set_enrolled_counts(self, people: int, crops: int, usable: int) -> None:
        text = f"{people} people, {crops} face crops"
        if people and usable < people:
            text += f" ({usable} with 2 or more crops)"
        self.enrolled_count.setText(text)

    def set_folder_counts(self, text: str) -> None:
        self.folder_count.setText(text)


class AdvancedSettings(QWidget):
    """A "▸ Advanced" toggle over the knobs; `request(base)` fills them into a TrainingRequest."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = QToolButton()
        self.toggle.setText("Advanced settings")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setAutoRaise(True)
        self.summary = QLabel("")
        self.summary.setProperty("role", "hint")
        self.summary.setWordWrap(True)
        self.body = QWidget()
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 100)
        self.margin_spin = QDoubleSpinBox()
        self.margin_spin.setRange(0.05, 1.0)
        self.margin_spin.setSingleStep(0.05)
        self.margin_spin.setDecimals(2)
        self.people_spin = QSpinBox()
        self.people_spin.setRange(2, 64)
        self.people_spin.setSuffix(" people")
        self.faces_spin = QSpinBox()
        self.faces_spin.setRange(2, 32)
        self.faces_spin.setSuffix(" faces")
        self.lr_combo = QComboBox()
        self.lr_combo.setEditable(True)
        self.lr_combo.addItems(list(LEARNING_RATES))
        self.block_boxes: dict[str, QCheckBox] = {}
        self.blocks_grid = QGridLayout()
        self.blocks_grid.setContentsMargins(0, 0, 0, 0)
        batch = QHBoxLayout()
        batch.addWidget(self.people_spin)
        batch.addWidget(QLabel("×"))
        batch.addWidget(self.faces_spin)
        batch.addStretch(1)
        form = QFormLayout(self.body)
        form.setContentsMargins(20, 0, 0, 0)
        self.epochs_spin.setToolTip("How many times training goes over all the photos (it "
                                    "may stop earlier when it stops improving).")
        self.margin_spin.setToolTip("How much more alike two photos of one person must be "
                                    "than photos of two people (the triplet margin).")
        batch.itemAt(0).widget().setToolTip("People per batch × photos per person")
        self.lr_combo.setToolTip("How big each learning step is; smaller is safer.")
        form.addRow("Passes (at most)", self.epochs_spin)
        form.addRow("Separation margin", self.margin_spin)
        form.addRow("People × photos", batch)
        form.addRow("Learning speed", self.lr_combo)
        blocks = QWidget()
        blocks.setLayout(self.blocks_grid)
        blocks.setToolTip("Which parts of the face network may change (network 'blocks'; the "
                          "later ones are usually enough). The others stay as they are.")
        form.addRow("Parts that learn", blocks)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toggle)
        layout.addWidget(self.summary)
        layout.addWidget(self.body)
        self.body.setVisible(False)
        self.toggle.toggled.connect(self.set_expanded)
        for w in (self.epochs_spin, self.people_spin, self.faces_spin):
            w.valueChanged.connect(self._update_summary)
        self.margin_spin.valueChanged.connect(self._update_summary)
        self.lr_combo.currentTextChanged.connect(self._update_summary)
        self._defaults = TrainingRequest()

    def set_expanded(self, on: bool) -> None:
        self.toggle.setChecked(on)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.body.setVisible(on)
        self.summary.setVisible(not on)

    def set_defaults(self, defaults: TrainingRequest, choices: tuple[str, ...]) -> None:
        self._defaults = defaults
        while self.blocks_grid.count():
            item = self.blocks_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.block_boxes = {}
        for k, name in enumerate(choices):
            box = QCheckBox(name)
            box.toggled.connect(self._update_summary)
            self.block_boxes[name] = box
            self.blocks_grid.addWidget(box, k // 2, k % 2)
        self.load(defaults)

    def load(self, r: TrainingRequest) -> None:
        self.epochs_spin.setValue(r.epochs)
        self.margin_spin.setValue(r.margin)
        self.people_spin.setValue(r.people_per_batch)
        self.faces_spin.setValue(r.samples_per_person)
        self.lr_combo.setCurrentText(f"{r.learning_rate:g}")
        for name, box in self.block_boxes.items():
            box.setChecked(name in r.trainable_blocks)
        self._update_summary()

    def learning_rate(self) -> float | None:
        try:
            value = float(self.lr_combo.currentText().strip())
        except ValueError:
            return None
        return value if value > 0 else None

    def blocks(self) -> tuple[str, ...]:
        return tuple(n for n, b in self.block_boxes.items() if b.isChecked())

    def request(self, base: TrainingRequest) -> TrainingRequest:
        lr = self.learning_rate()
        return replace(base, epochs=self.epochs_spin.value(), margin=self.margin_spin.value(),
                       people_per_batch=self.people_spin.value(),
                       samples_per_person=self.faces_spin.value(),
                       learning_rate=lr if lr is not None else -1.0,
                       trainable_blocks=self.blocks())

    def _update_summary(self, *_args: object) -> None:
        lr = self.learning_rate()
        if lr is None:
            self.summary.setText("The learning rate is not a positive number.")
            return
        self.summary.setText(
            f"{self.epochs_spin.value()} epochs, margin {self.margin_spin.value():.2f}, "
            f"batches of {self.people_spin.value()} × {self.faces_spin.value()}, "
            f"learning rate {lr:g}; {len(self.blocks())} blocks train")


def _indented(widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(20, 0, 0, 0)
    layout.addWidget(widget)
    return box
