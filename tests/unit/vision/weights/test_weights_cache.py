"""Weights cache: convert once, reuse by checksum, refuse damaged or foreign files with advice."""

from __future__ import annotations

import shutil
import time

import pytest
import torch

from attendance_app.domain.errors import WeightsError
from attendance_app.vision.weights import weights_cache
from attendance_app.vision.weights.weights_cache import (
    DEFAULT_WEIGHTS_NAME,
    WeightsFile,
    build_model,
    ensure_default_weights,
    load_state_dict,
    read_sidecar,
    save_weights,
    sha256_file,
)


@pytest.fixture(scope="module")
def converted_dict(converted_weights):
    return load_state_dict(converted_weights.path, converted_weights.sha256)


def _copy_cache(converted_weights, models_dir):
    models_dir.mkdir()
    target = models_dir / DEFAULT_WEIGHTS_NAME
    shutil.copyfile(converted_weights.path, target)
    shutil.copyfile(f"{converted_weights.path}.sha256", f"{target}.sha256")
    return target


def test_conversion_records_the_files_sha256_in_a_sidecar(converted_weights):
    assert converted_weights.path.name == DEFAULT_WEIGHTS_NAME
    assert sha256_file(converted_weights.path) == converted_weights.sha256
    assert read_sidecar(converted_weights.path) == converted_weights.sha256
    assert not list(converted_weights.path.parent.glob("*.tmp"))


def test_a_valid_cache_is_reused_without_converting_and_loads_fast(converted_weights, tmp_path, monkeypatch):
    target = _copy_cache(converted_weights, tmp_path / "models")

    def _no_conversion(*_a, **_k):
        raise AssertionError("a valid cache must not be converted again")

    monkeypatch.setattr(weights_cache, "convert_default_graph", _no_conversion)
    started = time.perf_counter()
    found = ensure_default_weights(tmp_path / "models")
    model = build_model(load_state_dict(found.path, found.sha256))
    elapsed = time.perf_counter() - started
    assert found == WeightsFile(target, converted_weights.sha256)
    assert not model.training
    assert elapsed < 10  # ~1 s on an idle 2-core CPU; generous for a shared CI machine


def test_a_checksum_mismatch_is_refused_saying_what_to_do(converted_weights):
    with pytest.raises(WeightsError, match=r"corrupt or were changed.*Delete the file.*models verify"):
        load_state_dict(converted_weights.path, "0" * 64)


def test_a_missing_weights_file_is_refused_saying_what_to_do(tmp_path):
    with pytest.raises(WeightsError, match=r"missing.*models verify"):
        load_state_dict(tmp_path / "gone.pt", "0" * 64)


def test_a_truncated_weights_file_is_refused_even_when_its_checksum_was_recorded(converted_weights, tmp_path):
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(converted_weights.path.read_bytes()[: 5_000_000])
    with pytest.raises(WeightsError, match=r"cannot be read.*Delete the file"):
        load_state_dict(truncated, sha256_file(truncated))


def test_a_file_that_is_not_a_torch_file_is_refused(tmp_path):
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"this is not a torch checkpoint\n" * 100)
    with pytest.raises(WeightsError, match="cannot be read"):
        load_state_dict(junk, sha256_file(junk))


class _Arbitrary:
    pass


def test_a_pickle_with_arbitrary_objects_is_refused_by_weights_only_loading(tmp_path):
    evil = tmp_path / "evil.pt"
    torch.save({"obj": _Arbitrary()}, evil)
    with pytest.raises(WeightsError, match="cannot be read"):
        load_state_dict(evil, sha256_file(evil))


def test_a_dict_that_is_not_an_inception_resnet_v1_is_refused(tmp_path):
    other = save_weights({"fc.weight": torch.zeros(4, 3), "fc.bias": torch.zeros(4)}, tmp_path / "other.pt")
    with pytest.raises(WeightsError, match=r"not a facenet-pytorch InceptionResnetV1.*missing"):
        build_model(load_state_dict(other.path, other.sha256))


def test_a_dict_with_a_wrong_shaped_tensor_is_refused(converted_dict):
    wrong = dict(converted_dict, **{"last_linear.weight": torch.zeros(128, 1792)})
    with pytest.raises(WeightsError, match="not a facenet-pytorch InceptionResnetV1"):
        build_model(wrong)


def test_a_non_tensor_payload_is_refused():
    with pytest.raises(WeightsError, match="does not hold a state dict"):
        build_model({"conv2d_1a.conv.weight": [1, 2, 3]})


def test_a_vggface2_style_dict_with_classifier_and_module_prefix_is_accepted(converted_dict):
    with_head = dict(converted_dict, **{"logits.weight": torch.zeros(8631, 512), "logits.bias": torch.zeros(8631)})
    model = build_model({f"module.{k}": v for k, v in with_head.items()})
    assert not model.training and not hasattr(model, "logits")
    assert torch.equal(model.last_linear.weight, converted_dict["last_linear.weight"])
