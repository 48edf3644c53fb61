"""TrackVerifier: does the face under a track still belong to the identity the track carries?

A track is a promise that the same person stays under the box. Cheap signs say the promise may
be broken, and one expensive test decides (ADR 11):
- geometry: the detection the tracker matched overlaps the predicted box little (IoU below
  `verify_min_iou`) or its size jumped (side ratio above `verify_max_size_ratio`);
- continuity (frame to frame): at the box the face had on the previous frame shown, its 12x12
  grey signature (zero mean, unit variance, so lighting drifts do not count) correlates below
  `continuity_min_correlation`, or its hue/saturation histogram moved further than
  `continuity_max_colour_distance`: a face swapped in place. Measured on Hamilton, a real face
  between two frames never fell below 0.58 / above 0.21; hard swaps fell to 0.35-0.72 /
  0.43-0.76, so either test catches them;
- drift (since the last embedding): the signature correlates with the one taken at the track's
  last embedding below `appearance_min_correlation`, at the best of the positions within
  `search_cells` signature cells of the box (a moving face's box between detections is a
  prediction, off by a few pixels; on Hamilton 35 of 80 named frames fell below 0.8 at the
  predicted box alone, 8 within 3 cells). Measured from the last *embedding*, so a slow
  cross-dissolve adds up until it trips. A drift alone asks for re-embedding, not a hidden name
  (heads turn); `smooth_step` tells a fade (every step nearly the same picture) from a face;
- the decision: the face is re-embedded and the embedding must agree with the track's own recent
  embeddings (cosine to their normalised mean >= `self_min_similarity`) and, for a confirmed
  track, must not match another enrolled person (a track that fails ends) and must still match
  its own person (else it stays suspect, unnamed). A fading face stays suspect even when that
  embedding agrees, until it has looked the same for a while (`settled`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from attendance_app.domain.face_box import FaceBox
from attendance_app.domain.match import Match

SIGNATURE_SIDE = 12
_INNER = 0.1  # trim 10% of the box each side: the face itself, not the background around it


def face_signature(rgb: np.ndarray, box: FaceBox) -> np.ndarray | None:
    """(144,) float32 zero-mean unit-norm signature of the face region of an (H, W, 3) uint8
    RGB frame, or None when the box lies (almost) outside it or the region is flat."""
    region = _inner_region(rgb, box)
    if region is None:
        return None
    region = cv2.cvtColor(region, cv2.COLOR_RGB2GRAY)
    small = cv2.resize(region, (SIGNATURE_SIDE, SIGNATURE_SIDE),
                       interpolation=cv2.INTER_AREA).astype(np.float32).ravel()
    small -= small.mean()
    norm = float(np.linalg.norm(small))
    return small / norm if norm > 1e-3 else None


def _inner_region(rgb: np.ndarray, box: FaceBox) -> np.ndarray | None:
    h, w = rgb.shape[:2]
    dx, dy = box.width * _INNER, box.height * _INNER
    x1, y1 = max(int(box.x1 + dx), 0), max(int(box.y1 + dy), 0)
    x2, y2 = min(int(box.x2 - dx), w), min(int(box.y2 - dy), h)
    if x2 - x1 < 4 or y2 - y1 < 4:
        return None
    return np.ascontiguousarray(rgb[y1:y2, x1:x2])


def colour_histogram(rgb: np.ndarray, box: FaceBox) -> np.ndarray | None:
    """A 16 (hue) x 8 (saturation) histogram of the face region, summing to 1; None when the
    box lies (almost) outside the frame. Unlike the grey signature it hardly changes when a face
    turns, moves or talks, but it does when another face (other skin, hair, light) takes its
    place."""
    region = _inner_region(rgb, box)
    if region is None:
        return None
    hsv = cv2.cvtColor(region, cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1], None, [16, 8], [0, 180, 0, 256])
    total = float(hist.sum())
    return hist / total if total > 0 else None


def colour_distance(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Bhattacharyya distance in [0, 1] of two colour histograms; 0.0 when either is missing."""
    if a is None or b is None:
        return 0.0
    return float(cv2.compareHist(a, b, cv2.HISTCMP_BHATTACHARYYA))


def searched_correlation(rgb: np.ndarray, box: FaceBox, reference: np.ndarray | None,
                         search_cells: int) -> float:
    """The highest Pearson correlation between `reference` (a face_signature) and the face
    region of `rgb` at `box` shifted by up to `search_cells` signature cells each way; 1.0 when
    there is no evidence (no reference, a region (almost) outside the frame or flat), as
    signature_correlation. With 0 cells this is signature_correlation at the box itself."""
    if reference is None:
        return 1.0
    if search_cells <= 0:
        return signature_correlation(reference, face_signature(rgb, box))
    h, w = rgb.shape[:2]
    dx, dy = box.width * _INNER, box.height * _INNER
    cell_x = (box.width - 2 * dx) / SIGNATURE_SIDE
    cell_y = (box.height - 2 * dy) / SIGNATURE_SIDE
    x1 = int(box.x1 + dx - search_cells * cell_x)
    y1 = int(box.y1 + dy - search_cells * cell_y)
    x2 = int(box.x2 - dx + search_cells * cell_x)
    y2 = int(box.y2 - dy + search_cells * cell_y)
    if min(x2, w) - max(x1, 0) < 4 or min(y2, h) - max(y1, 0) < 4:
        return 1.0
    # Pad (edge pixels) where the search window leaves the frame, so the scale stays exact.
    crop = rgb[max(y1, 0):min(y2, h), max(x1, 0):min(x2, w)]
    grey = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2GRAY)
    if x1 < 0 or y1 < 0 or x2 > w or y2 > h:
        grey = cv2.copyMakeBorder(grey, max(0, -y1), max(0, y2 - h), max(0, -x1),
                                  max(0, x2 - w), cv2.BORDER_REPLICATE)
    side = SIGNATURE_SIDE + 2 * search_cells
    window = cv2.resize(grey, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32)
    template = reference.reshape(SIGNATURE_SIDE, SIGNATURE_SIDE).astype(np.float32)
    scores = cv2.matchTemplate(window, template, cv2.TM_CCOEFF_NORMED)  # Pearson per shift
    scores = scores[np.isfinite(scores)]  # a flat window has no correlation
    return float(scores.max()) if scores.size else 1.0


def signature_correlation(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Pearson correlation in [-1, 1] of two signatures; 1.0 when either is missing (no
    evidence of a change: a flat or off-frame region says nothing about identity)."""
    if a is None or b is None:
        return 1.0
    return float(np.dot(a, b))


@dataclass(frozen=True)
class ShownFace:
    """A confirmed track's face on the last frame shown: where, and how it looked."""

    box: FaceBox
    signature: np.ndarray | None
    colours: np.ndarray | None

    @classmethod
    def of(cls, rgb: np.ndarray, box: FaceBox) -> "ShownFace":
        return cls(box, face_signature(rgb, box), colour_histogram(rgb, box))


@dataclass(frozen=True)
class VerifierSettings:
    """See the module docstring; the values come from LiveRecognizerConfig."""

    verify_min_iou: float = 0.5
    verify_max_size_ratio: float = 1.4
    appearance_min_correlation: float = 0.9
    self_min_similarity: float = 0.45
    stable_correlation: float | None = 0.97  # None: every face counts as settled
    search_cells: int = 3
    continuity_min_correlation: float = 0.45
    continuity_max_colour_distance: float = 0.3
    smooth_step_correlation: float = 0.97


class TrackVerifier:
    """Stateless checks; the per-track state (signature, recent embeddings) lives with the
    track's memory and is passed in."""

    def __init__(self, settings: VerifierSettings) -> None:
        self.settings = settings

    def geometry_suspect(self, match_iou: float, old: FaceBox, new: FaceBox) -> bool:
        """The tracker's match is weak (low IoU) or the face's size jumped."""
        s = self.settings
        ratio = max(new.width, 1e-6) / max(old.width, 1e-6)
        return match_iou < s.verify_min_iou or max(ratio, 1.0 / ratio) > s.verify_max_size_ratio

    def appearance_changed(self, reference: np.ndarray | None, rgb: np.ndarray,
                           box: FaceBox) -> bool:
        """The face region at (or within `search_cells` of) `box` in `rgb` no longer looks like
        it did at the reference (last embedding)."""
        s = self.settings
        return searched_correlation(rgb, box, reference, s.search_cells) < s.appearance_min_correlation

    def continuity_broken(self, previous: ShownFace | None, rgb: np.ndarray) -> bool:
        """The face region changed abruptly since the previous frame shown: at the place the
        face was then (so a box corrected by a new detection does not count), the grey
        signature correlates below `continuity_min_correlation` or the colours moved further
        than `continuity_max_colour_distance` (a face swapped in place)."""
        if previous is None:
            return False
        s = self.settings
        return (searched_correlation(rgb, previous.box, previous.signature, s.search_cells)
                < s.continuity_min_correlation
                or colour_distance(previous.colours, colour_histogram(rgb, previous.box))
                > s.continuity_max_colour_distance)

    def smooth_step(self, previous: ShownFace, rgb: np.ndarray) -> bool:
        """The face region at the place it was on the previous frame shown is nearly the same
        picture (signature correlation at that very box at least `smooth_step_correlation`):
        a step of a fade rather than of a live, moving face."""
        return (signature_correlation(previous.signature, face_signature(rgb, previous.box))
                >= self.settings.smooth_step_correlation)

    def settled(self, previous: np.ndarray | None, current: np.ndarray | None) -> bool:
        """The face region looks as it did earlier (signature correlation at least
        `stable_correlation`): a fade has stopped. Nine frames of a 0.5-1 s dissolve move the
        signature far below 0.97 (the smooth patterns of the tests: 0.86-0.93 after a third of
        a fade)."""
        if self.settings.stable_correlation is None:
            return True
        return signature_correlation(previous, current) >= self.settings.stable_correlation

    def embedding_disagrees(self, recent: list[np.ndarray], embedding: np.ndarray,
                            match: Match, confirmed_person: int | None) -> bool:
        """A new embedding contradicts the track: it is unlike the track's recent embeddings,
        or a confirmed track now matches someone else. `recent` may be empty (nothing to
        contradict: a new track)."""
        if confirmed_person is not None and match.is_known and match.person_id != confirmed_person:
            return True
        if not recent:
            return False
        mean = np.mean(np.stack(recent), axis=0)
        norm = float(np.linalg.norm(mean))
        if norm < 1e-6:
            return False
        similarity = float(np.dot(mean / norm, embedding)) / max(float(np.linalg.norm(embedding)), 1e-6)
        return similarity < self.settings.self_min_similarity
