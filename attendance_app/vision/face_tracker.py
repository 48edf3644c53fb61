"""FaceTracker: follows faces across frames by box overlap, so a face is recognised once per
track instead of once per frame.

Each frame's detections are matched greedily to the existing tracks by IoU (highest pairs
first, at least `min_iou`) against each track's *predicted* box: the last box moved by a smoothed
per-frame velocity, which keeps two faces that cross from swapping tracks. A track missed for
more than `max_missed` updates ends (an update is one detection pass; frames may be skipped
between passes); a face that comes back later starts a new track.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attendance_app.domain.detection import Detection
from attendance_app.domain.face_box import FaceBox

# Laplacian variance above which a face counts as fully sharp for quality ranking.
_SHARP_ENOUGH = 50.0


def quality_score(detection: Detection) -> float:
    """Rank of a face for 'best view' choices: shorter box side in pixels, discounted when the
    face is blurred (sharpness below ~50) or turned away (|yaw| towards 90 degrees)."""
    size = min(detection.box.width, detection.box.height)
    q = detection.quality
    if q is None:
        return size
    sharp = min(1.0, max(q.sharpness, 0.0) / _SHARP_ENOUGH)
    frontal = max(0.0, 1.0 - abs(q.yaw_degrees) / 90.0)
    return size * (0.5 + 0.5 * sharp) * (0.5 + 0.5 * frontal)


@dataclass
class Track:
    """One face followed over frames. `box` is the latest detected box (frame pixels); `age`
    counts tracker updates since creation, `hits` the frames it was detected in, `missed` the
    frames since it was last detected. `velocity` is the smoothed centre motion in pixels per
    frame. `best_detection` is the highest `quality_score` seen, scored `best_quality`.
    `match_iou` is the IoU of the last detection with the box predicted for it (1.0 for a new
    track) and `previous_box` the box before it: how sure the tracker was that it is the same
    face (identity re-verification reads them)."""

    id: int
    box: FaceBox
    last_detection: Detection
    first_frame: int
    last_frame: int
    age: int = 1
    hits: int = 1
    missed: int = 0
    velocity: tuple[float, float] = (0.0, 0.0)
    match_iou: float = 1.0
    previous_box: FaceBox | None = None
    best_detection: Detection = field(init=False)
    best_quality: float = field(init=False)

    def __post_init__(self) -> None:
        self.best_detection = self.last_detection
        self.best_quality = quality_score(self.last_detection)

    def box_at(self, frame_index: int) -> FaceBox:
        """Where the face should be in frame `frame_index`, moved on from its last detection by
        its velocity (frames without detection in between included)."""
        steps = max(0, frame_index - self.last_frame)
        dx, dy = self.velocity[0] * steps, self.velocity[1] * steps
        b = self.box
        return FaceBox(b.x1 + dx, b.y1 + dy, b.x2 + dx, b.y2 + dy)


@dataclass(frozen=True)
class TrackUpdate:
    """Result of one frame: `seen` the tracks detected in it (new ones included), `new` the
    tracks it started, `lost` the tracks that ended (missed too long)."""

    seen: list[Track]
    new: list[Track]
    lost: list[Track]


class FaceTracker:
    """Greedy IoU tracker. `min_iou` in [0, 1]; `max_missed` updates a track survives without a
    detection; frame indices may skip (detection on every k-th frame); `smoothing` in (0, 1] weights the newest motion in the velocity estimate."""

    def __init__(self, min_iou: float = 0.3, max_missed: int = 10,
                 smoothing: float = 0.5) -> None:
        if not 0.0 < min_iou <= 1.0:
            raise ValueError("min_iou must be in (0, 1]")
        if max_missed < 0:
            raise ValueError("max_missed must be >= 0")
        self._min_iou = min_iou
        self._max_missed = max_missed
        self._smoothing = smoothing
        self._tracks: list[Track] = []
        self._next_id = 1

    @property
    def tracks(self) -> list[Track]:
        """Live tracks, seen or coasting on missed frames."""
        return list(self._tracks)

    def update(self, detections: list[Detection], frame_index: int) -> TrackUpdate:
        """Match `detections` of frame `frame_index` to the tracks; returns what changed."""
        pairs = self._greedy_pairs(detections, frame_index)
        seen: list[Track] = []
        matched_tracks: set[int] = set()
        matched_dets: set[int] = set()
        for t_idx, d_idx, iou in pairs:
            track = self._tracks[t_idx]
            track.match_iou = iou
            self._absorb(track, detections[d_idx], frame_index)
            seen.append(track)
            matched_tracks.add(t_idx)
            matched_dets.add(d_idx)
        lost: list[Track] = []
        survivors: list[Track] = []
        for t_idx, track in enumerate(self._tracks):
            if t_idx not in matched_tracks:
                track.missed += 1
                track.age += 1
                if track.missed > self._max_missed:
                    lost.append(track)
                    continue
            survivors.append(track)
        new = [self._start(det, frame_index) for d_idx, det in enumerate(detections)
               if d_idx not in matched_dets]
        self._tracks = survivors + new
        seen.extend(new)
        seen.sort(key=lambda t: t.id)
        return TrackUpdate(seen=seen, new=new, lost=lost)

    def restart(self, track: Track) -> Track:
        """End `track` and start a new one (new id) on its last detection: the face under the
        box turned out to be someone else. Returns the new track, which replaces the old one."""
        fresh = self._start(track.last_detection, track.last_frame)
        self._tracks = [fresh if t is track else t for t in self._tracks]
        return fresh

    def reset(self) -> list[Track]:
        """End every track (e.g. a scene cut or a new source); returns them as lost."""
        lost, self._tracks = self._tracks, []
        return lost

    def _greedy_pairs(self, detections: list[Detection],
                      frame_index: int) -> list[tuple[int, int, float]]:
        if not self._tracks or not detections:
            return []
        predicted = np.array([t.box_at(frame_index).as_tuple() for t in self._tracks])
        boxes = np.array([d.box.as_tuple() for d in detections])
        iou = _iou_matrix(predicted, boxes)
        pairs: list[tuple[int, int, float]] = []
        used_t: set[int] = set()
        used_d: set[int] = set()
        for flat in np.argsort(-iou, axis=None, kind="stable"):
            t_idx, d_idx = divmod(int(flat), len(detections))
            if iou[t_idx, d_idx] < self._min_iou:
                break
            if t_idx in used_t or d_idx in used_d:
                continue
            pairs.append((t_idx, d_idx, float(iou[t_idx, d_idx])))
            used_t.add(t_idx)
            used_d.add(d_idx)
        return pairs

    def _absorb(self, track: Track, det: Detection, frame_index: int) -> None:
        steps = max(1, frame_index - track.last_frame)
        (ox, oy), (nx, ny) = track.box.center, det.box.center
        vx, vy = (nx - ox) / steps, (ny - oy) / steps
        a = self._smoothing
        track.velocity = (a * vx + (1 - a) * track.velocity[0],
                          a * vy + (1 - a) * track.velocity[1])
        track.previous_box = track.box
        track.box = det.box
        track.last_detection = det
        track.last_frame = frame_index
        track.hits += 1
        track.age += 1
        track.missed = 0
        score = quality_score(det)
        if score > track.best_quality:
            track.best_quality, track.best_detection = score, det

    def _start(self, det: Detection, frame_index: int) -> Track:
        track = Track(id=self._next_id, box=det.box, last_detection=det,
                      first_frame=frame_index, last_frame=frame_index)
        self._next_id += 1
        return track


def _iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in a (T, 4) with every box in b (D, 4), as (T, D)."""
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)
