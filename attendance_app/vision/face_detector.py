"""MtcnnFaceDetector: facenet-pytorch's MTCNN behind the app's Detection/crop contract.

detect -> list[Detection] (boxes, probabilities, 5 landmarks, quality); crop -> the one face crop
every part of the app uses: (160, 160, 3) uint8 RGB cut with a margin of `margin` pixels of the
output, exactly as facenet-pytorch's `extract_face` does for numpy images (cv2 INTER_AREA).
Standardisation (x - 127.5) / 128 is NOT done here: it belongs to the embedder.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np
import torch

from attendance_app.domain.detection import Detection
from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.face_quality import face_quality
from attendance_app.vision.landmark_refinement import refine_landmarks
from attendance_app.vision.mtcnn_batched import detect_face_batched
from attendance_app.vision.weights.mtcnn_weights import CheckedMtcnn

CROP_SIZE = 160


def crop_face(rgb: np.ndarray, box: FaceBox, margin: int = 44,
              crop_size: int = CROP_SIZE) -> np.ndarray:
    """Cut `box` plus margin out of an (H, W, 3) uint8 RGB frame, resized to (crop_size,
    crop_size, 3) uint8. The margin is in pixels of the output (facenet-pytorch semantics: the
    box grows by margin * side / (crop_size - margin)), clamped to the frame."""
    x1, y1, x2, y2 = crop_region(rgb.shape, box, margin, crop_size)
    region = rgb[y1:y2, x1:x2]
    return cv2.resize(region, (crop_size, crop_size), interpolation=cv2.INTER_AREA)


def crop_region(shape: tuple[int, ...], box: FaceBox, margin: int = 44,
                crop_size: int = CROP_SIZE) -> tuple[int, int, int, int]:
    """The frame rectangle (x1, y1, x2, y2), integer pixels, that crop_face cuts and resizes.
    ValueError when it is empty (box outside the frame)."""
    h, w = shape[:2]
    mx = margin * box.width / (crop_size - margin)
    my = margin * box.height / (crop_size - margin)
    # int() truncation, not rounding, to stay pixel-identical to facenet-pytorch's extract_face.
    x1, y1 = int(max(box.x1 - mx / 2, 0)), int(max(box.y1 - my / 2, 0))
    x2, y2 = int(min(box.x2 + mx / 2, w)), int(min(box.y2 + my / 2, h))
    if x2 <= x1 or y2 <= y1:
        raise ValueError(f"face box {box} lies outside the {w}x{h} frame")
    return x1, y1, x2, y2


CONTEXT_SCALE = 2.2  # context side / the box's longer side: holds SFace's whole 112 px template
CONTEXT_MAX_SIDE = 400


def face_context(rgb: np.ndarray, detection: Detection, scale: float = CONTEXT_SCALE,
                 max_side: int = CONTEXT_MAX_SIDE
                 ) -> tuple[np.ndarray, tuple[tuple[float, float], ...]]:
    """A wider region around a face, kept at the frame's own resolution (downscaled with
    INTER_AREA only when its side exceeds max_side), and the five landmarks in its pixels.
    Stored with each enrolment crop so that an aligning embedder warps the same pixels later
    as it would from the frame: at native resolution the warp is identical."""
    box = detection.box
    cx, cy = (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
    half = scale * max(box.width, box.height) / 2
    h, w = rgb.shape[:2]
    x1, y1 = max(int(cx - half), 0), max(int(cy - half), 0)
    x2, y2 = min(int(np.ceil(cx + half)), w), min(int(np.ceil(cy + half)), h)
    if x2 <= x1 or y2 <= y1:
        raise ValueError(f"face box {box} lies outside the {w}x{h} frame")
    region = np.ascontiguousarray(rgb[y1:y2, x1:x2])
    points = tuple((px - x1, py - y1) for px, py in detection.landmarks)
    factor = max_side / max(region.shape[:2])
    if factor < 1.0:
        size = (max(1, round(region.shape[1] * factor)), max(1, round(region.shape[0] * factor)))
        sx, sy = size[0] / region.shape[1], size[1] / region.shape[0]
        region = cv2.resize(region, size, interpolation=cv2.INTER_AREA)
        points = tuple(((px + 0.5) * sx - 0.5, (py + 0.5) * sy - 0.5) for px, py in points)
    return region, points


def landmarks_in_crop(shape: tuple[int, ...], detection: Detection, margin: int = 44,
                      crop_size: int = CROP_SIZE) -> tuple[tuple[float, float], ...]:
    """The detection's five landmarks in the coordinates of its crop_face crop (stored with
    the crop so that an aligning embedder such as SFace can be re-run on it later)."""
    x1, y1, x2, y2 = crop_region(shape, detection.box, margin, crop_size)
    sx, sy = crop_size / (x2 - x1), crop_size / (y2 - y1)
    # cv2.resize maps pixel centres: frame x -> (x - x1 + 0.5) * s - 0.5.
    return tuple(((px - x1 + 0.5) * sx - 0.5, (py - y1 + 0.5) * sy - 0.5)
                 for px, py in detection.landmarks)


def resize_as_crop(rgb: np.ndarray, crop_size: int = CROP_SIZE) -> np.ndarray:
    """Treat a whole image that is already a face crop (aligned/tight datasets, `--crops`) as
    one: resized to (crop_size, crop_size, 3) uint8, the aspect ratio squashed rather than cut
    so that no part of the face is lost."""
    if rgb.shape[:2] == (crop_size, crop_size):
        return np.ascontiguousarray(rgb)
    return cv2.resize(np.ascontiguousarray(rgb), (crop_size, crop_size),
                      interpolation=cv2.INTER_AREA)


def shrink_for_detection(rgb: np.ndarray, scale: float) -> np.ndarray:
    """The frame MTCNN sees for `scale` in (0, 1]: `rgb` itself at 1, else resized by `scale`
    (cv2 INTER_AREA, sides rounded, at least 1 px). ValueError for a scale outside (0, 1]."""
    if scale == 1.0:
        return rgb
    if not 0.0 < scale <= 1.0:
        raise ValueError(f"scale must be in (0, 1], got {scale}")
    size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


class MtcnnFaceDetector:
    """MTCNN face detector on the CPU.

    min_face_size: smallest face searched for, in detection-frame pixels (20 finds small faces;
    tightly framed datasets such as AT&T need it below the face size; larger is faster).
    margin / crop_size: see crop_face. min_probability: faces MTCNN scores below it are dropped
    (MTCNN's own last-stage threshold 0.7 lets through blurred background shapes at 0.8).
    detect() returns faces sorted by box area, largest first (ties keep MTCNN's order).
    batched_crops: cut the R-/O-net crops of all candidate boxes in one batch
    (vision/mtcnn_batched.py, bit-identical results); False runs facenet-pytorch's own
    per-box loop. Thread-safe: one lock serialises the network.
    """

    def __init__(self, min_face_size: int = 20, margin: int = 44, crop_size: int = CROP_SIZE,
                 min_probability: float = 0.9,
                 thresholds: tuple[float, float, float] = (0.6, 0.7, 0.7),
                 batched_crops: bool = True) -> None:
        self.min_face_size = min_face_size
        self.batched_crops = batched_crops
        self.min_probability = min_probability
        self.margin = margin
        self.crop_size = crop_size
        # CheckedMtcnn: the P/R/O-net files are sha256-checked and loaded weights_only.
        self._mtcnn = CheckedMtcnn(image_size=crop_size, margin=margin,
                                   min_face_size=min_face_size, thresholds=list(thresholds),
                                   keep_all=True, post_process=False, device=torch.device("cpu"))
        self._mtcnn.eval()
        # Channels-last weights make conv outputs channels-last, and torch's CPU max-pooling is
        # ~10x faster on that layout: MTCNN detect 94 -> 60 ms per Hamilton frame, same boxes.
        for net in (self._mtcnn.pnet, self._mtcnn.rnet, self._mtcnn.onet):
            net.to(memory_format=torch.channels_last)
        self._lock = threading.Lock()

    def detect(self, rgb: np.ndarray, scale: float = 1.0, with_quality: bool = True,
               refine_small: bool = False) -> list[Detection]:
        """Faces in an (H, W, 3) uint8 RGB frame, largest first; [] when none.

        scale < 1 runs MTCNN on a frame resized by `scale` (much faster on 1080p) and returns
        boxes and landmarks in full-frame coordinates; min_face_size then applies to the small
        frame. refine_small: the landmarks of small faces are found again on an enlarged view
        (vision/landmark_refinement.py; photos, ~30 ms per such face). Raises ValueError on a
        frame that is not (H, W, 3) uint8.
        """
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected (H, W, 3) uint8 RGB, got {rgb.shape} {rgb.dtype}")
        small = shrink_for_detection(rgb, scale)
        if min(small.shape[:2]) < self._mtcnn.min_face_size:
            return []  # MTCNN's image pyramid is empty for such images (facenet-pytorch raises)
        detections = self._detections(small, scale)
        if refine_small:
            detections = [self.refine(rgb, d) for d in detections]
        if with_quality:
            detections = [self._with_quality(rgb, d) for d in detections]
        return detections

    def refine(self, rgb: np.ndarray, detection: Detection) -> Detection:
        """`detection` with landmarks re-found on an enlarged view of it when it is a small face
        (landmark_refinement); a larger face comes back unchanged."""
        return refine_landmarks(self._detect_view, rgb, detection)

    def _detect_view(self, view: np.ndarray) -> list[Detection]:
        # The whole pyramid, as measured: starting it at REFINED_SIDE / 2 (faster) changes the
        # boxes it settles on, and five_celebrity's refined rank-1 fell from 0.991 to 0.982.
        return self._detections(view, 1.0)

    def _detections(self, small: np.ndarray, scale: float) -> list[Detection]:
        boxes, probs, points = self.mtcnn_raw(np.ascontiguousarray(small))
        if len(boxes) == 0:
            return []
        boxes, points = boxes / scale, points / scale
        detections = []
        for box_arr, prob, pts in zip(boxes, probs, points):
            x1, y1, x2, y2 = (float(v) for v in box_arr)
            if not (x2 > x1 and y2 > y1) or prob < self.min_probability:
                continue
            box = FaceBox(x1, y1, x2, y2)
            landmarks = tuple((float(px), float(py)) for px, py in pts)
            detections.append(Detection(box=box, probability=float(min(max(prob, 0.0), 1.0)),
                                        landmarks=landmarks))  # type: ignore[arg-type]
        detections.sort(key=lambda d: d.box.area, reverse=True)
        return detections

    def mtcnn_raw(self, small: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """MTCNN's raw output on the frame it sees (no probability floor, no rescaling): boxes
        (N, 4), probabilities (N,), landmarks (N, 5, 2) as float64, largest box first as
        MTCNN.detect orders them (select_largest)."""
        with self._lock, torch.inference_mode():
            found = None
            if self.batched_crops:
                m = self._mtcnn
                found = detect_face_batched(small, m.min_face_size, m.pnet, m.rnet, m.onet,
                                            m.thresholds, m.factor)
            if found is None:
                boxes, probs, points = self._mtcnn.detect(small, landmarks=True)
                if boxes is None or len(boxes) == 0:
                    return np.zeros((0, 4)), np.zeros(0), np.zeros((0, 5, 2))
                # facenet-pytorch 2.5.3 returns object-dtype arrays.
                return (np.asarray(boxes).astype(float), np.asarray(probs).astype(float),
                        np.asarray(points).astype(float))
        raw_boxes, raw_points = found
        # The same (unstable) argsort MTCNN.detect uses, so that equal areas keep its order.
        order = np.argsort((raw_boxes[:, 2] - raw_boxes[:, 0])
                           * (raw_boxes[:, 3] - raw_boxes[:, 1]))[::-1]
        raw_boxes, raw_points = raw_boxes[order], raw_points[order]
        return (raw_boxes[:, :4].astype(float), raw_boxes[:, 4].astype(float),
                raw_points.astype(float))

    def crop(self, rgb: np.ndarray, detection: Detection) -> np.ndarray:
        """The (crop_size, crop_size, 3) uint8 RGB face crop of one detection in `rgb`."""
        return crop_face(rgb, detection.box, self.margin, self.crop_size)

    def detect_and_crop(self, rgb: np.ndarray, scale: float = 1.0, refine_small: bool = False
                        ) -> list[tuple[Detection, np.ndarray]]:
        """detect() then crop() each face (crops cut from the full-resolution frame)."""
        return [(d, self.crop(rgb, d))
                for d in self.detect(rgb, scale=scale, refine_small=refine_small)]

    def _with_quality(self, rgb: np.ndarray, det: Detection) -> Detection:
        crop = self.crop(rgb, det)
        return Detection(det.box, det.probability, det.landmarks,
                         face_quality(det.box, det.landmarks, crop))
