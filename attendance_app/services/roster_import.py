"""Roster import (issue 13): a CSV or XLSX file with one person per row -> a plan, then apply it.

Columns are found by their header (case and spacing ignored): name (required: "name", "full
name"), external id ("external id", "id", "student id"), group ("group", "class", "roster")
and an optional photo path ("photo", "photo path"; relative paths are read from the file's
folder). `plan_import` reads and checks everything and writes nothing; `apply_import` then adds
or updates each usable row in its own transaction (a row is saved whole or not at all) and
enrols the photo when there is one. Rows that cannot be used are listed with their line number
and the reason, never silently dropped.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from attendance_app.domain.consent import Consent
from attendance_app.domain.errors import AttendanceAppError, ValidationError
from attendance_app.storage.people_repository import PeopleRepository

HEADERS = {"name": ("name", "full name", "person", "student"),
           "external_id": ("external id", "externalid", "id", "student id", "number"),
           "group": ("group", "class", "roster", "course"),
           "photo": ("photo", "photo path", "picture", "image")}
Progress = Callable[[int, int, str], bool]


@dataclass(frozen=True)
class RosterRow:
    """One usable line: `action` "add" (new person) or "update" (`person_id` found by external
    id or by a unique name); `photo` an existing image file or None."""

    line: int
    name: str
    external_id: str | None
    group: str | None
    photo: Path | None
    action: str
    person_id: int | None = None


@dataclass(frozen=True)
class RosterPlan:
    """What an import will do (`rows`) and the lines it cannot use (`problems`, "line 4: ...").
    After `apply_import`: `done` names who was saved, `problems` also holds rows that failed."""

    source: Path
    rows: tuple[RosterRow, ...]
    problems: tuple[str, ...] = ()
    done: tuple[str, ...] = field(default_factory=tuple)
    cancelled: bool = False

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def read_table(path: Path) -> list[list[str]]:
    """The file's cells as text rows (CSV: UTF-8 with or without BOM; XLSX: the first sheet).
    Raises ValidationError for another suffix or an unreadable file."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with path.open(newline="", encoding="utf-8-sig") as f:
                return [[c.strip() for c in row] for row in csv.reader(f)]
        if suffix in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                return [["" if c is None else str(c).strip() for c in row]
                        for row in sheet.iter_rows(values_only=True)]
            finally:
                book.close()
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError) as exc:
        raise ValidationError(f"{path.name} could not be read: {exc}") from exc
    raise ValidationError(f"{path.name}: a roster is a .csv or .xlsx file")


def plan_import(path: Path, people: PeopleRepository) -> RosterPlan:
    """Read and check the roster file; writes nothing. ValidationError when the file has no
    header row with a name column."""
    path = Path(path)
    table = read_table(path)
    if not table:
        raise ValidationError(f"{path.name} is empty")
    columns = _columns(table[0])
    if "name" not in columns:
        raise ValidationError(f"{path.name}: the first row must name the columns, with one "
                              "called 'name' (also: external id, group, photo)")
    rows, problems, seen_ids = [], [], set()
    for line, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        value = {key: (cells[i].strip() if i < len(cells) else "") for key, i in columns.items()}
        row, problem = _plan_row(line, value, path.parent, people, seen_ids)
        if problem:
            problems.append(f"line {line}: {problem}")
        else:
            rows.append(row)
    return RosterPlan(path, tuple(rows), tuple(problems))


def apply_import(plan: RosterPlan, db: Any, people: PeopleRepository,
                 enrol_photo: Callable[..., Any], consent: Consent | None,
                 progress: Progress | None = None) -> RosterPlan:
    """Save each row of the plan in its own transaction. `enrol_photo(person_id, photo)` adds
    the face of a row's photo (raises AttendanceAppError when it has none). A row whose photo
    is refused is not saved at all. Stops between rows when `progress` returns False."""
    done, problems = [], list(plan.problems)
    for k, row in enumerate(plan.rows):
        if progress is not None and not progress(k, len(plan.rows), row.name):
            return replace(plan, done=tuple(done), problems=tuple(problems), cancelled=True)
        try:
            with db.transaction():  # one row: the person and their photo, or nothing
                _apply_row(row, people, enrol_photo, consent)
        except AttendanceAppError as exc:
            problems.append(f"line {row.line} ({row.name}): {exc}")
            continue
        done.append(f"{row.name} ({'added' if row.action == 'add' else 'updated'})")
    if progress is not None:
        progress(len(plan.rows), len(plan.rows), "")
    return replace(plan, done=tuple(done), problems=tuple(problems))


def _apply_row(row: RosterRow, people: PeopleRepository, enrol_photo: Callable[..., Any],
               consent: Consent | None) -> None:
    if row.photo is not None and consent is None:
        raise ValidationError("a photo needs the consent box ticked")
    with_photo = consent is not None and row.photo is not None
    if row.action == "add":
        person = people.add(row.name, external_id=row.external_id, group=row.group,
                            consent_at=consent.at if with_photo else None,
                            consent_by=consent.recorded_by if with_photo else None,
                            consent_version=consent.wording_version if with_photo else None)
    else:
        extra = {"external_id": row.external_id} if row.external_id else {}
        person = people.update(row.person_id, name=row.name, group=row.group, **extra)
    if row.photo is not None:
        enrol_photo(person.id, row.photo)


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, title in enumerate(header):
        key = " ".join(title.lower().replace("_", " ").split())
        for field_name, names in HEADERS.items():
            if key in names and field_name not in found:
                found[field_name] = i
    return found


def _plan_row(line: int, value: dict[str, str], folder: Path, people: PeopleRepository,
              seen_ids: set[str]) -> tuple[RosterRow | None, str]:
    name = value.get("name", "")
    if not name:
        return None, "no name"
    external_id = value.get("external_id") or None
    if external_id is not None:
        if external_id in seen_ids:
            return None, f"external id {external_id} appears twice in the file"
        seen_ids.add(external_id)
    photo = None
    if value.get("photo"):
        photo = Path(value["photo"]).expanduser()
        photo = photo if photo.is_absolute() else folder / photo
        if not photo.is_file():
            return None, f"photo {value['photo']} not found"
    existing = people.find_by_external_id(external_id) if external_id else None
    if existing is None:
        same_name = people.find_by_name(name)
        if len(same_name) == 1 and (external_id is None or same_name[0].external_id is None):
            existing = same_name[0]
    action = "update" if existing is not None else "add"
    return RosterRow(line, name, external_id, value.get("group") or None, photo, action,
                     existing.id if existing else None), ""
