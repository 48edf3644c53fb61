"""CachedDetector: MTCNN's detections of benchmark images kept in a JSON file between runs.

Side-by-side benchmarks (FaceNet vs SFace, box vs five-point, flip or not) differ only after
detection, and MTCNN is most of their time on 2 cores: the first run detects and writes
`{image path: [[x1, y1, x2, y2, probability, 10 landmark coordinates], ...]}`, later runs read it.
The cache is keyed by the detector's settings too, so a different min_face_size re-detects.
Crops are always cut from the image itself (detector.crop), never cached.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from attendance_app.domain.detection import Detection
from attendance_app.domain.face_box import FaceBox


class CachedDetector:
    """Wraps a detector: detect() answers from the cache for images seen before, by id of the
    pixel array's path (the benchmark passes paths through `for_path`)."""

    def __init__(self, detector, cache_file: Path) -> None:
        self._detector = detector
        self._file = Path(cache_file)
        self.margin = detector.margin
        self.crop_size = detector.crop_size
        self._key = f"min_face={detector.min_face_size},p={detector.min_probability}"
        data = json.loads(self._file.read_text()) if self._file.is_file() else {}
        self._entries: dict[str, list[list[float]]] = data.get(self._key, {})
        self._data = data
        self._path: str | None = None
        self._dirty = False

    def for_path(self, path: Path) -> None:
        """Name the image the next detect() call is about (None: do not cache)."""
        self._path = str(Path(path).resolve())

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        if self._path is not None and self._path in self._entries:
            return [_decode(row) for row in self._entries[self._path]]
        found = self._detector.detect(rgb, with_quality=False)
        if self._path is not None:
            self._entries[self._path] = [_encode(d) for d in found]
            self._dirty = True
        return found

    def crop(self, rgb: np.ndarray, detection: Detection) -> np.ndarray:
        return self._detector.crop(rgb, detection)

    def save(self) -> None:
        """Write the cache (temp file + os.replace) when something new was detected."""
        if not self._dirty:
            return
        self._data[self._key] = self._entries
        tmp = self._file.with_name(self._file.name + ".tmp")
        tmp.write_text(json.dumps(self._data))
        os.replace(tmp, self._file)
        self._dirty = False


def _encode(d: Detection) -> list[float]:
    b = d.box
    return [b.x1, b.y1, b.x2, b.y2, d.probability, *np.ravel(d.landmarks).tolist()]


def _decode(row: list[float]) -> Detection:
    points = tuple((row[5 + 2 * i], row[6 + 2 * i]) for i in range(5))
    return Detection(FaceBox(*row[:4]), row[4], points)  # type: ignore[arg-type]
