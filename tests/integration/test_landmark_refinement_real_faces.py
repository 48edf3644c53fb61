"""Landmark refinement on real small faces: five_celebrity's Elton John photos (boxes of 43-67 px,
sunglasses) against his one enrolment photo (a 47 px box), with real MTCNN and SFace, through the
photo-import path (read_face_crop stores the refined landmarks with the face context)."""

from __future__ import annotations

import numpy as np
import pytest

from attendance_app.services.face_crop_reader import read_face_crop
from attendance_app.vision.face_detector import MtcnnFaceDetector
from attendance_app.vision.image_io import load_image_rgb

pytestmark = pytest.mark.integration

PEOPLE = ("ben_afflek", "elton_john", "jerry_seinfeld", "madonna", "mindy_kaling")


@pytest.fixture(scope="module")
def detector() -> MtcnnFaceDetector:
    return MtcnnFaceDetector(min_face_size=20)


def _enrolled(dataset, detector, sface_embedder) -> np.ndarray:
    """One template per person from their 1.jpg, imported as the app imports a photo."""
    root = dataset("five_celebrity")
    inputs = []
    for person in PEOPLE:
        crop, _, landmarks, context = read_face_crop(root / person / "1.jpg", detector)
        inputs.append(sface_embedder.prepare_stored(crop, landmarks, context))
    return sface_embedder.embed(np.stack(inputs))


@pytest.mark.parametrize("probe", ["7.jpg", "10.jpg"])
def test_small_sunglasses_probes_are_named_with_refined_landmarks(
        dataset, detector, sface_embedder, probe: str) -> None:
    gallery = _enrolled(dataset, detector, sface_embedder)
    rgb = load_image_rgb(dataset("five_celebrity") / "elton_john" / probe)
    raw = detector.detect(rgb)[0]
    refined = detector.detect(rgb, refine_small=True)[0]
    assert max(raw.box.width, raw.box.height) < 128  # a small face: refinement applies
    moved = np.abs(np.subtract(refined.landmarks, raw.landmarks)).max()
    assert moved > 0.5  # the second look did move the landmarks
    scores = gallery @ sface_embedder.embed_one(sface_embedder.prepare(rgb, refined))
    assert PEOPLE[int(np.argmax(scores))] == "elton_john", np.round(scores, 3)


def test_a_large_face_keeps_mtcnns_landmarks(dataset, detector) -> None:
    rgb = load_image_rgb(dataset("five_celebrity") / "ben_afflek" / "1.jpg")
    raw = detector.detect(rgb)
    if max(raw[0].box.width, raw[0].box.height) < 128:
        rgb = np.ascontiguousarray(np.repeat(np.repeat(rgb, 2, 0), 2, 1))  # make it large
        raw = detector.detect(rgb)
    assert detector.detect(rgb, refine_small=True)[0].landmarks == raw[0].landmarks
