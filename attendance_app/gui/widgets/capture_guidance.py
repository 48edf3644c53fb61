"""CaptureGuidance: 'Shot N of 5', the pose to take, why the last shot was refused, the crops kept."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from attendance_app.domain.enrollment_gate import GUIDED_POSES, Pose
from attendance_app.gui.widgets.thumbnails import pixmap_from_rgb

# The pose asked for at each shot (domain rule); varied poses make templates robust to turns.
POSE_PROMPTS: tuple[str, ...] = tuple(p.instruction.capitalize() for p in GUIDED_POSES)
THUMB = 80


class CaptureGuidance(QWidget):
    """Shows progress through the shots; `accept(crop)` and `refuse(reason)` update it."""

    def __init__(self, shots: int = 5, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shots = shots
        self._crops: list[np.ndarray] = []
        self._from_photos = 0  # crops that came from photo files, not webcam shots
        self.step_label = QLabel()
        self.step_label.setObjectName("guidanceStep")
        self.prompt_label = QLabel()
        self.prompt_label.setObjectName("guidancePrompt")
        self.prompt_label.setWordWrap(True)  # the photo advice is long: never widen the window
        self.reason_label = QLabel()
        self.reason_label.setObjectName("guidanceRefusal")
        self.reason_label.setWordWrap(True)
        self._strip = QHBoxLayout()
        self._strip.setSpacing(6)
        self._slots: list[QLabel] = []
        for _ in range(shots):
            slot = QLabel()
            slot.setFixedSize(THUMB, THUMB)
            slot.setObjectName("shotSlot")
            self._slots.append(slot)
            self._strip.addWidget(slot)
        self._strip.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.step_label)
        layout.addWidget(self.prompt_label)
        layout.addWidget(self.reason_label)
        layout.addLayout(self._strip)
        self.reset()

    @property
    def crops(self) -> list[np.ndarray]:
        return list(self._crops)

    @property
    def shots(self) -> int:
        return self._shots

    @property
    def complete(self) -> bool:
        return len(self._crops) >= self._shots

    def current_pose(self) -> Pose:
        return GUIDED_POSES[min(len(self._crops), len(GUIDED_POSES) - 1)]

    def current_prompt(self) -> str:
        return POSE_PROMPTS[min(len(self._crops), len(POSE_PROMPTS) - 1)]

    def reset(self) -> None:
        self._crops.clear()
        self._from_photos = 0
        for slot in self._slots:
            slot.clear()
            slot.setText("—")
        self.reason_label.clear()
        self._refresh()

    def accept(self, crop: np.ndarray, from_photo: bool = False) -> None:
        """Keep one accepted 160x160 crop and move to the next pose (`from_photo`: it came
        from a photo file, which needs no pose: the guidance then says so)."""
        if self.complete:
            return
        self._from_photos += int(from_photo)
        self._slots[len(self._crops)].setPixmap(pixmap_from_rgb(crop, THUMB))
        self._crops.append(crop)
        self.reason_label.clear()
        self._refresh()

    def refuse(self, reason: str) -> None:
        self.reason_label.setText(f"Shot refused: {reason}")

    def _refresh(self) -> None:
        n = len(self._crops)
        if n and self._from_photos == n:
            # photo files: no webcam poses to ask for (issue 13 item 8)
            self.step_label.setText(f"{n} photo{'s' if n > 1 else ''} accepted")
            self.prompt_label.setText(
                "One good photo is enough: type the name and Save. More photos (other days, "
                "light, glasses) help recognition a little; add them now or later by "
                "re-enrolling.")
        elif self.complete:
            self.step_label.setText(f"All {self._shots} shots taken")
            self.prompt_label.setText("Check the crops, then Save.")
        else:
            self.step_label.setText(f"Shot {n + 1} of {self._shots}")
            self.prompt_label.setText(self.current_prompt())
