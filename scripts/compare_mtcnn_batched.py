"""MTCNN with batched R-/O-net crops vs facenet-pytorch's per-box loop: equality and speed.

For every frame of each video (and each photo) the frame MTCNN sees (longer side at most
--max-side, as `benchmark live` detects) goes through three detectors in one process, torch at
1 thread:
  before  = MtcnnFaceDetector(batched_crops=False): facenet-pytorch's detect_face loop
  after   = MtcnnFaceDetector(batched_crops=True): vision/mtcnn_batched.py
  stock   = facenet-pytorch's MTCNN as shipped (NCHW weights, its own code)
before/after are timed interleaved (their order alternates per frame). Prints one JSON object:
ms per call, whether after == before bit for bit on every frame, and the largest box, landmark
and probability difference (and face-count mismatches) of after vs stock.

  PYTHONPATH=$PWD python scripts/compare_mtcnn_batched.py \\
      --video ../shared/datasets/facenet_pytorch_misc/video.mp4 \\
      --video ../shared/datasets/face_recognition_video/short_hamilton_clip.mp4 \\
      --photos ../shared/datasets/face_recognition_examples
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import torch
from facenet_pytorch import MTCNN

from attendance_app.vision.face_detector import MtcnnFaceDetector, shrink_for_detection
from attendance_app.vision.image_io import load_image_rgb

Raw = tuple[np.ndarray, np.ndarray, np.ndarray]


def video_frames(path: Path) -> Iterator[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    try:
        while True:
            ok, bgr = cap.read()
            if not ok:
                return
            yield cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    finally:
        cap.release()


def photo_frames(folder: Path) -> Iterator[np.ndarray]:
    for p in sorted(folder.rglob("*")):
        if p.suffix.lower() in {".jpg", ".jpeg", ".png"}:
            yield load_image_rgb(p)


def stock_raw(mtcnn: MTCNN, small: np.ndarray) -> Raw:
    with torch.inference_mode():
        boxes, probs, points = mtcnn.detect(small, landmarks=True)
    if boxes is None:
        return np.zeros((0, 4)), np.zeros(0), np.zeros((0, 5, 2))
    return (np.asarray(boxes).astype(float), np.asarray(probs).astype(float),
            np.asarray(points).astype(float))


class Tally:
    def __init__(self) -> None:
        self.frames = 0
        self.faces = 0
        self.ms = {"before": [], "after": []}  # type: dict[str, list[float]]
        self.unequal_to_before = 0
        self.count_mismatch_vs_stock = 0
        self.max_box = self.max_landmark = self.max_prob = 0.0

    def add(self, before: Raw, after: Raw, stock: Raw) -> None:
        self.frames += 1
        self.faces += len(after[0])
        if not all(np.array_equal(a, b) for a, b in zip(before, after)):
            self.unequal_to_before += 1
        if len(after[0]) != len(stock[0]):
            self.count_mismatch_vs_stock += 1
            return
        if len(after[0]):
            self.max_box = max(self.max_box, float(np.abs(after[0] - stock[0]).max()))
            self.max_prob = max(self.max_prob, float(np.abs(after[1] - stock[1]).max()))
            self.max_landmark = max(self.max_landmark, float(np.abs(after[2] - stock[2]).max()))

    def summary(self) -> dict[str, object]:
        b, a = np.array(self.ms["before"]), np.array(self.ms["after"])
        return {"frames": self.frames, "faces": self.faces,
                "ms_before_median": round(float(np.median(b)), 1),
                "ms_after_median": round(float(np.median(a)), 1),
                "ms_before_mean": round(float(b.mean()), 1),
                "ms_after_mean": round(float(a.mean()), 1),
                "speedup_of_medians": round(float(np.median(b) / np.median(a)), 3),
                "median_per_frame_ratio": round(float(np.median(b / a)), 3),
                "frames_after_not_bit_identical_to_before": self.unequal_to_before,
                "frames_face_count_differs_from_stock": self.count_mismatch_vs_stock,
                "max_abs_box_px_vs_stock": self.max_box,
                "max_abs_landmark_px_vs_stock": self.max_landmark,
                "max_abs_probability_vs_stock": self.max_prob}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--video", type=Path, action="append", default=[])
    ap.add_argument("--photos", type=Path, action="append", default=[])
    ap.add_argument("--max-side", type=int, default=640)
    ap.add_argument("--max-frames", type=int, default=None, help="per source")
    args = ap.parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    detector = MtcnnFaceDetector(min_face_size=20)
    stock = MTCNN(min_face_size=20, keep_all=True, device=torch.device("cpu")).eval()
    sources = [(str(v), video_frames(v)) for v in args.video]
    sources += [(str(p), photo_frames(p)) for p in args.photos]
    report: dict[str, object] = {"load_average_start": os.getloadavg()}
    for name, frames in sources:
        tally = Tally()
        for i, rgb in enumerate(frames):
            if args.max_frames is not None and i >= args.max_frames:
                break
            small = np.ascontiguousarray(
                shrink_for_detection(rgb, min(1.0, args.max_side / max(rgb.shape[:2]))))
            out: dict[str, Raw] = {}
            for variant in (("before", "after") if i % 2 == 0 else ("after", "before")):
                detector.batched_crops = variant == "after"
                t0 = time.perf_counter()
                out[variant] = detector.mtcnn_raw(small)
                tally.ms[variant].append((time.perf_counter() - t0) * 1e3)
            tally.add(out["before"], out["after"], stock_raw(stock, small))
        report[name] = tally.summary()
    report["load_average_end"] = os.getloadavg()
    report["torch_threads"] = torch.get_num_threads()
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
