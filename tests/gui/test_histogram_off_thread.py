"""Issue 14 item 7: the threshold histogram is computed in the task runner, not on the GUI
thread, over the real services (a real SQLite file with templates)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from attendance_app.config import AppPaths, Settings
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.services_backend import ServicesBackend
from attendance_app.gui.tabs.settings_tab import SettingsTab
from attendance_app.gui.task_runner import TaskRunner
from attendance_app.services.app_services import AppServices
from attendance_app.storage.model_repository import ModelRepository
from attendance_app.storage.people_repository import PeopleRepository
from attendance_app.storage.template_repository import TemplateRepository


def test_the_histogram_is_computed_off_the_gui_thread(qtbot, tmp_path: Path) -> None:
    paths = AppPaths(tmp_path / "data").ensure()
    services = AppServices.open(paths, Settings())
    model = ModelRepository(services.db).register("m", "converted", "/m.pt", "ab" * 32,
                                                  activate=True)
    rng = np.random.default_rng(0)
    for k in range(3):
        person = PeopleRepository(services.db).add(f"P{k}")
        for _ in range(2):
            v = rng.standard_normal(512).astype(np.float32)
            TemplateRepository(services.db).add(person.id, model.id, v / np.linalg.norm(v))
    backend = ServicesBackend.__new__(ServicesBackend)  # no warm-up: only the histogram is used
    backend.services = services
    threads: list[str] = []
    real_job = backend.similarity_scores_job

    def recording_job(ctx):
        threads.append(threading.current_thread().name)
        return real_job(ctx)

    backend.similarity_scores_job = recording_job  # type: ignore[method-assign]
    tab = SettingsTab(paths.data_dir, ErrorPresenter(None, lambda t, m: None))
    qtbot.addWidget(tab)
    tab.runner = TaskRunner(tab)
    tab._backend = backend
    try:
        tab.refresh_histogram()
        qtbot.waitUntil(lambda: len(tab.histogram._genuine) == 3, timeout=10000)
        assert len(tab.histogram._impostor) == 12  # 15 pairs of 6 templates, 3 of them genuine
        assert threads and threads[0] != threading.main_thread().name
        tab.runner.wait_for_done(5000)
    finally:
        services.close()
