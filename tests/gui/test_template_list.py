"""The People tab lists the selected person's templates (enrolment / camera) and removes a
camera template after asking (issue 12), over the real ServicesBackend and a real SQLite file."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from attendance_app.config import AppPaths, Settings
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.services_backend import ServicesBackend
from attendance_app.gui.tabs.people_tab import PeopleTab
from attendance_app.services.app_services import AppServices
from attendance_app.storage.model_repository import ModelRepository
from attendance_app.storage.template_repository import TemplateRepository


def _unit(i: int) -> np.ndarray:
    v = np.zeros(512, np.float32)
    v[i] = 1.0
    return v


@pytest.fixture
def tab_with_templates(qtbot, tmp_path, recorded_errors):
    services = AppServices.open(AppPaths.resolve(str(tmp_path / "data")), Settings())
    ada = services.people_repository.add("Ada Lovelace", created_at=datetime(2026, 1, 1))
    model = ModelRepository(services.db).register("casia", "converted", "/m.pt", "ab" * 32,
                                                  activate=True)
    templates = TemplateRepository(services.db)
    templates.add(ada.id, model.id, _unit(0), created_at=datetime(2026, 1, 1, 9, 0))
    learned = templates.add_camera_template(ada.id, model.id, _unit(1), 5,
                                            created_at=datetime(2026, 12, 2, 8, 15))
    backend = ServicesBackend(services)
    tab = PeopleTab(ErrorPresenter(None, recorded_errors))
    qtbot.addWidget(tab)
    tab.set_backend(backend)
    yield tab, services, ada, learned
    backend.close()


def test_selecting_a_person_lists_their_templates_with_the_source(tab_with_templates) -> None:
    tab, _, ada, _ = tab_with_templates
    tab.table.select_person(ada.id)
    items = [tab.templates.list.item(i).text() for i in range(tab.templates.list.count())]
    assert items == ["enrolment, 2026-01-01 09:00", "camera (learned), 2026-12-02 08:15"]
    assert "1 learned from the camera" in tab.templates.title.text()
    tab.templates.list.setCurrentRow(0)
    assert not tab.templates.remove_button.isEnabled()  # enrolment: re-enrol instead
    tab.templates.list.setCurrentRow(1)
    assert tab.templates.remove_button.isEnabled()


def test_removing_a_camera_template_asks_then_deletes_it_and_the_gallery_follows(
        tab_with_templates) -> None:
    tab, services, ada, learned = tab_with_templates
    tab.table.select_person(ada.id)
    assert len(services.gallery.current()) == 2
    tab.templates.list.setCurrentRow(1)
    tab.confirm = lambda title, text: False
    tab.templates.remove_button.click()
    assert len(TemplateRepository(services.db).list_for_person(ada.id)) == 2  # kept
    tab.confirm = lambda title, text: True
    tab.templates.remove_button.click()
    rows = TemplateRepository(services.db).list_for_person(ada.id)
    assert [r.source for r in rows] == ["enrolment"] and learned not in [r.id for r in rows]
    assert tab.templates.list.count() == 1
    assert len(services.gallery.current()) == 1


def test_the_settings_tab_turns_camera_templates_on_and_off(qtbot, tmp_path) -> None:
    from attendance_app.gui.tabs.settings_tab import SettingsTab

    tab = SettingsTab(tmp_path, ErrorPresenter(None, lambda t, m: None))
    qtbot.addWidget(tab)
    assert not tab.learn_check.isChecked()  # the default (README, issue 12 measurement)
    tab.learn_check.setChecked(True)
    assert tab.chosen_settings().learn_camera_templates is True
    tab.load(Settings(learn_camera_templates=False))
    assert tab.chosen_settings().learn_camera_templates is False
