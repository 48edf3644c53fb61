"""Roster management through the People tab and the real ServicesBackend over a real SQLite
file (issue 13 item 4): a CSV roster with a bad row is previewed, imported in the background
with the bad rows reported, and groups are created, renamed and people moved."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from attendance_app.config import AppPaths, Settings
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.services_backend import ServicesBackend
from attendance_app.gui.tabs.people_tab import PeopleTab
from attendance_app.gui.task_runner import TaskRunner
from attendance_app.services.app_services import AppServices

ROSTER = """Name,Student ID,Class,Photo
Ada Lovelace,S1,7B,
Bob Smith,S2,7B,
,S3,7B,
Cleo Ng,S4,7C,missing.jpg
Dan Ito,S2,7C,
Eve Existing,S9,7C,
"""


@pytest.fixture
def tab(qtbot, tmp_path, recorded_errors):
    services = AppServices.open(AppPaths.resolve(str(tmp_path / "data")), Settings())
    services.people_repository.add("Eve Existing", external_id="S9", group="old",
                                   created_at=datetime(2026, 1, 1))
    backend = ServicesBackend(services)
    runner = TaskRunner()
    tab = PeopleTab(ErrorPresenter(None, recorded_errors), runner)
    qtbot.addWidget(tab)
    tab.set_backend(backend)
    yield tab
    runner.wait_for_done(10_000)
    backend.close()


def test_a_roster_with_bad_rows_is_previewed_imported_and_the_bad_rows_reported(
        qtbot, tab, tmp_path, recorded_errors):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    previews = []
    tab.confirm_import = lambda parent, plan: previews.append(plan) or (True, False)
    tab.import_roster(path)
    qtbot.waitUntil(lambda: tab.last_import is not None or bool(recorded_errors.messages),
                    timeout=20_000)
    plan = previews[0]
    assert [r.name for r in plan.rows] == ["Ada Lovelace", "Bob Smith", "Eve Existing"]
    assert [r.action for r in plan.rows] == ["add", "add", "update"]
    assert plan.problems == ("line 4: no name", "line 5: photo missing.jpg not found",
                             "line 6: external id S2 appears twice in the file")
    people = {p.name: p for p in tab._backend.people()}
    assert set(people) == {"Ada Lovelace", "Bob Smith", "Eve Existing"}
    assert people["Ada Lovelace"].external_id == "S1" and people["Ada Lovelace"].group == "7B"
    assert people["Eve Existing"].group == "7C"          # updated, not duplicated
    assert "line 4: no name" in recorded_errors.messages[-1][1]
    assert sorted(tab.table.visible_names()) == sorted(people)


def test_cancelling_the_preview_writes_nothing(tab, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    tab.confirm_import = lambda parent, plan: (False, False)
    tab.import_roster(path)
    assert [p.name for p in tab._backend.people()] == ["Eve Existing"]


def test_groups_are_created_with_a_start_time_renamed_and_people_moved(tab):
    backend = tab._backend
    answers = iter(["Class 7B", "08:15"])  # the group's name, then its usual start time
    tab.groups.ask_text = lambda title, label, default="": next(answers)
    tab.groups.new_button.click()
    assert "Class 7B" in backend.groups() and backend.usual_start("Class 7B") == time(8, 15)
    eve = backend.people()[0]
    tab.table.select_person(eve.id)
    tab.groups.ask_item = lambda title, label, items, editable: "Class 7B"
    tab.groups.move_button.click()
    assert backend.people()[0].group == "Class 7B"
    tab.groups.ask_item = lambda title, label, items, editable: "Class 7B"
    tab.groups.ask_text = lambda title, label, default="": "Class 8B"
    tab.groups.rename_button.click()
    assert backend.people()[0].group == "Class 8B"
    assert "Class 7B" not in backend.groups()
    assert backend.usual_start("Class 8B") == time(8, 15)
