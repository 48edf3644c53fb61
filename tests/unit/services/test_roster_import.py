"""Roster files (CSV and XLSX) become a plan without writing anything; folder names become
person names (issue 13 items 4 and 5)."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from attendance_app.domain.errors import ValidationError
from attendance_app.services.dataset_folder import person_from_folder
from attendance_app.services.roster_import import plan_import
from attendance_app.storage.database import open_database
from attendance_app.storage.people_repository import PeopleRepository


@pytest.mark.parametrize("folder,expected", [
    ("ben_afflek", ("Ben Afflek", None)),
    ("1042", ("Person 1042", "1042")),
    ("1042_ada_lovelace", ("Ada Lovelace", "1042")),
    ("McGregor_conor", ("McGregor Conor", None)),
])
def test_folder_names_become_person_names_and_numbers_external_ids(folder, expected):
    assert person_from_folder(folder) == expected


def test_an_xlsx_roster_is_planned_with_its_bad_rows_and_nothing_is_written(tmp_path):
    book = Workbook()
    sheet = book.active
    for row in (["Full name", "ID", "Group"], ["Ada Lovelace", "S1", "7B"], [None, "S2", "7B"],
                ["Bob Smith", 17, "7C"]):
        sheet.append(row)
    path = tmp_path / "roster.xlsx"
    book.save(path)
    with open_database(tmp_path / "a.db") as db:
        people = PeopleRepository(db)
        plan = plan_import(path, people)
        assert [(r.name, r.external_id, r.group, r.action) for r in plan.rows] == [
            ("Ada Lovelace", "S1", "7B", "add"), ("Bob Smith", "17", "7C", "add")]
        assert plan.problems == ("line 3: no name",)
        assert people.list_all() == []


def test_a_file_without_a_name_column_is_refused_with_the_reason(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("id,class\nS1,7B\n", encoding="utf-8")
    with open_database(tmp_path / "a.db") as db, pytest.raises(ValidationError, match="'name'"):
        plan_import(path, PeopleRepository(db))
