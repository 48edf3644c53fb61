"""Issue 12: with SFace active, `train` fine-tunes SFace's tail (real weights, real AT&T faces),
registers an SFace candidate with before/after figures; activating it re-embeds the stored
crops and still recognises people; activating SFace again rolls back."""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _subset(att: Path, dest: Path, people: int, images: int) -> Path:
    for person in sorted(p for p in att.iterdir() if p.is_dir())[:people]:
        (dest / person.name).mkdir(parents=True)
        for image in sorted(person.iterdir())[:images]:
            (dest / person.name / image.name).symlink_to(image)
    return dest


def _models(cli) -> dict[int, dict]:
    code, out, _ = cli("models", "list", "--json")
    assert code == 0
    return {m["id"]: m for m in json.loads(out)}


def _identify(cli, photos: list[Path]) -> list[dict]:
    code, out, err = cli("identify", "--json", *map(str, photos))
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_sface_fine_tune_registers_activates_recognises_and_rolls_back(
        cli, dataset, data_dir, sface_weights, tmp_path) -> None:
    att = dataset("att_faces")
    for source in Path(sface_weights.path).parent.glob(Path(sface_weights.path).name + "*"):
        shutil.copy2(source, data_dir / "models" / source.name)  # no second fold
    folder = _subset(att, tmp_path / "att", people=8, images=5)
    assert cli("enroll-folder", str(folder), "--consent")[0] == 0
    code, _, err = cli("models", "add-sface", "--activate")
    assert code == 0, err
    sface_id = next(i for i, m in _models(cli).items() if m["is_active"])

    code, out, err = cli("train", "--from-enrolled", "--epochs", "3", "--people-per-batch", "4",
                         "--samples-per-person", "3", "--margin", "0.6", "--json")
    # (AT&T is easy for SFace: at the default margin 0.2 almost no batch holds a semi-hard
    # triplet, so the test widens the margin to exercise the training itself.)
    assert code == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    for key in ("before", "after"):
        assert set(result[key]) == {"rank1", "tar_at_far_1pct", "threshold"}
        assert 0.0 <= result[key]["rank1"] <= 1.0
    assert any("worst cosine" in note for note in result["notes"])

    models = _models(cli)
    candidate = models[result["model_id"]]
    assert candidate["kind"] == "finetuned" and candidate["is_active"] is False
    assert candidate["architecture"] == "sface" and candidate["parent_id"] == sface_id
    assert candidate["match_threshold"] == models[sface_id]["match_threshold"]
    history = candidate["metrics"]["history"]
    assert [h["epoch"] for h in history] == [0, 1, 2, 3]
    assert math.isfinite(history[1]["loss"])  # the first epoch trained
    # The triplet loss falls: a later epoch is lower, or had no semi-hard triplet left to train
    # on (loss NaN, active share 0: every triplet of every batch already beyond the margin).
    assert any(h["loss"] < history[1]["loss"] or (math.isnan(h["loss"]) and h["active_share"] == 0)
               for h in history[2:]), history
    assert cli("models", "verify")[0] == 0

    # a folder of ready-made crops: SFace finds the landmarks on each crop to align it
    code, out, err = cli("train", "--dataset", str(folder), "--crops", "--epochs", "1",
                         "--margin", "0.6", "--json")
    assert code == 0, err
    from_folder = json.loads(out.strip().splitlines()[-1])
    assert from_folder["architecture"] == "sface" and from_folder["skipped_images"] == 0

    # a changed candidate file is refused with the reason, and nothing is switched
    weights = Path(candidate["path"])
    good = weights.read_bytes()
    weights.write_bytes(good[:-64] + bytes(64))
    code, _, err = cli("models", "activate", str(candidate["id"]))
    assert code == 2 and "corrupt or were changed" in err
    assert _models(cli)[sface_id]["is_active"] is True
    weights.write_bytes(good)

    code, out, err = cli("models", "activate", str(candidate["id"]))
    assert code == 0, err
    with sqlite3.connect(data_dir / "attendance.db") as conn:
        rows = conn.execute("SELECT count(*), min(length(embedding)) FROM templates "
                            "WHERE model_id = ?", [candidate["id"]]).fetchone()
    assert rows == (40, 128 * 4)  # every stored crop re-embedded, 128-d
    people = sorted(p for p in att.iterdir() if p.is_dir())[:8]
    probes = [sorted(p.iterdir())[7] for p in people]  # photos not enrolled
    found = _identify(cli, probes)
    right = sum(f["known"] and f["name"] == p.name for f, p in zip(found, people))
    assert right >= 6, found

    code, _, err = cli("models", "activate", str(sface_id))
    assert code == 0, err
    assert _models(cli)[sface_id]["is_active"] is True
    assert sum(f["known"] and f["name"] == p.name
               for f, p in zip(_identify(cli, probes), people)) >= 6
