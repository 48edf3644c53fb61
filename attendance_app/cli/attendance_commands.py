"""`attendance sessions|show|mark|undo`: review past sessions and correct their records.

`mark SESSION PERSON --status excused --reason "doctor's note"` adds a correction (the original
record stays; who, when and why are kept and shown in the reports); `undo` takes back the
person's last correction. SESSION is a session id (see `attendance sessions`) or a name, then
the latest session of that name on --date (default today). Runs without Qt or torch.
"""

from __future__ import annotations

import argparse
import getpass
from datetime import date

from attendance_app.cli.context import CliContext
from attendance_app.cli.output import print_json, print_table
from attendance_app.cli.report_commands import _iso_date
from attendance_app.domain.errors import NotFoundError

STATUSES = ("present", "late", "excused", "absent")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("attendance", help="past sessions: review and correct attendance")
    asub = p.add_subparsers(dest="attendance_command", metavar="ACTION", required=True)
    ls = asub.add_parser("sessions", help="the latest sessions, newest first")
    ls.add_argument("--limit", type=int, default=20)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=list_sessions)
    show = asub.add_parser("show", help="everyone in one session with status and corrections")
    _session_args(show)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=show_session)
    mark = asub.add_parser("mark", help="correct one person's status in a session")
    _session_args(mark)
    mark.add_argument("person", help="name, external id or numeric id")
    mark.add_argument("--status", choices=STATUSES, required=True)
    mark.add_argument("--reason", default="", help="why (kept and shown in the reports)")
    mark.add_argument("--by", help="who makes the correction (default: the login name)")
    mark.set_defaults(handler=mark_person)
    undo = asub.add_parser("undo", help="take back a person's last correction in a session")
    _session_args(undo)
    undo.add_argument("person", help="name, external id or numeric id")
    undo.add_argument("--by", help="who undoes it (default: the login name)")
    undo.set_defaults(handler=undo_mark)


def _session_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", help="session id, or its name (with --date)")
    parser.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD",
                        help="the day of a session given by name (default: today)")


def list_sessions(args: argparse.Namespace, ctx: CliContext) -> int:
    sessions = ctx.services.attendance.sessions(args.limit)
    if args.json:
        print_json([{"id": s.id, "name": s.name, "started_at": s.started_at,
                     "ended_at": s.ended_at, "roster": s.roster_group} for s in sessions])
    elif not sessions:
        print("no sessions yet")
    else:
        print_table(["id", "started", "name", "roster", "state"],
                    [(s.id, f"{s.started_at:%Y-%m-%d %H:%M}", s.name, s.roster_group or "",
                      "open" if s.is_open else "closed") for s in sessions])
    return 0


def show_session(args: argparse.Namespace, ctx: CliContext) -> int:
    session = _find_session(args, ctx)
    rows = [_outcome_dict(o) for o in ctx.services.attendance.overview(session.id)]
    if args.json:
        print_json({"session": session.name, "id": session.id,
                    "started_at": session.started_at, "people": rows})
    else:
        print(f"{session.name} (id {session.id}), {session.started_at:%Y-%m-%d %H:%M}")
        print_table(["name", "status", "time", "corrections"],
                    [(r["name"], r["status"], r["time"] or "", r["corrections"]) for r in rows])
    return 0


def mark_person(args: argparse.Namespace, ctx: CliContext) -> int:
    session = _find_session(args, ctx)
    person = ctx.services.people.resolve(args.person)
    record = ctx.services.attendance.correct_person(session.id, person.id, args.status,
                                                    args.by or _login(), args.reason)
    print(f"{person.label} in {session.name!r} ({session.started_at:%Y-%m-%d %H:%M}): "
          f"{record.effective_status.value}")
    return 0


def undo_mark(args: argparse.Namespace, ctx: CliContext) -> int:
    session = _find_session(args, ctx)
    person = ctx.services.people.resolve(args.person)
    record = ctx.services.attendance.undo_person(session.id, person.id, args.by or _login())
    print(f"{person.label} in {session.name!r}: back to {record.effective_status.value}")
    return 0


def _find_session(args: argparse.Namespace, ctx: CliContext):
    text = args.session.strip()
    if text.isdigit() and args.date is None:
        return ctx.services.attendance.get_session(int(text))
    on = args.date or date.today()
    found = ctx.services.reports.find_sessions(text, on)
    if not found:  # find_sessions raises with the day's sessions; kept for clarity
        raise NotFoundError(f"no session called {text!r} on {on.isoformat()}")
    return found[-1]


def _outcome_dict(outcome) -> dict:
    from attendance_app.reporting.session_outcomes import corrections_text

    record = outcome.record
    return {"name": outcome.display_name, "status": outcome.status.value,
            "time": f"{record.arrival_time:%H:%M:%S}" if record and outcome.status.counts_as_attended
            else None,
            "corrections": corrections_text(record.corrections) if record else ""}


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "operator"
