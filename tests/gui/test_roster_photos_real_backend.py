"""A roster with a photo per row (CSV and XLSX) through the People tab and the real
ServicesBackend (real MTCNN, the converted FaceNet weights, a real SQLite file, real photos of
five_celebrity), issue 13 item 4: each row's photo is enrolled for that row's person, and a row
whose photo cannot be used is reported and saved not at all, while every other row is."""

from __future__ import annotations

import shutil

import pytest
from openpyxl import Workbook

from attendance_app.config import AppPaths, Settings
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.services_backend import ServicesBackend
from attendance_app.gui.tabs.people_tab import PeopleTab
from attendance_app.gui.task_runner import TaskContext, TaskRunner
from attendance_app.services.app_services import AppServices
from attendance_app.vision.weights.weights_cache import sidecar_path

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def tab(qtbot, tmp_path, recorded_errors, converted_weights):
    models = tmp_path / "data" / "models"
    models.mkdir(parents=True)
    for source in (converted_weights.path, sidecar_path(converted_weights.path)):
        shutil.copy(source, models / source.name)  # what the window's first start converted
    services = AppServices.open(AppPaths.resolve(str(tmp_path / "data")), Settings())
    backend = ServicesBackend(services)
    backend.warm_up(TaskContext(lambda f, m: None))  # the window does this before any import
    runner = TaskRunner()
    tab = PeopleTab(ErrorPresenter(None, recorded_errors), runner)
    qtbot.addWidget(tab)
    tab.set_backend(backend)
    yield tab
    runner.wait_for_done(60_000)
    backend.close()


def _rows(dataset, tmp_path):
    celebs = dataset("five_celebrity")
    photos = tmp_path / "photos"
    photos.mkdir()
    shutil.copy(celebs / "madonna" / "1.jpg", photos / "madonna.jpg")
    (photos / "broken.jpg").write_text("not a picture", encoding="utf-8")
    group_photo = dataset("face_recognition_examples") / "_multi_face" / "two_people.jpg"
    return [["Name", "Student ID", "Class", "Photo"],
            ["Ben Afflek", "S1", "7B", str(celebs / "ben_afflek" / "1.jpg")],  # absolute path
            ["Madonna", "S2", "7B", "photos/madonna.jpg"],  # relative to the roster file
            ["Two Faces", "S3", "7B", str(group_photo)],
            ["Broken Photo", "S4", "7C", "photos/broken.jpg"],
            ["Cleo Ng", "S5", "7C", ""]]


def _write(rows, path):
    if path.suffix == ".csv":
        path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    else:
        book = Workbook()
        for row in rows:
            book.active.append([c or None for c in row])
        book.save(path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_each_rows_photo_is_enrolled_for_its_person_and_a_bad_photo_row_loses_nothing_else(
        qtbot, tab, tmp_path, dataset, recorded_errors, suffix):
    path = tmp_path / f"roster{suffix}"
    _write(_rows(dataset, tmp_path), path)
    previews = []
    tab.confirm_import = lambda parent, plan: previews.append(plan) or (True, True)
    tab.import_roster(path)
    qtbot.waitUntil(lambda: tab.last_import is not None or bool(recorded_errors.messages),
                    timeout=300_000)
    assert tab.last_import is not None, recorded_errors.messages
    assert [r.name for r in previews[0].rows] == [
        "Ben Afflek", "Madonna", "Two Faces", "Broken Photo", "Cleo Ng"]
    problems = tab.last_import.problems
    assert len(problems) == 2, problems
    assert problems[0].startswith("line 4 (Two Faces)") and "2 faces" in problems[0], problems
    assert problems[1].startswith("line 5 (Broken Photo)"), problems
    backend = tab._backend
    people = {p.name: p for p in backend.people()}
    assert set(people) == {"Ben Afflek", "Madonna", "Cleo Ng"}  # the refused rows: nothing
    assert people["Ben Afflek"].template_count == 1 and people["Madonna"].template_count == 1
    assert people["Cleo Ng"].template_count == 0 and people["Cleo Ng"].group == "7C"
    assert people["Ben Afflek"].external_id == "S1" and people["Madonna"].consent_at is not None
    assert "2 problems" in recorded_errors.messages[-1][1] or \
        "Not imported (2)" in recorded_errors.messages[-1][1]
    # The enrolled face is that person's: another photo of each is recognised as them.
    enrolment = backend.services.enrollment
    for name, other in (("Ben Afflek", "ben_afflek/2.jpg"), ("Madonna", "madonna/2.jpg")):
        shot = enrolment.analyze_file(dataset("five_celebrity") / other)
        assert shot.accepted, shot.problems
        found = enrolment.find_similar([shot.crop], [shot.landmarks], [shot.context])
        assert found is not None and found[0].name == name, (other, found)
