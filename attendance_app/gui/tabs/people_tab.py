"""PeopleTab: the searchable people table with edit, re-enrol and delete (with confirmation),
and the roster row (issue 13 item 4): import a roster file with a preview, create and rename
groups, move people between groups. The import is written in the task runner on its own
connection (photos are enrolled there); everything else is one short transaction here."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from attendance_app.domain.person import Person
from attendance_app.gui.admin_gate import admin_allowed
from attendance_app.gui.backend import GuiBackend
from attendance_app.gui.dialogs.confirm_dialog import confirm_destructive
from attendance_app.gui.dialogs.roster_import_dialog import ask_roster_import
from attendance_app.gui.operator import operator_name
from attendance_app.gui.task_runner import TaskRunner
from attendance_app.gui.widgets.group_actions import GroupActions
from attendance_app.gui.error_presenter import ErrorPresenter
from attendance_app.gui.widgets.people_table import PeopleTable
from attendance_app.gui.widgets.person_edit_dialog import PersonEditDialog
from attendance_app.gui.widgets.template_list import TemplateList

Confirm = Callable[[str, str], bool]
EditPerson = Callable[[Person], tuple[str, str | None, str | None] | None]


class PeopleTab(QWidget):
    """Emits `reenrol_requested(person)` (the window switches to the Enrol tab) and
    `people_changed()` after an edit or a deletion."""

    reenrol_requested = Signal(object)
    people_changed = Signal()

    status_message = Signal(str)

    def __init__(self, errors: ErrorPresenter, runner: TaskRunner | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._errors = errors
        self._runner = runner or TaskRunner(self)
        self.confirm_import = ask_roster_import  # (parent, plan) -> (import?, consent?)
        self.last_import = None
        self.groups = GroupActions()
        self._backend: GuiBackend | None = None
        self._people: dict[int, Person] = {}
        self.confirm: Confirm = self._ask       # dialogs are the edge: tests replace these
        self.edit_person: EditPerson = self._edit_dialog
        self.table = PeopleTable()
        self.templates = TemplateList()
        self.summary = QLabel("Loading…")
        self.edit_button = QPushButton("Edit…")
        self.reenrol_button = QPushButton("Re-enrol…")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setObjectName("dangerButton")
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        for b in (self.edit_button, self.reenrol_button, self.delete_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.groups)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.templates)
        layout.addLayout(buttons)
        self.groups.import_requested.connect(self.import_roster)
        self.groups.create_requested.connect(
            lambda name, start: self._change(lambda: self._backend.create_group(name, start),
                                             f"Group {name} created", "Group not created"))
        self.groups.rename_requested.connect(
            lambda old, new: self._change(lambda: self._backend.rename_group(old, new),
                                          f"Group {old} renamed to {new}", "Group not renamed"))
        self.groups.move_requested.connect(self._move_selected)
        self.edit_button.clicked.connect(self.edit_selected)
        self.reenrol_button.clicked.connect(self._reenrol_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.table.selection_changed.connect(self._update_buttons)
        self.table.selection_changed.connect(lambda pid: self._show_templates())
        self.templates.remove_requested.connect(self.remove_template)
        self.table.activated.connect(lambda pid: self.edit_selected())
        self._update_buttons(None)

    def set_backend(self, backend: GuiBackend) -> None:
        self._backend = backend
        self.refresh()

    def refresh(self) -> None:
        if self._backend is None:
            return
        try:
            people = self._backend.people()
            thumbnails = self._backend.thumbnails()
        except Exception as exc:
            self._errors.present("Could not read the people", exc)
            return
        self._people = {p.id: p for p in people}
        try:
            self.groups.groups = self._backend.groups()
        except Exception as exc:
            self._errors.present("Could not read the groups", exc)
        self.table.set_people(people, thumbnails)
        templates = sum(p.template_count for p in people)
        self.summary.setText(f"{len(people)} people enrolled, {templates} templates")

    def selected(self) -> Person | None:
        pid = self.table.selected_person_id()
        return self._people.get(pid) if pid is not None else None

    def edit_selected(self) -> None:
        person = self.selected()
        if person is None or self._backend is None:
            return
        values = self.edit_person(person)
        if values is None:
            return
        try:
            self._backend.update_person(person.id, *values)
        except Exception as exc:
            self._errors.present("Changes not saved", exc)
            return
        self.refresh()
        self.table.select_person(person.id)
        self.people_changed.emit()

    def delete_selected(self) -> None:
        person = self.selected()
        if person is None or self._backend is None:
            return
        question = (f"Delete {person.label}?\n\nThis removes the person, their "
                    f"{person.template_count} face templates and every stored face image. "
                    "This cannot be undone.")
        if not self.confirm("Delete person", question):
            return
        if not admin_allowed(self, "deleting a person"):
            return
        try:
            self._backend.delete_person(person.id)
        except Exception as exc:
            self._errors.present("Person not deleted", exc)
            return
        self.refresh()
        self.people_changed.emit()

    # --- templates (camera templates: issue 12) ---
    def _show_templates(self) -> None:
        person = self.selected()
        if person is None or self._backend is None:
            self.templates.set_templates(None, [])
            return
        try:
            rows = self._backend.person_templates(person.id)
        except Exception as exc:
            self._errors.present("Could not read the templates", exc)
            return
        self.templates.set_templates(person.name, rows)

    def remove_template(self, template_id: int) -> None:
        person = self.selected()
        if person is None or self._backend is None:
            return
        if not self.confirm("Remove template", f"Remove this camera template of "
                            f"{person.label}?\n\nIt was learned from the live view; the "
                            "enrolment templates stay."):
            return
        if not admin_allowed(self, "removing a template"):
            return
        try:
            self._backend.remove_template(template_id)
        except Exception as exc:
            self._errors.present("Template not removed", exc)
            return
        self.refresh()
        self.table.select_person(person.id)
        self._show_templates()
        self.people_changed.emit()
        self.status_message.emit(f"A camera template of {person.name} was removed")

    # --- groups and rosters ---
    def _change(self, action, done: str, title: str) -> bool:
        if self._backend is None:
            return False
        try:
            action()
        except Exception as exc:
            self._errors.present(title, exc)
            return False
        self.refresh()
        self.people_changed.emit()
        self.status_message.emit(done)
        return True

    def _move_selected(self, group: str | None) -> None:
        person = self.selected()
        if person is not None:
            self._change(lambda: self._backend.move_to_group([person.id], group),
                         f"{person.name} moved to {group or 'no group'}", "Not moved")

    def import_roster(self, path) -> None:
        """Plan (nothing written), preview, then apply in the background."""
        if self._backend is None or not admin_allowed(self, "importing a roster"):
            return
        try:
            plan = self._backend.plan_roster_import(path)
        except Exception as exc:
            self._errors.present("Roster not imported", exc)
            return
        go, consent = self.confirm_import(self, plan)
        if not go:
            return
        backend, by = self._backend, operator_name() if consent else ""
        self.groups.import_button.setEnabled(False)
        self._runner.submit("import roster",
                            lambda ctx: backend.apply_roster_import(plan, by, ctx),
                            on_success=self._imported,
                            on_error=lambda e: self._errors.present("Roster not imported", e),
                            on_finished=self._import_finished)

    def _imported(self, plan) -> None:
        self.last_import = plan
        text = f"{len(plan.done)} rows imported."
        if plan.problems:
            text += f"\n\nNot imported ({len(plan.problems)}):\n" + "\n".join(plan.problems[:30])
        self.status_message.emit(text.split("\n")[0])
        self._errors.info("Roster import", text)

    def _import_finished(self) -> None:
        self.groups.import_button.setEnabled(True)
        if self._backend is not None:
            self._backend.after_background_enrolment()
        self.refresh()
        self.people_changed.emit()

    def _reenrol_selected(self) -> None:
        person = self.selected()
        if person is not None:
            self.reenrol_requested.emit(person)

    def _update_buttons(self, person_id: object) -> None:
        for b in (self.edit_button, self.reenrol_button, self.delete_button):
            b.setEnabled(person_id is not None)

    def _ask(self, title: str, text: str) -> bool:
        return confirm_destructive(self, title, text, "Delete")

    def _edit_dialog(self, person: Person) -> tuple[str, str | None, str | None] | None:
        dialog = PersonEditDialog(person, self, self.groups.groups)
        return dialog.values() if dialog.exec() else None
