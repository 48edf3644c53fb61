"""SFaceNet: the folded SFace ONNX graph rebuilt as a torch module (for inference and fine-tuning).

The graph is a plain chain (MobileFaceNet-style): `(x - 127.5) * 0.0078125`, 27 x
(Conv -> BatchNorm -> PReLU), BatchNorm, Dropout(0.4), Flatten, Gemm (50176 -> 128),
BatchNorm1d. `build_sface_module` walks the nodes in order and maps each onto its torch twin;
any other op, or an initializer left unused, raises WeightsError, so a different graph is
refused instead of being half-built. Input (N, 3, 112, 112) float32 RGB 0-255 (the graph's own
normalisation is part of the module); output (N, 128) float32, not normalised (cosine is used).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import onnx
import torch
from onnx import helper
from torch import nn

from attendance_app.domain.errors import WeightsError
from attendance_app.vision.weights.sface_onnx import folded_initializers


class _Normalise(nn.Module):
    """(x - mean) * scale with the graph's two scalar constants (127.5, 1/128)."""

    def __init__(self, mean: float, scale: float) -> None:
        super().__init__()
        self.mean, self.scale = float(mean), float(scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) * self.scale


class _PRelu(nn.Module):
    """ONNX PRelu with a (C, 1, 1) or (C,) slope tensor, as a trainable parameter."""

    def __init__(self, slope: np.ndarray) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.from_numpy(slope.reshape(-1).copy()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.weight.view(1, -1, *([1] * (x.dim() - 2)))
        return torch.where(x >= 0, x, x * w)


class SFaceNet(nn.Sequential):
    """The SFace network as an nn.Sequential (see the module docstring for shapes)."""


def build_sface_module(model: onnx.ModelProto) -> SFaceNet:
    """An eval-mode SFaceNet holding the folded graph's fp32 weights. WeightsError on an op the
    mapping does not know or an initializer it did not use."""
    inits = folded_initializers(model)
    used: set[str] = set()

    def take(name: str) -> np.ndarray:
        used.add(name)
        return inits[name]

    layers: list[nn.Module] = []
    for node in model.graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        layers.extend(_map_node(node, attrs, take, inits))
    unused = set(inits) - used
    if unused:
        raise WeightsError(f"SFace graph has {len(unused)} unused constants "
                           f"(e.g. {sorted(unused)[:2]}): not the expected network")
    return SFaceNet(*layers).eval()


def _map_node(node: Any, attrs: dict[str, Any], take: Callable[[str], np.ndarray],
              inits: dict[str, np.ndarray]) -> list[nn.Module]:
    op = node.op_type
    if op == "Sub":
        take(node.input[1])
        return []  # merged with the following Mul
    if op == "Mul":
        sub_const = next(n for n in inits if n == "scalar_op1")
        return [_Normalise(float(inits[sub_const][0]), float(take(node.input[1])[0]))]
    if op == "Conv":
        return [_conv(take(node.input[1]), attrs,
                      take(node.input[2]) if len(node.input) > 2 else None)]
    if op == "BatchNormalization":
        gamma, beta, mean, var = (take(n) for n in node.input[1:5])
        return [_batch_norm(gamma, beta, mean, var, eps=attrs.get("epsilon", 1e-5))]
    if op == "PRelu":
        return [_PRelu(take(node.input[1]))]
    if op in ("Dropout", "Constant"):
        return []  # inference graph: dropout is the identity; its ratio is the only Constant
    if op == "Flatten":
        return [nn.Flatten()]
    if op == "Gemm":
        if attrs.get("transB") != 1 or attrs.get("alpha", 1.0) != 1.0:
            raise WeightsError("SFace Gemm with unexpected attributes")
        weight, bias = take(node.input[1]), take(node.input[2])
        linear = nn.Linear(weight.shape[1], weight.shape[0])
        linear.weight.data = torch.from_numpy(weight.copy())
        linear.bias.data = torch.from_numpy(bias.copy())
        return [linear]
    raise WeightsError(f"SFace graph holds an op this app cannot map to torch: {op}")


def _conv(weight: np.ndarray, attrs: dict[str, Any], bias: np.ndarray | None) -> nn.Conv2d:
    groups = int(attrs.get("group", 1))
    pads = list(attrs.get("pads", [0, 0, 0, 0]))
    if pads[:2] != pads[2:]:
        raise WeightsError("SFace conv with asymmetric padding")
    conv = nn.Conv2d(weight.shape[1] * groups, weight.shape[0], tuple(weight.shape[2:]),
                     stride=tuple(attrs.get("strides", [1, 1])), padding=tuple(pads[:2]),
                     groups=groups, bias=bias is not None)
    conv.weight.data = torch.from_numpy(weight.copy())
    if bias is not None and conv.bias is not None:
        conv.bias.data = torch.from_numpy(bias.copy())
    return conv


def _batch_norm(gamma: np.ndarray, beta: np.ndarray, mean: np.ndarray, var: np.ndarray,
                eps: float) -> nn.Module:
    bn = nn.BatchNorm2d(len(gamma), eps=float(eps))
    for name, value in (("weight", gamma), ("bias", beta)):
        getattr(bn, name).data = torch.from_numpy(value.copy())
    assert bn.running_mean is not None and bn.running_var is not None  # track_running_stats
    bn.running_mean.data = torch.from_numpy(mean.copy())
    bn.running_var.data = torch.from_numpy(var.copy())
    return _AnyRankBatchNorm(bn)


class _AnyRankBatchNorm(nn.Module):
    """BatchNorm over dim 1 for (N, C, H, W) and (N, C) alike (the graph uses both)."""

    def __init__(self, bn: nn.BatchNorm2d) -> None:
        super().__init__()
        self.bn = bn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            out: torch.Tensor = self.bn(x[:, :, None, None])[:, :, 0, 0]
            return out
        full: torch.Tensor = self.bn(x)
        return full


__all__ = ["SFaceNet", "build_sface_module"]
