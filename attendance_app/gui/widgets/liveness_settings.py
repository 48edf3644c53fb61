"""LivenessSettings: the Settings tab's "Liveness" group (issue 15): policy, wait, challenge.

Each choice carries a plain-language explanation under the control (and as its tooltip), so a
teacher can tell what "flag" and "require" do without the README. Values are saved through
the settings validation with the rest of the tab; a running session keeps the policy it
started with, the next session start uses the new one.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QSpinBox, QWidget

from attendance_app.config import Settings, challenge_enabled

POLICIES: tuple[tuple[str, str, str], ...] = (
    ("off", "Off",
     "No check. A clear photo of an enrolled person, printed or on a phone, is recorded as "
     "that person."),
    ("flag", "Flag for review (recommended)",
     "Everyone recognised is recorded at once. A face that does not blink or move like a "
     "real head is marked “liveness not shown”: confirm or reject it in the Live list, the "
     "Sessions tab or the reports."),
    ("require", "Require liveness",
     "Nobody is recorded until their face has shown life (a blink, a head turn). Faces that "
     "do not within the wait go to the review queue as “possible photo/screen”."),
)
CHALLENGES: tuple[tuple[str, str], ...] = (
    ("auto", "Only when liveness is required"),
    ("on", "Whenever liveness is checked"),
    ("off", "Never"),
)
CHALLENGE_TIP = ("When a face has not shown life on its own after a few seconds, the Live view "
                 "asks the person on screen to blink or to turn their head (chosen at random, "
                 "5 seconds to respond). Webcam enrolment always asks, whatever this says.")
NOT_STOPPED = ("Stops photos held up to the camera. It does not stop a replayed video or a "
               "mask. Changes apply from the next session start.")


class LivenessSettings(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Liveness (photo and screen check)", parent)
        self.policy_combo = QComboBox()
        for key, label, text in POLICIES:
            self.policy_combo.addItem(label, key)
            self.policy_combo.setItemData(self.policy_combo.count() - 1, text,
                                          Qt.ItemDataRole.ToolTipRole)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setObjectName("consentWording")
        self.wait_spin = QSpinBox()
        self.wait_spin.setRange(1, 60)
        self.wait_spin.setSuffix(" s")
        self.wait_spin.setToolTip("How long a recognised face may take to show life before it "
                                  "is flagged (flag) or sent to the review queue (require).")
        self.challenge_combo = QComboBox()
        for key, label in CHALLENGES:
            self.challenge_combo.addItem(label, key)
        self.challenge_combo.setToolTip(CHALLENGE_TIP)
        self.challenge_state = QLabel()
        self.challenge_state.setObjectName("consentWording")
        note = QLabel(NOT_STOPPED)
        note.setWordWrap(True)
        note.setObjectName("consentWording")
        form = QFormLayout(self)
        form.addRow("Liveness", self.policy_combo)
        form.addRow(self.explanation)
        form.addRow("Wait for liveness", self.wait_spin)
        form.addRow("Ask to blink / turn", self.challenge_combo)
        form.addRow(self.challenge_state)
        form.addRow(note)
        self.policy_combo.currentIndexChanged.connect(self._update_texts)
        self.challenge_combo.currentIndexChanged.connect(self._update_texts)
        self._update_texts()

    def load(self, settings: Settings) -> None:
        self.policy_combo.setCurrentIndex(max(0, self.policy_combo.findData(settings.liveness)))
        self.wait_spin.setValue(max(1, min(60, round(settings.liveness_wait_s))))
        self.challenge_combo.setCurrentIndex(
            max(0, self.challenge_combo.findData(settings.liveness_challenge)))
        self._update_texts()

    def values(self) -> dict[str, Any]:
        """The fields of Settings this group sets."""
        return {"liveness": str(self.policy_combo.currentData()),
                "liveness_wait_s": float(self.wait_spin.value()),
                "liveness_challenge": str(self.challenge_combo.currentData())}

    def _update_texts(self) -> None:
        key = self.policy_combo.currentData()
        text = next((t for k, _, t in POLICIES if k == key), "")
        self.explanation.setText(text)
        self.policy_combo.setToolTip(text)
        self.wait_spin.setEnabled(key != "off")
        self.challenge_combo.setEnabled(key != "off")
        on = challenge_enabled(Settings(liveness=str(key or "flag"),
                                        liveness_challenge=str(
                                            self.challenge_combo.currentData() or "auto")))
        self.challenge_state.setText("The Live view will ask for a blink or a head turn when "
                                     "needed." if on else "The Live view will not ask; webcam "
                                     "enrolment still does.")

