"""Issue 12: with SFace active, the Training tab over the real ServicesBackend offers SFace's
blocks, trains (no refusal), registers an SFace candidate, activates it and rolls back.

Real MTCNN, real FaceNet and SFace weights, real AT&T faces; skips without data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from attendance_app.config import AppPaths, Settings
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.services_backend import ServicesBackend
from attendance_app.gui.tabs.training_tab import TrainingTab
from attendance_app.gui.task_runner import TaskRunner
from attendance_app.services.app_services import AppServices

pytestmark = [pytest.mark.integration, pytest.mark.slow]
WAIT_MS = 120_000


def _prepared_data_dir(tmp_path: Path, att: Path, converted_weights, sface_weights) -> Path:
    """A data dir with six AT&T people (4 photos each) enrolled and SFace active (CLI)."""
    from attendance_app.cli import main

    data = tmp_path / "data"
    (data / "models").mkdir(parents=True)
    for weights in (converted_weights, sface_weights):
        for source in Path(weights.path).parent.glob(Path(weights.path).name + "*"):
            shutil.copy2(source, data / "models" / source.name)
    folder = tmp_path / "att"
    for person in sorted(p for p in att.iterdir() if p.is_dir())[:6]:
        (folder / person.name).mkdir(parents=True)
        for image in sorted(person.iterdir())[:4]:
            (folder / person.name / image.name).symlink_to(image)
    assert main(["--data-dir", str(data), "enroll-folder", str(folder), "--consent"]) == 0
    assert main(["--data-dir", str(data), "models", "add-sface", "--activate"]) == 0
    return data


@pytest.fixture
def sface_tab(qtbot, tmp_path, recorded_errors, dataset, converted_weights,
              sface_weights) -> Iterator[tuple[TrainingTab, ServicesBackend]]:
    data = _prepared_data_dir(tmp_path, dataset("att_faces"), converted_weights, sface_weights)
    backend = ServicesBackend(AppServices.open(AppPaths.resolve(str(data)), Settings()))
    runner = TaskRunner()
    tab = TrainingTab(runner, ErrorPresenter(None, recorded_errors),
                      confirm=lambda title, text: True)
    qtbot.addWidget(tab)
    tab.set_backend(backend)
    yield tab, backend
    runner.cancel_all()
    runner.wait_for_done(10_000)
    backend.close()


def test_the_tab_trains_an_sface_candidate_activates_it_and_rolls_back(
        qtbot, sface_tab, recorded_errors):
    tab, backend = sface_tab
    assert tab.request().trainable_blocks[-3:] == ("bn_features", "linear", "bn_embedding")
    assert "repeat_3" not in tab.advanced.block_boxes  # FaceNet's blocks are not offered
    sface_id = next(m.id for m in backend.list_models() if m.is_active)
    tab.advanced.set_expanded(True)
    tab.advanced.epochs_spin.setValue(1)
    tab.advanced.margin_spin.setValue(0.6)  # AT&T is easy for SFace (see the CLI test)
    assert tab.start_button.isEnabled()
    assert tab.start()
    qtbot.waitUntil(lambda: not tab.training, timeout=WAIT_MS)
    assert recorded_errors.messages == []
    assert tab.candidate is not None and tab.candidate.parent_id == sface_id
    assert tab.metrics.figures()["Right person named first"][0].endswith("%")
    assert backend.services.models.get(tab.candidate.id).architecture == "sface"

    tab.activate_button.click()
    qtbot.waitUntil(lambda: not tab.activating, timeout=WAIT_MS)
    assert recorded_errors.messages == []
    assert next(m.id for m in backend.list_models() if m.is_active) == tab.candidate.id

    tab.models_table.select_id(sface_id)
    tab.rollback_button.click()
    qtbot.waitUntil(lambda: not tab.activating, timeout=WAIT_MS)
    assert recorded_errors.messages == []
    assert next(m.id for m in backend.list_models() if m.is_active) == sface_id
