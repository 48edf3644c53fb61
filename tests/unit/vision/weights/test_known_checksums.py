"""Recorded checksums: code and models/README.md agree, and every checked file is refused when
its bytes change (MTCNN's nets, the FaceNet graph) before it is unpickled or parsed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import torch
from facenet_pytorch import MTCNN

from attendance_app.domain.errors import WeightsError
from attendance_app.vision.weights import facenet_graph_converter, mtcnn_weights
from attendance_app.vision.weights.known_checksums import (
    CONVERTED_KEY,
    GRAPH_KEY,
    KNOWN_SHA256,
    MTCNN_KEYS,
    sha256_file,
    verify_known_file,
)
from attendance_app.vision.weights.mtcnn_weights import CheckedMtcnn, load_checked_net, mtcnn_data_dir

MODELS_README = Path(__file__).resolve().parents[4] / "models" / "README.md"


def _readme_table() -> dict[str, str]:
    rows = re.findall(r"^\| `([^`]+)`[^|]*\| `([0-9a-f]{64})` \|$", MODELS_README.read_text(),
                      flags=re.MULTILINE)
    return dict(rows)


def test_models_readme_lists_exactly_the_checksums_the_code_enforces() -> None:
    assert _readme_table() == KNOWN_SHA256


def test_the_installed_mtcnn_files_have_the_recorded_checksums() -> None:
    for name, key in MTCNN_KEYS.items():
        assert sha256_file(mtcnn_data_dir() / f"{name}.pt") == KNOWN_SHA256[key]


def test_a_changed_mtcnn_file_is_refused_before_it_is_unpickled(tmp_path, monkeypatch) -> None:
    for name in MTCNN_KEYS:
        shutil.copyfile(mtcnn_data_dir() / f"{name}.pt", tmp_path / f"{name}.pt")
    tampered = tmp_path / "rnet.pt"
    state = torch.load(tampered, weights_only=True)
    state["conv1.bias"] = state["conv1.bias"] + 1.0
    torch.save(state, tampered)
    loads: list[object] = []
    monkeypatch.setattr(mtcnn_weights.torch, "load", lambda *a, **k: loads.append(a))
    with pytest.raises(WeightsError, match="rnet.pt"):
        load_checked_net("rnet", tmp_path)
    assert loads == []  # refused on the checksum, never handed to the unpickler
    monkeypatch.undo()
    with pytest.raises(WeightsError, match="rnet.pt"):
        CheckedMtcnn(data_dir=tmp_path)


def test_mtcnn_files_are_loaded_with_weights_only(monkeypatch) -> None:
    calls: list[dict[str, object]] = []
    real_load = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(mtcnn_weights.torch, "load", spy)
    CheckedMtcnn()
    assert len(calls) == 3 and all(c.get("weights_only") is True for c in calls)


def test_checked_mtcnn_is_configured_exactly_like_facenet_pytorchs_own() -> None:
    kwargs = dict(image_size=160, margin=44, min_face_size=40, thresholds=[0.6, 0.7, 0.8],
                  keep_all=True, post_process=False, device=torch.device("cpu"))
    ours, stock = CheckedMtcnn(**kwargs), MTCNN(**kwargs)
    plain = lambda m: {k: v for k, v in vars(m).items() if not k.startswith("_")}  # noqa: E731
    assert plain(ours) == plain(stock)
    for net in ("pnet", "rnet", "onet"):
        mine, theirs = getattr(ours, net).state_dict(), getattr(stock, net).state_dict()
        assert mine.keys() == theirs.keys()
        assert all(torch.equal(mine[k], theirs[k]) for k in mine)


def test_a_graph_with_other_bytes_is_refused_before_conversion(tmp_path, monkeypatch) -> None:
    fake = tmp_path / "graph_final.pb"
    fake.write_bytes(b"not the facenet graph")
    monkeypatch.setattr(facenet_graph_converter, "default_graph_path", lambda: fake)
    with pytest.raises(WeightsError, match=GRAPH_KEY):
        facenet_graph_converter.convert_default_graph()


def test_verify_known_file_names_a_missing_file(tmp_path) -> None:
    with pytest.raises(WeightsError, match="cannot be read"):
        verify_known_file(tmp_path / "absent.pt", CONVERTED_KEY)
