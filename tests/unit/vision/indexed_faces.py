"""Edge fakes shared by the recogniser's threading tests: a detector that finds one face whose
box moves 2 px per frame (read from the frame's first pixels, where `indexed_frame` writes the
index), and an embedder that always returns a clear match for Ada."""

from __future__ import annotations

import threading
import time

import numpy as np

from attendance_app.domain.detection import Detection, FaceQuality
from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.frame_source import Frame

ADA = 1
TEMPLATE = np.eye(512, dtype=np.float32)[[ADA]]


def indexed_frame(index: int, grey: int = 0) -> Frame:
    """A 640x360 frame of one grey level with its index in the first pixel's R and G."""
    rgb = np.full((360, 640, 3), grey, np.uint8)
    rgb[0, 0, 0], rgb[0, 0, 1] = index % 256, index // 256
    return Frame(index, index / 30.0, rgb)


class IndexedFaceDetector:
    """Records which frames were detected and on which threads; each call takes `delay_s`."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.detected_frames: list[int] = []
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def detect(self, rgb: np.ndarray, scale: float = 1.0) -> list[Detection]:
        if self.delay_s:
            time.sleep(self.delay_s)
        index = int(rgb[0, 0, 0]) + 256 * int(rgb[0, 0, 1])
        with self._lock:
            self.detected_frames.append(index)
            self.threads.add(threading.current_thread().name)
        x = 100 + 2 * index
        marks = tuple((x + 80 * a, 100 + 80 * b) for a, b in
                      [(0.3, 0.4), (0.7, 0.4), (0.5, 0.6), (0.35, 0.8), (0.65, 0.8)])
        return [Detection(FaceBox(x, 100, x + 80, 180), 0.99, marks, FaceQuality(80, 100, 0))]

    def crop(self, rgb: np.ndarray, detection: Detection) -> np.ndarray:
        return np.zeros((160, 160, 3), np.uint8)


class AdaEmbedder:
    """Every crop embeds close to Ada's template (cosine ~0.9); records the calling threads."""

    threads: set[str] = set()

    def embed(self, crops: np.ndarray) -> np.ndarray:
        AdaEmbedder.threads.add(threading.current_thread().name)
        return np.repeat(TEMPLATE * 0.9 + np.eye(512, dtype=np.float32)[[7]] * 0.43, len(crops), 0)
