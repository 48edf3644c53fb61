"""Recorded liveness measurements per track (gzip JSON), so thresholds can be searched by
replaying the judge (vision/liveness/liveness_judge.replay) without MTCNN or FaceMesh.

File layout: {"version": 2, "videos": {"real:NAME" | "attack:NAME": [{"track": id,
"first_s": t, "last_s": t, "samples": [[t, size, reason | null, sides, peak, points | null,
patch | null], ...]}, ...]}}, points as a flat list of 468 x 3 numbers rounded to 0.01 px, patch
the grey face patch (pixel_planarity.face_patch) as base64 PNG (lossless). Version 1 files
(no patch column) still load, with no patches.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from attendance_app.vision.liveness.liveness_judge import Measurement
from attendance_app.vision.liveness.pixel_planarity import decode_patch, encode_patch

VERSION = 2
_READABLE = (1, 2)


@dataclass
class RecordedTrack:
    video: str  # "real:NAME" or "attack:NAME"
    track_id: int
    first_s: float
    last_s: float
    samples: list[Measurement]

    @property
    def is_attack(self) -> bool:
        return self.video.startswith("attack:")


def _encode(m: Measurement) -> list[Any]:
    points = None if m.points is None else np.round(m.points.astype(np.float64), 2).ravel().tolist()
    return [round(m.time_s, 4), round(m.size, 1), m.reason, int(m.sides), round(m.peak, 3), points,
            None if m.patch is None else encode_patch(m.patch)]


def _decode(row: list[Any]) -> Measurement:
    t, size, reason, sides, peak, points = row[:6]
    encoded = row[6] if len(row) > 6 else None
    pts = None if points is None else np.asarray(points, np.float32).reshape(-1, 3)
    patch = None if encoded is None else decode_patch(encoded)
    return Measurement(float(t), float(size), reason, pts, int(sides), float(peak), patch)


def save_tracks(path: Path, tracks: list[RecordedTrack]) -> None:
    videos: dict[str, list[dict[str, Any]]] = {}
    for t in tracks:
        videos.setdefault(t.video, []).append(
            {"track": t.track_id, "first_s": t.first_s, "last_s": t.last_s,
             "samples": [_encode(m) for m in t.samples]})
    partial = path.with_name(path.name + ".partial")  # a reader never sees half a file
    with gzip.open(partial, "wt", encoding="utf-8") as fh:
        json.dump({"version": VERSION, "videos": videos}, fh)
    partial.replace(path)


def load_tracks(path: Path) -> list[RecordedTrack]:
    """Every recorded track of a file written by save_tracks; ValueError for another format."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, dict) or data.get("version") not in _READABLE:
        raise ValueError(f"{path}: not a liveness trace file (version {_READABLE})")
    return [RecordedTrack(video, int(t["track"]), float(t["first_s"]), float(t["last_s"]),
                          [_decode(r) for r in t["samples"]])
            for video, tracks in data["videos"].items() for t in tracks]
