"""Issue 5 through the CLI: enrol a few AT&T people, fine-tune on them, get a registered
candidate with before/after figures; the active model stays until the user activates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# FaceNet fine-tuning (SFace's has its own test): the data folder starts with FaceNet.
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.usefixtures("facenet_first")]


def _subset(att: Path, dest: Path, people: int, images: int) -> Path:
    for person in sorted(p for p in att.iterdir() if p.is_dir())[:people]:
        (dest / person.name).mkdir(parents=True)
        for image in sorted(person.iterdir())[:images]:
            (dest / person.name / image.name).symlink_to(image)
    return dest


def test_training_on_enrolled_people_registers_an_inactive_candidate_with_figures(
        cli, dataset, tmp_path) -> None:
    folder = _subset(dataset("att_faces"), tmp_path / "att", people=6, images=4)
    assert cli("enroll-folder", str(folder), "--crops", "--consent")[0] == 0

    code, out, err = cli("train", "--from-enrolled", "--epochs", "1", "--people-per-batch", "4",
                         "--samples-per-person", "2", "--json")
    assert code == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    for key in ("before", "after"):
        assert set(result[key]) == {"rank1", "tar_at_far_1pct", "threshold"}
        assert 0.0 <= result[key]["rank1"] <= 1.0
    assert result["held_out_people"] == 2 and result["images_per_second"] > 0

    code, out, _ = cli("models", "list", "--json")
    models = {m["id"]: m for m in json.loads(out)}
    candidate = models[result["model_id"]]
    assert candidate["kind"] == "finetuned" and candidate["is_active"] is False
    assert candidate["parent_id"] == 1 and models[1]["is_active"] is True
    assert candidate["metrics"]["before"]["rank1"] == pytest.approx(result["before"]["rank1"], abs=1e-4)


def test_training_with_one_person_is_refused_with_the_reason(cli, dataset, tmp_path) -> None:
    folder = _subset(dataset("att_faces"), tmp_path / "att", people=1, images=3)
    cli("enroll-folder", str(folder), "--crops", "--consent")
    code, _, err = cli("train", "--from-enrolled", "--epochs", "1")
    assert code == 2 and "at least 2 people" in err
