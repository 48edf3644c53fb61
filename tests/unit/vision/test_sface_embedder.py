"""SFaceEmbedder and five-point alignment on real faces (folded SFace, real MTCNN)."""

from __future__ import annotations

import numpy as np
import pytest

from attendance_app.vision.face_alignment import SFACE_TEMPLATE, align_face, similarity_transform


def test_similarity_transform_recovers_a_known_rotation_scale_and_shift():
    angle, scale, shift = 0.3, 1.7, np.array([5.0, -2.0])
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    dst = SFACE_TEMPLATE @ (scale * rot).T + shift
    matrix = similarity_transform(SFACE_TEMPLATE, dst)
    np.testing.assert_allclose(matrix, np.hstack([scale * rot, shift[:, None]]), atol=1e-9)


def test_degenerate_landmarks_are_refused():
    with pytest.raises(ValueError, match="degenerate"):
        similarity_transform(np.ones((5, 2)), SFACE_TEMPLATE)


@pytest.fixture(scope="module")
def faces(dataset):
    from attendance_app.vision.face_detector import MtcnnFaceDetector
    from attendance_app.vision.image_io import load_image_rgb

    root = dataset("face_recognition_examples")
    detector = MtcnnFaceDetector()
    out = {}
    for name in ("biden/biden.jpg", "biden/biden2.jpg", "obama/obama.jpg"):
        rgb = load_image_rgb(root / name)
        out[name] = (rgb, detector.detect(rgb)[0])
    import cv2

    small = cv2.resize(out["biden/biden2.jpg"][0], (360, 360), interpolation=cv2.INTER_AREA)
    out["small"] = (small, detector.detect(small)[0])  # a webcam-sized face
    return out


def test_our_alignment_equals_opencvs_aligncrop(faces, sface_weights):
    import cv2

    recognizer = cv2.FaceRecognizerSF.create(str(sface_weights.path), "")
    for rgb, det in faces.values():
        b = det.box  # alignCrop warps straight from the frame (so does our default)
        row = np.array([[b.x1, b.y1, b.width, b.height, *np.ravel(det.landmarks),
                         det.probability]], np.float32)
        theirs = recognizer.alignCrop(np.ascontiguousarray(rgb), row)
        ours = align_face(rgb, det.landmarks)
        assert np.abs(ours.astype(int) - theirs.astype(int)).max() <= 1


def test_same_person_scores_higher_than_another_person(faces, sface_embedder):
    vectors = {k: sface_embedder.embed_one(sface_embedder.prepare(rgb, det))
               for k, (rgb, det) in faces.items() if k != "small"}
    same = float(vectors["biden/biden.jpg"] @ vectors["biden/biden2.jpg"])
    other = float(vectors["biden/biden.jpg"] @ vectors["obama/obama.jpg"])
    assert same > 0.45 > other  # SFace's published same-person cosine threshold is 0.363
    for v in vectors.values():
        assert v.shape == (128,) and abs(np.linalg.norm(v) - 1) < 1e-5


def test_mirrored_landmark_order_would_break_the_match(faces, sface_embedder):
    # Guards the landmark order: swapping the eyes and mouth corners mirrors the warp.
    rgb, det = faces["biden/biden.jpg"]
    rgb2, det2 = faces["biden/biden2.jpg"]
    swapped = [det.landmarks[i] for i in (1, 0, 2, 4, 3)]
    good = sface_embedder.embed_one(sface_embedder.prepare(rgb2, det2))
    right = sface_embedder.embed_one(align_face(rgb, det.landmarks))
    wrong = sface_embedder.embed_one(align_face(rgb, swapped))
    assert float(right @ good) > float(wrong @ good) + 0.05


def test_a_stored_face_context_gives_exactly_the_frame_input(faces, sface_embedder):
    from attendance_app.vision.face_detector import crop_face, face_context

    rgb, det = faces["small"]
    context, points = face_context(rgb, det)
    assert max(context.shape[:2]) < 400  # kept at native resolution
    stored = sface_embedder.prepare_stored(crop_face(rgb, det.box), points, context)
    np.testing.assert_array_equal(stored, sface_embedder.prepare(rgb, det))


def test_a_large_face_context_is_capped_and_stays_close_to_the_frame_input(faces,
                                                                           sface_embedder):
    from attendance_app.vision.face_detector import crop_face, face_context

    rgb, det = faces["biden/biden2.jpg"]
    context, points = face_context(rgb, det)
    assert max(context.shape[:2]) == 400
    stored = sface_embedder.prepare_stored(crop_face(rgb, det.box), points, context)
    from_frame = sface_embedder.prepare(rgb, det)
    similarity = float(sface_embedder.embed_one(stored) @ sface_embedder.embed_one(from_frame))
    assert similarity > 0.9


def test_wrong_input_shape_and_missing_landmarks_are_refused(sface_embedder):
    with pytest.raises(ValueError, match="112, 112, 3"):
        sface_embedder.embed(np.zeros((1, 160, 160, 3), np.uint8))
    with pytest.raises(ValueError, match="without landmarks"):
        sface_embedder.prepare_stored(np.zeros((160, 160, 3), np.uint8), None)
    assert sface_embedder.embed([]).shape == (0, 128)
