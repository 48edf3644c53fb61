"""Issue 12: the Settings slider shows and sets the threshold in force. With a model that
carries its own threshold (SFace 0.38) the slider is that threshold and saving stores it with
the model, not in the Settings' FaceNet value; a model without one uses the Settings value.
Real services over a real SQLite file (no weights needed: models are registered directly)."""

from __future__ import annotations

from pathlib import Path

from attendance_app.config import AppPaths, Settings
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.services_backend import ServicesBackend
from attendance_app.gui.tabs.settings_tab import SettingsTab
from attendance_app.services.app_services import AppServices
from attendance_app.storage.model_repository import ModelRepository


def _tab(qtbot, tmp_path: Path, own_threshold: float | None):
    paths = AppPaths(tmp_path / "data").ensure()
    services = AppServices.open(paths, Settings())
    repo = ModelRepository(services.db)
    model = repo.register("SFace test", "converted", "/s.onnx", "cd" * 32, activate=True,
                          architecture="sface", match_threshold=own_threshold,
                          match_margin=0.05 if own_threshold is not None else None)
    backend = ServicesBackend.__new__(ServicesBackend)  # no warm-up: no weights are needed
    backend.services = services
    backend._model_name = model.name
    errors: list[str] = []
    tab = SettingsTab(paths.data_dir, ErrorPresenter(None, lambda t, m: errors.append(m)))
    qtbot.addWidget(tab)
    tab._backend = backend
    tab.load(services.settings)
    return tab, services, repo, model, errors


def test_the_slider_sets_the_active_models_own_threshold(qtbot, tmp_path: Path) -> None:
    tab, services, repo, model, errors = _tab(qtbot, tmp_path, own_threshold=0.38)
    try:
        assert tab.threshold_slider.value() == 38  # not the Settings' 0.55
        assert "own threshold" in tab.threshold_note.text()
        tab.threshold_slider.setValue(42)
        tab.save()
        assert errors == []
        assert repo.get(model.id).match_threshold == 0.42
        assert repo.get(model.id).match_margin == 0.05
        assert services.settings.match_threshold == Settings().match_threshold  # untouched
        assert services.models.match_policy(services.settings) == (0.42, 0.05)
        assert "threshold 0.42" in tab.model_label.text()
    finally:
        services.close()


def test_without_an_own_threshold_the_slider_is_the_settings_value(qtbot, tmp_path: Path) -> None:
    tab, services, repo, model, errors = _tab(qtbot, tmp_path, own_threshold=None)
    try:
        assert tab.threshold_slider.value() == round(Settings().match_threshold * 100)
        tab.threshold_slider.setValue(60)
        tab.save()
        assert errors == []
        assert services.settings.match_threshold == 0.60
        assert services.settings.confirm_min_similarity == 0.60
        assert repo.get(model.id).match_threshold is None
    finally:
        services.close()
