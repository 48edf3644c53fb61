"""read_face_crop: one photo file -> the crop of its single face, the same way for every folder
import (enrolment, training datasets)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from attendance_app.domain.detection import FaceQuality
from attendance_app.domain.errors import FaceNotFoundError, MultipleFacesError
from attendance_app.vision.face_detector import (MtcnnFaceDetector, face_context,
                                                resize_as_crop)
from attendance_app.vision.image_io import load_image_rgb


def read_face_crop(path: Path, detector: MtcnnFaceDetector, already_cropped: bool = False
                   ) -> tuple[np.ndarray, FaceQuality | None, tuple | None, np.ndarray | None]:
    """The (160, 160, 3) uint8 RGB crop of the one face in `path`, its quality, its five
    landmarks in context pixels and its face context (face_detector.face_context), or, with
    `already_cropped`, the image resized (no detection, no quality, landmarks or context). Raises InvalidImageError for
    an unreadable file, FaceNotFoundError / MultipleFacesError unless exactly one face is found."""
    rgb = load_image_rgb(path)
    if already_cropped:
        return resize_as_crop(rgb), None, None, None
    # A photo is embedded once and kept: small faces get their landmarks refined (~30 ms).
    pairs = detector.detect_and_crop(rgb, refine_small=True)
    if not pairs:
        raise FaceNotFoundError(f"{path}: no face found")
    if len(pairs) > 1:
        raise MultipleFacesError(f"{path}: {len(pairs)} faces found", len(pairs))
    detection, crop = pairs[0]
    context, landmarks = face_context(rgb, detection)
    return crop, detection.quality, landmarks, context
