"""MtcnnFaceDetector: real MTCNN on a real face; crops match facenet-pytorch's extract_face."""

from __future__ import annotations

import numpy as np
import pytest
from facenet_pytorch.models.utils.detect_face import extract_face

from attendance_app.domain.face_box import FaceBox
from attendance_app.vision.face_detector import MtcnnFaceDetector, crop_face, resize_as_crop
from attendance_app.vision.image_io import load_image_rgb


@pytest.fixture(scope="module")
def detector() -> MtcnnFaceDetector:
    return MtcnnFaceDetector(min_face_size=40)


@pytest.fixture(scope="module")
def face_photo(dataset) -> np.ndarray:
    return load_image_rgb(dataset("face_recognition_examples") / "kit_harington" / "john2.jpeg")


def test_a_blank_frame_has_no_faces(detector: MtcnnFaceDetector) -> None:
    assert detector.detect(np.zeros((120, 160, 3), np.uint8)) == []


def test_a_frame_that_is_not_rgb_uint8_is_refused(detector: MtcnnFaceDetector) -> None:
    with pytest.raises(ValueError):
        detector.detect(np.zeros((120, 160), np.uint8))


def test_a_real_face_gives_one_detection_with_quality(detector, face_photo) -> None:
    dets = detector.detect(face_photo)
    assert len(dets) == 1
    d = dets[0]
    assert d.probability > 0.95
    assert d.quality is not None and d.quality.size_px > 80 and d.quality.sharpness > 0
    (lx, _), (rx, _), (nx, ny) = d.landmarks[0], d.landmarks[1], d.landmarks[2]
    assert d.box.x1 < lx < nx < rx < d.box.x2 and d.box.y1 < ny < d.box.y2


def test_detecting_on_a_half_size_frame_returns_full_frame_coordinates(detector,
                                                                       face_photo) -> None:
    full = detector.detect(face_photo)[0]
    half = detector.detect(face_photo, scale=0.5)[0]
    assert half.box.iou(full.box) > 0.8


def test_crop_is_identical_to_facenet_pytorch_extract_face(detector, face_photo) -> None:
    d, crop = detector.detect_and_crop(face_photo)[0]
    reference = extract_face(face_photo, np.array(d.box.as_tuple()), 160, 44)
    assert crop.shape == (160, 160, 3) and crop.dtype == np.uint8
    np.testing.assert_array_equal(crop, reference.permute(1, 2, 0).numpy().astype(np.uint8))


def test_crop_margin_is_clamped_at_the_frame_border() -> None:
    frame = np.arange(100 * 100 * 3, dtype=np.uint8).reshape(100, 100, 3)
    crop = crop_face(frame, FaceBox(-10, -10, 40, 40), margin=44)
    assert crop.shape == (160, 160, 3)


def test_detections_are_sorted_largest_first(detector, dataset) -> None:
    photo = load_image_rgb(dataset("face_recognition_examples") / "_multi_face" / "two_people.jpg")
    areas = [d.box.area for d in detector.detect(photo)]
    assert len(areas) >= 2 and areas == sorted(areas, reverse=True)


def test_resize_as_crop_gives_the_crop_shape() -> None:
    crop = resize_as_crop(np.zeros((112, 92, 3), np.uint8))
    assert crop.shape == (160, 160, 3) and crop.dtype == np.uint8
