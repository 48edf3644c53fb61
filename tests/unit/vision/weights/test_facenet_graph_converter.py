"""FaceNet graph -> InceptionResnetV1 state dict: exact folded batch-norm, complete, strict."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from facenet_pytorch.models.inception_resnet_v1 import InceptionResnetV1

from attendance_app.domain.errors import WeightsError
from attendance_app.vision.weights.facenet_graph_converter import convert_graph, identity_running_var
from attendance_app.vision.weights.graph_def_reader import read_graph_constants


@pytest.fixture(scope="module")
def graph():
    return read_graph_constants()


@pytest.fixture(scope="module")
def state_dict(graph):
    return convert_graph(graph)


@pytest.mark.parametrize("eps", [0.001, 1e-5, 0.1])
def test_the_identity_running_variance_makes_torch_batch_norm_an_exact_identity(eps):
    bn = torch.nn.BatchNorm2d(8, eps=eps).eval()
    bn.running_var.fill_(identity_running_var(eps))
    x = torch.randn(2, 8, 5, 5, generator=torch.Generator().manual_seed(0)) * 50
    with torch.no_grad():
        assert torch.equal(bn(x), x)


def test_the_state_dict_loads_strictly_into_inception_resnet_v1(state_dict):
    model = InceptionResnetV1(classify=False)
    model.load_state_dict(state_dict, strict=True)
    assert all(v.dtype in (torch.float32, torch.int64) for v in state_dict.values())


def test_folded_conv_layers_become_hwio_to_oihw_kernels_plus_offset_only_batch_norm(graph, state_dict):
    base = "InceptionResnetV1/Repeat_1/block17_3/Branch_1/"
    hwio = graph.floats[base + "Conv2d_0b_1x7/weights"]
    conv = state_dict["repeat_2.2.branch1.1.conv.weight"]
    assert tuple(conv.shape) == (128, 128, 1, 7)
    np.testing.assert_array_equal(conv.numpy(), hwio.transpose(3, 2, 0, 1))
    np.testing.assert_array_equal(state_dict["repeat_2.2.branch1.2.bn.bias"].numpy(),
                                  graph.floats[base + "Conv2d_0c_7x1/Conv2D_bn_offset"])
    assert torch.all(state_dict["repeat_2.2.branch1.1.bn.weight"] == 1)
    assert torch.all(state_dict["repeat_2.2.branch1.1.bn.running_mean"] == 0)
    assert int(state_dict["repeat_2.2.branch1.1.bn.num_batches_tracked"]) == 0


def test_single_conv_branches_and_block_up_projections_map_to_their_modules(graph, state_dict):
    np.testing.assert_array_equal(
        state_dict["mixed_6a.branch0.conv.weight"].numpy(),
        graph.floats["InceptionResnetV1/Mixed_6a/Branch_0/Conv2d_1a_3x3/weights"].transpose(3, 2, 0, 1))
    np.testing.assert_array_equal(state_dict["block8.conv2d.bias"].numpy(),
                                  graph.floats["InceptionResnetV1/Block8/Conv2d_1x1/biases"])
    np.testing.assert_array_equal(state_dict["repeat_1.4.conv2d.bias"].numpy(),
                                  graph.floats["InceptionResnetV1/Repeat/block35_5/Conv2d_1x1/biases"])


def test_the_bottleneck_matmul_is_transposed_and_its_batch_norm_kept_unfolded(graph, state_dict):
    w = graph.floats["InceptionResnetV1/Bottleneck/weights"]
    np.testing.assert_array_equal(state_dict["last_linear.weight"].numpy(), w.T)
    np.testing.assert_array_equal(state_dict["last_bn.running_var"].numpy(),
                                  graph.floats["InceptionResnetV1/Bottleneck/BatchNorm/moving_variance"])


def test_a_float_constant_the_converter_does_not_know_is_refused(graph):
    extra = dict(graph.floats, **{"InceptionResnetV1/Stray/weights_x": np.zeros(3, np.float32)})
    with pytest.raises(WeightsError, match="not converted"):
        convert_graph(dataclasses.replace(graph, floats=extra))


def test_a_graph_missing_a_tensor_is_refused_naming_it(graph):
    name = "InceptionResnetV1/Conv2d_2a_3x3/Conv2D_bn_offset"
    partial = {k: v for k, v in graph.floats.items() if k != name}
    with pytest.raises(WeightsError, match="Conv2d_2a_3x3/Conv2D_bn_offset"):
        convert_graph(dataclasses.replace(graph, floats=partial))


def test_a_residual_scale_that_differs_from_the_model_is_refused(graph):
    changed = dict(graph.floats, **{"InceptionResnetV1/Repeat/block35_2/mul/x": np.float32(0.5)})
    with pytest.raises(WeightsError, match="scale"):
        convert_graph(dataclasses.replace(graph, floats=changed))
