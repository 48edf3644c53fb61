"""The FaceNet graph converts into InceptionResnetV1 and agrees with cv2.dnn on the same graph."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

from attendance_app.vision.weights.facenet_graph_converter import convert_default_graph
from attendance_app.vision.weights.reference_check import (
    MIN_COSINE,
    compare_with_graph,
    graph_embeddings,
    reference_inputs,
)
from attendance_app.domain.errors import WeightsError
from attendance_app.vision.weights import weights_cache
from attendance_app.vision.weights.known_checksums import (
    CONVERTED_KEY,
    CONVERTED_WITH_TORCH,
    KNOWN_SHA256,
)
from attendance_app.vision.weights.weights_cache import (
    DEFAULT_WEIGHTS_NAME,
    build_model,
    ensure_default_weights,
    load_state_dict,
    read_sidecar,
    sha256_file,
)

pytestmark = pytest.mark.integration


def test_the_converted_model_matches_cv2_dnn_running_the_original_graph(converted_weights):
    model = build_model(load_state_dict(converted_weights.path, converted_weights.sha256))
    result = compare_with_graph(model, reference_inputs(4))
    assert result.min_cosine > 1 - 1e-9  # an exact conversion; MIN_COSINE is only the safety net
    assert result.max_abs_diff < 1e-5
    assert MIN_COSINE < result.min_cosine


def test_the_cached_weights_hold_exactly_what_a_fresh_conversion_gives(converted_weights):
    fresh = convert_default_graph()
    cached = load_state_dict(converted_weights.path, converted_weights.sha256)
    assert set(fresh) == set(cached)
    for key, tensor in fresh.items():
        assert torch.equal(tensor, cached[key]), key


def test_the_reference_inputs_spread_out_in_embedding_space_so_the_check_means_something():
    emb = graph_embeddings(reference_inputs(4))
    assert emb.shape == (4, 512)
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    off_diagonal = (emb @ emb.T)[~np.eye(4, dtype=bool)]
    assert off_diagonal.max() < 0.95


def test_a_tampered_cache_is_converted_again(converted_weights, tmp_path):
    (tmp_path / "models").mkdir()
    target = tmp_path / "models" / DEFAULT_WEIGHTS_NAME
    shutil.copyfile(converted_weights.path, target)
    shutil.copyfile(f"{converted_weights.path}.sha256", f"{target}.sha256")
    with open(target, "r+b") as fh:
        fh.seek(1000)
        fh.write(b"\x00" * 16)
    found = ensure_default_weights(tmp_path / "models")
    assert found.sha256 == sha256_file(target) == read_sidecar(target)
    assert found.sha256 == converted_weights.sha256  # torch.save output is reproducible
    load_state_dict(found.path, found.sha256)


def test_nothing_is_cached_when_the_reference_check_fails(converted_weights, tmp_path, monkeypatch):
    broken = load_state_dict(converted_weights.path, converted_weights.sha256)
    broken["repeat_1.0.conv2d.weight"] = broken["repeat_1.0.conv2d.weight"] * -3.0
    monkeypatch.setattr(weights_cache, "convert_default_graph", lambda *_a: broken)
    with pytest.raises(WeightsError, match="disagree with the original graph"):
        ensure_default_weights(tmp_path / "models")
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


@pytest.mark.skipif(torch.__version__.split("+")[0] != CONVERTED_WITH_TORCH,
                    reason=f"the recorded sha256 is what torch {CONVERTED_WITH_TORCH} writes")
def test_the_conversion_gives_the_sha256_recorded_in_models_readme(converted_weights):
    assert converted_weights.sha256 == KNOWN_SHA256[CONVERTED_KEY]
