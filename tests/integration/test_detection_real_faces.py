"""Real MTCNN on real photos: one face per enrolment photo, several in the group photos."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from facenet_pytorch import MTCNN

from attendance_app.services.dataset_folder import list_identities
from attendance_app.vision.face_detector import MtcnnFaceDetector, shrink_for_detection
from attendance_app.vision.image_io import load_image_rgb

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def detector() -> MtcnnFaceDetector:
    return MtcnnFaceDetector(min_face_size=20)


def _detect_scale(rgb: np.ndarray) -> float:
    # Detect on a frame of at most ~640 px: these photos are up to 2000 px wide and their faces
    # stay well above min_face_size after shrinking; keeps the test a few seconds on 2 cores.
    return min(1.0, 640 / max(rgb.shape[:2]))


def _single_face_photos(root):
    # Photos that show exactly one person; obama.jpg also holds a blurred second figure that
    # MTCNN scores at ~0.8 and the 0.9 probability floor must drop.
    return [p for ident in list_identities(root) for p in ident.images]


def test_every_enrolment_photo_has_exactly_one_face(detector, dataset) -> None:
    photos = _single_face_photos(dataset("face_recognition_examples"))
    assert len(photos) >= 10
    counts = {}
    for p in photos:
        rgb = load_image_rgb(p)
        counts[p.name] = len(detector.detect(rgb, scale=_detect_scale(rgb)))
    assert all(n == 1 for n in counts.values()), counts


def test_group_photos_have_at_least_two_faces_with_distinct_boxes(detector, dataset) -> None:
    folder = dataset("face_recognition_examples") / "_multi_face"
    for photo in sorted(folder.iterdir()):
        if photo.name.startswith(".") or photo.suffix.lower() not in {".jpg", ".png", ".jpeg"}:
            continue
        rgb = load_image_rgb(photo)
        faces = detector.detect_and_crop(rgb, scale=_detect_scale(rgb))
        assert len(faces) >= 2, photo.name
        (a, crop_a), (b, crop_b) = faces[0], faces[1]
        assert a.box.iou(b.box) < 0.1
        assert crop_a.shape == (160, 160, 3) and not np.array_equal(crop_a, crop_b)


def test_tight_att_crops_need_a_small_min_face_size(dataset) -> None:
    photo = load_image_rgb(dataset("att_faces") / "s1" / "1.pgm")
    faces = MtcnnFaceDetector(min_face_size=20).detect(photo)
    assert len(faces) == 1 and faces[0].quality is not None
    assert faces[0].quality.size_px > 40


def test_channels_last_detector_finds_what_stock_mtcnn_finds(detector, dataset) -> None:
    # The detector stores MTCNN's weights channels-last for speed; boxes and probabilities must
    # stay those of facenet-pytorch's own MTCNN (same thresholds, default NCHW weights).
    stock = MTCNN(min_face_size=20, keep_all=True, device=torch.device("cpu")).eval()
    assert next(detector._mtcnn.rnet.parameters()).is_contiguous(
        memory_format=torch.channels_last)
    folder = dataset("face_recognition_examples") / "_multi_face"
    photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".jpg", ".png", ".jpeg"})
    assert photos
    for photo in photos:
        rgb = load_image_rgb(photo)
        scale = _detect_scale(rgb)
        with torch.inference_mode():
            boxes, probs = stock.detect(shrink_for_detection(rgb, scale))
        expected = [(np.asarray(b, dtype=float) / scale, float(p))
                    for b, p in zip(boxes, probs) if p >= detector.min_probability]
        ours = detector.detect(rgb, scale=scale, with_quality=False)
        assert len(ours) == len(expected), photo.name
        for det in ours:
            box, prob = min(expected,
                            key=lambda bp: float(np.abs(bp[0] - det.box.as_tuple()).max()))
            assert np.allclose(box, det.box.as_tuple(), atol=0.05), photo.name
            assert abs(prob - det.probability) < 1e-4, photo.name
