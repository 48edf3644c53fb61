"""One-shot benchmark with the real pretrained embedder on a small AT&T subset."""

from __future__ import annotations

from pathlib import Path

import pytest

from attendance_app.services.benchmarks.oneshot_benchmark import run_oneshot_benchmark
from attendance_app.vision.face_detector import MtcnnFaceDetector

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def att_subset(dataset, tmp_path_factory) -> Path:
    """Ten AT&T identities, linked (not copied) into a temporary dataset folder."""
    source = dataset("att_faces")
    root = tmp_path_factory.mktemp("att10")
    for i in range(1, 11):
        (root / f"s{i}").symlink_to(source / f"s{i}", target_is_directory=True)
    return root


def test_one_photo_per_person_identifies_the_others(att_subset, pretrained_embedder) -> None:
    result = run_oneshot_benchmark(att_subset, pretrained_embedder,
                                   detector=MtcnnFaceDetector(min_face_size=20), max_per_id=4)
    assert result["n_ids"] == 10 and result["n_probes"] == 30
    assert result["rank1"] >= 0.9
    assert result["no_face"] <= 2


def test_crops_mode_skips_detection_and_still_identifies(att_subset,
                                                         pretrained_embedder) -> None:
    result = run_oneshot_benchmark(att_subset, pretrained_embedder, crops=True, max_per_id=3)
    assert result["no_face"] == 0 and result["rank1"] >= 0.9
