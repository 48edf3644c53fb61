"""RosterService: groups (rosters) as things of their own: create, rename, move people, and a
group's usual start time (issue 13).

A group is in use when a person has it; a group created before anyone is in it, and a group's
usual start time ("Class 7B starts at 08:15"), are kept in the database's key-value table under
`roster/<name>` as JSON, so they travel with the data. Renaming moves both the people and that
entry in one transaction.
"""

from __future__ import annotations

import json
from datetime import time

from attendance_app.domain.errors import NotFoundError, ValidationError
from attendance_app.storage.key_value_repository import KeyValueRepository
from attendance_app.storage.people_repository import PeopleRepository

PREFIX = "roster/"


class RosterService:
    def __init__(self, db, people: PeopleRepository) -> None:
        self._db = db
        self._people = people
        self._kv = KeyValueRepository(db)

    def groups(self) -> list[str]:
        """Groups people are in plus groups created empty, sorted case-insensitively."""
        created = {k[len(PREFIX):] for k in self._kv.keys_with_prefix(PREFIX)}
        return sorted(set(self._people.groups()) | created, key=lambda g: (g.casefold(), g))

    def create_group(self, name: str, usual_start: time | None = None) -> str:
        """A new (possibly empty) group; ValidationError for a blank or existing name."""
        name = _clean(name)
        if name in self.groups():
            raise ValidationError(f"a group called {name!r} already exists")
        self._save(name, usual_start)
        return name

    def usual_start(self, group: str | None) -> time | None:
        """The group's usual start time, or None (no group, or none set)."""
        if not group:
            return None
        raw = self._kv.get(PREFIX + group)
        if not raw:
            return None
        value = json.loads(raw).get("usual_start")
        return time.fromisoformat(value) if value else None

    def set_usual_start(self, group: str, usual_start: time | None) -> None:
        group = _clean(group)
        if group not in self.groups():
            raise NotFoundError(f"no group called {group!r}")
        self._save(group, usual_start)

    def rename_group(self, old: str, new: str) -> int:
        """Rename a group for everyone in it; returns how many people moved. Past sessions
        keep the roster name they were taken under (reports stay as they were)."""
        old, new = _clean(old), _clean(new)
        if old not in self.groups():
            raise NotFoundError(f"no group called {old!r}")
        if new != old and new in self.groups():
            raise ValidationError(f"a group called {new!r} already exists: move the people "
                                  "into it instead")
        start = self.usual_start(old)
        with self._db.transaction():  # nested blocks are savepoints: all or nothing
            moved = self._people.rename_group(old, new)
            self._kv.delete(PREFIX + old)
            self._kv.set(PREFIX + new, _entry(start))
        return moved

    def move_to_group(self, person_ids: list[int], group: str | None) -> int:
        """Put these people into `group` (None or blank: no group), all or none."""
        target = group.strip() if group and group.strip() else None
        with self._db.transaction():
            for pid in person_ids:
                self._people.update(pid, group=target)
        return len(person_ids)

    def _save(self, name: str, usual_start: time | None) -> None:
        self._kv.set(PREFIX + name, _entry(usual_start))


def _entry(usual_start: time | None) -> str:
    return json.dumps({"usual_start": usual_start.strftime("%H:%M") if usual_start else None})


def _clean(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("a group needs a name")
    return name
