"""The batched MTCNN (vision/mtcnn_batched.py) against facenet-pytorch's own, on real frames.

Frames from the 1080p crowd clip and the Hamilton clip (shrunk to 640 px as `benchmark live`
detects) and real photos. Against facenet-pytorch's detect_face on the same (channels-last) nets
the result must be bit-identical; against stock MTCNN as shipped (NCHW weights) the same faces
within the channels-last rounding (6e-5 px measured)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from facenet_pytorch import MTCNN
from facenet_pytorch.models.utils.detect_face import detect_face

from attendance_app.vision.face_detector import MtcnnFaceDetector, shrink_for_detection
from attendance_app.vision.image_io import load_image_rgb
from attendance_app.vision.mtcnn_batched import detect_face_batched

pytestmark = pytest.mark.integration

# Spread over each clip, across its shot cuts (Hamilton: 20, 82, 211).
CROWD_FRAMES = (0, 52, 104)
HAMILTON_FRAMES = (0, 90, 215, 274)


def _frames(path: Path, wanted: tuple[int, ...]) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    out, index = [], 0
    while index <= max(wanted):
        ok, bgr = cap.read()
        if not ok:
            break
        if index in wanted:
            out.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        index += 1
    cap.release()
    assert len(out) == len(wanted), f"{path} has fewer frames than expected"
    return out


def _small(rgb: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(shrink_for_detection(rgb, min(1.0, 640 / max(rgb.shape[:2]))))


@pytest.fixture(scope="module")
def frames(dataset) -> list[np.ndarray]:
    video = dataset("face_recognition_video")
    crowd = dataset("facenet_pytorch_misc") / "video.mp4"
    photos = dataset("face_recognition_examples")
    images = _frames(crowd, CROWD_FRAMES)
    images += _frames(video / "short_hamilton_clip.mp4", HAMILTON_FRAMES)
    images += [load_image_rgb(photos / "_multi_face" / name)
               for name in ("obama_and_biden.jpg", "two_people.jpg")]
    return [_small(rgb) for rgb in images]


@pytest.fixture(scope="module")
def detector() -> MtcnnFaceDetector:
    return MtcnnFaceDetector(min_face_size=20)


def test_batched_stages_are_bit_identical_to_facenet_pytorch(detector, frames) -> None:
    m = detector._mtcnn
    faces = 0
    with torch.inference_mode():
        for small in frames:
            boxes, points = detect_face(small.copy(), m.min_face_size, m.pnet, m.rnet, m.onet,
                                        m.thresholds, m.factor, torch.device("cpu"))
            found = detect_face_batched(small, m.min_face_size, m.pnet, m.rnet, m.onet,
                                        m.thresholds, m.factor)
            assert found is not None
            np.testing.assert_array_equal(found[0], np.asarray(boxes[0], np.float32))
            np.testing.assert_array_equal(found[1], np.asarray(points[0], np.float32))
            faces += len(found[0])
    assert faces >= 20  # the crowd clip alone has ~5 faces per frame


def test_batched_detector_finds_what_stock_mtcnn_finds(detector, frames) -> None:
    stock = MTCNN(min_face_size=20, keep_all=True, device=torch.device("cpu")).eval()
    assert detector.batched_crops
    for small in frames:
        boxes, probs, points = detector.mtcnn_raw(small)
        with torch.inference_mode():
            s_boxes, s_probs, s_points = stock.detect(small, landmarks=True)
        if s_boxes is None:
            assert len(boxes) == 0
            continue
        assert len(boxes) == len(s_boxes)
        np.testing.assert_allclose(boxes, np.asarray(s_boxes).astype(float), rtol=0, atol=1e-3)
        np.testing.assert_allclose(probs, np.asarray(s_probs).astype(float), rtol=0, atol=1e-5)
        np.testing.assert_allclose(points, np.asarray(s_points).astype(float), rtol=0,
                                   atol=1e-3)


def test_the_per_box_path_stays_available_and_agrees(frames) -> None:
    batched = MtcnnFaceDetector(min_face_size=20)
    per_box = MtcnnFaceDetector(min_face_size=20, batched_crops=False)
    for small in frames[:2]:
        assert batched.detect(small) == per_box.detect(small)
