"""A fine-tuned SFace twin written back into SFace's own ONNX graph, for cv2.dnn (issue 12).

No torch.onnx export: the fine-tune changes weights, never the graph, so `export_sface_onnx`
copies the base folded graph and replaces each initializer with the matching tensor of the
trained SFaceNet, walking the nodes in the order build_sface_module mapped them. cv2.dnn then
runs the very graph it already runs for the stock SFace (about 25 vs 46 ms per face for the
torch twin). `export_fine_tuned` checks the written graph (cv2.dnn) against the torch module on
real faces: a worst cosine not above MIN_COSINE raises WeightsError and nothing is returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import onnx
import torch
from onnx import numpy_helper

from attendance_app.domain.errors import WeightsError
from attendance_app.vision.weights.sface_cache import MIN_COSINE, as_blob, run_net
from attendance_app.vision.weights.sface_torch import SFaceNet, build_sface_module
from attendance_app.vision.weights.weights_cache import (WeightsFile, _atomic_write,
                                                         sha256_file, sidecar_path)

# Ops that became one module in build_sface_module (Sub merges into Mul; Dropout/Constant none).
_MODULE_OPS = ("Mul", "Conv", "BatchNormalization", "PRelu", "Flatten", "Gemm")


def _module_tensors(op: str, module: Any) -> list[torch.Tensor]:
    """The tensors of `module` in the order of its ONNX node's constant inputs (after input 0)."""
    if op == "Conv":
        return [module.weight] + ([module.bias] if module.bias is not None else [])
    if op == "BatchNormalization":
        bn = module.bn
        return [bn.weight, bn.bias, bn.running_mean, bn.running_var]
    if op == "PRelu":
        return [module.weight]
    if op == "Gemm":
        return [module.weight, module.bias]
    return []


def export_sface_onnx(base: onnx.ModelProto, net: SFaceNet) -> onnx.ModelProto:
    """A copy of the folded graph `base` holding `net`'s weights (net built from `base`'s
    layout, e.g. a fine-tuned copy). WeightsError when the layouts differ."""
    out = onnx.ModelProto()
    out.CopyFrom(base)
    inits = {t.name: t for t in out.graph.initializer}
    modules = iter(net)
    for node in out.graph.node:
        if node.op_type not in _MODULE_OPS:
            continue
        module = next(modules, None)
        if module is None:
            raise WeightsError("the SFace module has fewer layers than its graph")
        for name, tensor in zip(node.input[1:], _module_tensors(node.op_type, module)):
            old = inits[name]
            value = tensor.detach().cpu().numpy().astype(np.float32).reshape(tuple(old.dims))
            old.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(value), name))
    if next(modules, None) is not None:
        raise WeightsError("the SFace module has more layers than its graph")
    return out


def read_net_bytes(data: bytes) -> cv2.dnn.Net:
    """A cv2.dnn net from serialised ONNX bytes (WeightsError when OpenCV refuses them)."""
    try:
        return cv2.dnn.readNetFromONNX(np.frombuffer(data, np.uint8))
    except cv2.error as exc:
        raise WeightsError(f"OpenCV cannot read the exported SFace graph: {str(exc)[:200]}") from exc


def export_fine_tuned(base: onnx.ModelProto, state_dict: Mapping[str, torch.Tensor],
                      faces: np.ndarray, min_cosine: float = MIN_COSINE) -> tuple[bytes, float]:
    """(serialised ONNX, worst cosine) of the SFace twin of `base` loaded with `state_dict`
    (strictly), checked on `faces` (N, 112, 112, 3) uint8 RGB aligned: cv2.dnn on the written
    graph against the torch module. WeightsError when they disagree."""
    net = build_sface_module(base)
    try:
        net.load_state_dict(dict(state_dict), strict=True)
    except RuntimeError as exc:
        raise WeightsError(f"the fine-tuned weights do not fit SFace: {str(exc)[:200]}") from exc
    data = export_sface_onnx(base, net.eval()).SerializeToString()
    with torch.no_grad():
        reference = net(torch.from_numpy(as_blob(faces))).numpy().astype(np.float64)
    ours = run_net(read_net_bytes(data), faces).astype(np.float64)
    cosines = np.sum(ours * reference, 1) / np.maximum(
        np.linalg.norm(ours, axis=1) * np.linalg.norm(reference, axis=1), 1e-12)
    worst = float(cosines.min()) if len(cosines) else float("nan")
    if not worst > min_cosine:
        raise WeightsError(f"the exported SFace graph disagrees with the trained torch module "
                           f"(cosine {worst:.6f} <= {min_cosine}); nothing was saved")
    return data, worst


def save_sface_onnx(data: bytes, path: Path) -> WeightsFile:
    """Write exported ONNX bytes atomically, then the sha256 sidecar; return the pair."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, lambda fh: fh.write(data))
    digest = sha256_file(path)
    _atomic_write(sidecar_path(path), lambda fh: fh.write(f"{digest}  {path.name}\n".encode()))
    return WeightsFile(path, digest)


def load_sface_graph(path: Path, expected_sha256: str) -> onnx.ModelProto:
    """The folded (or fine-tuned) SFace graph after its sha256 check (WeightsError otherwise)."""
    import hashlib

    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"SFace weights {path} are missing: activate another model, or "
                           "discard this one and train again")
    data = path.read_bytes()  # hashed and parsed from the same bytes
    if hashlib.sha256(data).hexdigest() != expected_sha256.lower():
        raise WeightsError(f"SFace weights {path} are corrupt or were changed (sha256 differs "
                           "from the registry): nothing was trained")
    try:
        return onnx.load_from_string(data)
    except Exception as exc:  # noqa: BLE001 - protobuf raises DecodeError and others
        raise WeightsError(f"{path} is not a readable ONNX file ({type(exc).__name__})") from exc


__all__ = ["export_fine_tuned", "export_sface_onnx", "load_sface_graph", "read_net_bytes",
           "save_sface_onnx"]
