"""The model registry through the CLI: list, verify, import, activate (re-embedding), rollback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import torch

# About FaceNet's own weights file and its switch to SFace: the data folder starts with FaceNet.
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("facenet_first")]


def _templates_per_model(data_dir: Path) -> dict[int, int]:
    with sqlite3.connect(data_dir / "attendance.db") as conn:
        return dict(conn.execute("SELECT model_id, COUNT(*) FROM templates GROUP BY model_id"))


def test_importing_and_activating_a_model_reembeds_templates_and_rollback_restores(
        cli, dataset, data_dir, tmp_path) -> None:
    photos = dataset("face_recognition_video")
    cli("enroll", "Lin", str(photos / "lin-manuel-miranda.png"), "--consent")
    cli("enroll", "Alex", str(photos / "alex-lacamoire.png"), "--consent")
    assert _templates_per_model(data_dir) == {1: 2}

    # A different but valid InceptionResnetV1 state dict: the default one with a nudged bias.
    state = torch.load(next((data_dir / "models").glob("*.pt")), weights_only=True)
    state["last_bn.bias"] = state["last_bn.bias"] + 0.01
    other = tmp_path / "other.pt"
    torch.save(state, other)
    code, out, _ = cli("models", "import", str(other), "--name", "nudged")
    assert code == 0 and "as model 2" in out

    code, out, _ = cli("models", "activate", "2")
    assert code == 0 and "2 template(s) re-embedded" in out
    assert _templates_per_model(data_dir) == {1: 2, 2: 2}
    code, out, _ = cli("models", "list")
    assert "*  2" in out

    code, out, _ = cli("models", "activate", "1")  # rollback
    assert code == 0
    code, out, _ = cli("models", "list")
    assert "*  1" in out


def test_a_file_that_is_not_a_state_dict_is_refused_on_import(cli, tmp_path) -> None:
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"definitely not a torch file")
    code, _, err = cli("models", "import", str(junk))
    assert code == 2 and "junk.pt" in err
    code, out, _ = cli("models", "list")
    assert "imported" not in out


def test_verify_reports_a_weights_file_changed_on_disk(cli, data_dir) -> None:
    assert cli("models", "list")[0] == 0
    weights = next((data_dir / "models").glob("*.pt"))
    assert cli("models", "verify")[0] == 0
    with weights.open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\x00\x01\x02\x03")
    code, out, _ = cli("models", "verify")
    assert code == 2 and "OK" not in out


def test_switching_to_sface_re_embeds_with_landmarks_uses_its_threshold_and_identifies(
        cli, dataset, data_dir, sface_weights) -> None:
    import json

    photos = dataset("face_recognition_video")
    examples = dataset("face_recognition_examples")
    cli("enroll", "Lin", str(photos / "lin-manuel-miranda.png"), "--consent")
    cli("enroll", "Alex", str(photos / "alex-lacamoire.png"), "--consent")
    with sqlite3.connect(data_dir / "attendance.db") as conn:
        stored = [r[0] for r in conn.execute("SELECT landmarks_json FROM face_crops")]
    assert len(stored) == 2 and all(len(json.loads(s)) == 5 for s in stored)

    code, out, err = cli("models", "add-sface", "--activate")
    assert code == 0, err
    assert "2 template(s) re-embedded" in out
    with sqlite3.connect(data_dir / "attendance.db") as conn:
        widths = {r[0] for r in conn.execute(
            "SELECT length(embedding) FROM templates t JOIN models m ON m.id = t.model_id "
            "WHERE m.architecture = 'sface'")}
    assert widths == {128 * 4}
    code, out, _ = cli("models", "list")
    assert "sface" in out and "0.380" in out  # its own threshold, not the Settings' 0.55

    code, out, _ = cli("identify", "--json", str(examples / "alex_lacamoire" / "alex_lacamoire1.jpg"),
                       str(examples / "obama" / "obama.jpg"))
    by_photo = {Path(f["photo"]).parent.name: f for f in map(json.loads, out.splitlines())}
    assert code == 0 and by_photo["alex_lacamoire"]["name"] == "Alex"
    assert by_photo["obama"]["known"] is False
