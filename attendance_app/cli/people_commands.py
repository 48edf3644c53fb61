"""`people list|show|remove|export-data`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from attendance_app.cli.admin_commands import requires_admin
from attendance_app.cli.context import CliContext
from attendance_app.cli.output import print_json, print_table
from attendance_app.domain.errors import ValidationError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("people", help="list, show or remove enrolled people")
    psub = p.add_subparsers(dest="people_command", metavar="ACTION", required=True)
    ls = psub.add_parser("list", help="everyone enrolled")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=list_people)
    show = psub.add_parser("show", help="one person's details")
    show.add_argument("person", help="name or external id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=show_person)
    rm = psub.add_parser("remove", help="delete a person and all their biometric data")
    rm.add_argument("person", help="name or external id")
    rm.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rm.set_defaults(handler=remove_person)
    ex = psub.add_parser("export-data", help="everything stored about one person, as a zip")
    ex.add_argument("person", help="name, external id or numeric id")
    ex.add_argument("-o", "--output", type=Path, required=True)
    ex.set_defaults(handler=export_person_data)


def _person_dict(person) -> dict:
    return {"id": person.id, "name": person.name, "external_id": person.external_id,
            "group": person.group, "templates": person.template_count,
            "created_at": person.created_at, "consent_at": person.consent_at}


def list_people(args: argparse.Namespace, ctx: CliContext) -> int:
    people = ctx.services.people.list_people()
    if args.json:
        print_json([_person_dict(p) for p in people])
    elif not people:
        print("nobody is enrolled yet")
    else:
        print_table(["id", "name", "external id", "group", "templates", "enrolled"],
                    [(p.id, p.name, p.external_id, p.group, p.template_count,
                      p.created_at.strftime("%Y-%m-%d") if p.created_at else "") for p in people])
    return 0


def show_person(args: argparse.Namespace, ctx: CliContext) -> int:
    person = ctx.services.people.resolve(args.person)
    if args.json:
        print_json(_person_dict(person))
    else:
        for key, value in _person_dict(person).items():
            print(f"{key:12} {'' if value is None else value}")
    return 0


@requires_admin
def remove_person(args: argparse.Namespace, ctx: CliContext) -> int:
    people = ctx.services.people
    person = people.resolve(args.person)
    if not args.yes:
        if not sys.stdin.isatty():  # no one to ask (a script, a pipe): refuse, never guess
            raise ValidationError(f"not deleted: confirm with --yes to delete {person.label} "
                                  "without a terminal")
        try:
            answer = input(f"Delete {person.label} and all their face data? [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            raise ValidationError("not deleted (answer was not yes)")
    result = people.delete(person.id)
    print(f"deleted {person.label}: templates, face crops and snapshots removed from the "
          f"database and {len(result.copies_scrubbed)} backup(s) or copies")
    if result.copies_removed:
        print(f"removed {len(result.copies_removed)} damaged copy(ies) that could not be "
              f"scrubbed: {', '.join(str(p) for p in result.copies_removed)}")
    if not result.wal_emptied:
        print("note: another program still reads the database; the old pages leave the "
              "write-ahead log when it closes")
    return 0


@requires_admin
def export_person_data(args: argparse.Namespace, ctx: CliContext) -> int:
    person = ctx.services.people.resolve(args.person)
    path = ctx.services.people.export_person_data(person.id, args.output)
    print(f"wrote everything stored about {person.label} to {path}")
    return 0
