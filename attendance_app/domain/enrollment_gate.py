"""Quality gates for enrolment shots: exactly one face, big enough, sharp enough, the right pose.

Pure rules over detector output so the GUI, the CLI and tests share one definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from attendance_app.domain.detection import FaceQuality


class Pose(str, Enum):
    """The pose asked for in one guided enrolment shot."""

    ANY = "any"
    STRAIGHT = "straight"
    SLIGHTLY_LEFT = "slightly_left"
    SLIGHTLY_RIGHT = "slightly_right"

    @property
    def instruction(self) -> str:
        return {
            Pose.ANY: "look at the camera",
            Pose.STRAIGHT: "look straight at the camera",
            Pose.SLIGHTLY_LEFT: "turn your head slightly to your left",
            Pose.SLIGHTLY_RIGHT: "turn your head slightly to your right",
        }[self]


# The five guided webcam shots: frontal twice, each side, frontal again.
GUIDED_POSES: tuple[Pose, ...] = (Pose.STRAIGHT, Pose.SLIGHTLY_LEFT, Pose.SLIGHTLY_RIGHT,
                                  Pose.STRAIGHT, Pose.ANY)


@dataclass(frozen=True)
class EnrollmentGate:
    """Thresholds of the gates. Yaw in degrees: |yaw| <= straight_max_yaw counts as straight; a turn
    needs at least turn_min_yaw (and at most turn_max_yaw, past which recognition degrades)."""

    min_face_px: float = 60.0
    min_sharpness: float = 15.0
    straight_max_yaw: float = 12.0
    turn_min_yaw: float = 8.0
    turn_max_yaw: float = 40.0

    def problems(self, face_count: int, quality: FaceQuality | None,
                 pose: Pose = Pose.ANY) -> list[str]:
        """Reasons to refuse the shot, in the order a user should fix them; empty = accepted."""
        if face_count == 0:
            return ["no face found"]
        if face_count > 1:
            return [f"{face_count} faces found; exactly one person must be in the picture"]
        if quality is None:
            return []
        reasons: list[str] = []
        if quality.size_px < self.min_face_px:
            reasons.append(f"face too small ({quality.size_px:.0f} px, need {self.min_face_px:.0f}"
                           " px): move closer")
        if quality.sharpness < self.min_sharpness:
            reasons.append(f"image too blurred (sharpness {quality.sharpness:.0f}, need "
                           f"{self.min_sharpness:.0f}): hold still, more light")
        reasons.extend(self._pose_problems(quality.yaw_degrees, pose))
        return reasons

    def _pose_problems(self, yaw: float, pose: Pose) -> list[str]:
        if pose is Pose.ANY:
            return [] if abs(yaw) <= self.turn_max_yaw else ["head turned too far: face the camera"]
        if pose is Pose.STRAIGHT:
            return [] if abs(yaw) <= self.straight_max_yaw else ["please look straight at the camera"]
        # Positive yaw = turned towards the image's left = the subject's right (mirror-free camera).
        wanted_sign = 1.0 if pose is Pose.SLIGHTLY_RIGHT else -1.0
        signed = yaw * wanted_sign
        if signed < self.turn_min_yaw:
            return [f"please {pose.instruction}"]
        if signed > self.turn_max_yaw:
            return ["turned too far: turn back a little"]
        return []
