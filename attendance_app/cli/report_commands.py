"""`report session|person|group|unknown`: attendance reports written as CSV, XLSX or PDF.

Runs without Qt or torch: only the database, the reporting package and its writers load.
Every check (dates, names, format, output folder) happens before a file is written.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from typing import Any
from datetime import date, datetime, time
from pathlib import Path

from attendance_app.cli.admin_commands import requires_admin
from attendance_app.cli.context import CliContext
from attendance_app.domain.errors import ValidationError

FORMATS = ("csv", "xlsx", "pdf")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="export attendance reports (CSV, Excel, PDF)")
    rsub = p.add_subparsers(dest="report_command", metavar="VIEW", required=True)

    session = rsub.add_parser("session", help="one session: every roster member's status")
    session.add_argument("name", help="session name, e.g. \"Math 101\"")
    session.add_argument("--date", type=_iso_date, default=None, metavar="YYYY-MM-DD",
                         help="the session's day (default: today)")
    session.add_argument("--time", type=_hh_mm, metavar="HH:MM",
                         help="start time, when several sessions share the name that day")
    _output_options(session)
    session.set_defaults(handler=report_session)

    person = rsub.add_parser("person", help="one person over a date range")
    person.add_argument("person", help="external id, numeric id or name")
    _range_options(person)
    _output_options(person)
    person.set_defaults(handler=report_person)

    group = rsub.add_parser("group", help="a group/course over a date range (people x sessions)")
    group.add_argument("group", help="group name, e.g. \"Class 7B\"")
    _range_options(group)
    _output_options(group)
    group.set_defaults(handler=report_group)

    unknown = rsub.add_parser("unknown", help="unknown faces seen over a date range")
    _range_options(unknown)
    _output_options(unknown)
    unknown.set_defaults(handler=report_unknown)


@requires_admin
def report_session(args: argparse.Namespace, ctx: CliContext) -> int:
    fmt = _format(args)
    args.date = args.date or date.today()
    with _reports(ctx, args) as reports:
        tables = reports.session_reports(args.name, args.date, args.time)
        starts = ", ".join(f"{s.started_at:%H:%M}"
                           for s in reports.find_sessions(args.name, args.date))
    if fmt == "csv" and len(tables) > 1:
        raise ValidationError(
            f"{len(tables)} sessions called {args.name!r} on {args.date.isoformat()} (at "
            f"{starts}) and a CSV file holds one: pick one with --time, or use xlsx or pdf")
    return _export(ctx, tables, fmt, args.output)


@requires_admin
def report_person(args: argparse.Namespace, ctx: CliContext) -> int:
    fmt = _format(args)
    with _reports(ctx, args) as reports:
        table = reports.person_report(args.person, args.start, args.end)
    return _export(ctx, table, fmt, args.output)


@requires_admin
def report_group(args: argparse.Namespace, ctx: CliContext) -> int:
    fmt = _format(args)
    with _reports(ctx, args) as reports:
        table = reports.group_report(args.group, args.start, args.end)
    return _export(ctx, table, fmt, args.output)


@requires_admin
def report_unknown(args: argparse.Namespace, ctx: CliContext) -> int:
    fmt = _format(args)
    with _reports(ctx, args) as reports:
        table = reports.unknown_faces_report(args.start, args.end)
    return _export(ctx, table, fmt, args.output)


# ------------------------------------------------------------------------ helpers
def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", nargs="?", const="", default=None, metavar="DSN",
                        help="read the shared server (all kiosks) instead of this kiosk; "
                             "without DSN the configured server")
    parser.add_argument("--format", choices=FORMATS,
                        help="file format (default: from the output file's suffix)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="file to write")


def _range_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", type=_iso_date, required=True,
                        metavar="YYYY-MM-DD", help="first day (inclusive)")
    parser.add_argument("--to", dest="end", type=_iso_date, required=True,
                        metavar="YYYY-MM-DD", help="last day (inclusive)")


def _format(args: argparse.Namespace) -> str:
    """--format, else the output suffix; checked before any database work."""
    if args.format:
        return args.format
    suffix = args.output.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValidationError(f"cannot tell the format of {args.output}: give --format "
                              f"{'|'.join(FORMATS)} or end the file name in .csv, .xlsx or .pdf")
    return suffix


def _export(ctx: CliContext, tables, fmt: str, output: Path) -> int:
    path = ctx.services.reports.export(tables, fmt, output)
    print(path)
    return 0


@contextlib.contextmanager
def _reports(ctx: CliContext, args: argparse.Namespace) -> Iterator[Any]:
    """This kiosk's ReportService, or (with --server) one over a snapshot of the server."""
    if args.server is None:
        yield ctx.services.reports
        return
    from attendance_app.domain.errors import SyncServerError
    from attendance_app.services.sync.server_address import check_dsn, server_dsn
    from attendance_app.services.sync.server_reports import server_report_service

    dsn = args.server or server_dsn(ctx.settings)
    if not dsn:
        raise SyncServerError("--server: no server configured; give its connection string")
    check_dsn(dsn)
    with server_report_service(dsn) as reports:
        yield reports


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-26") from None


def _hh_mm(text: str) -> time:
    try:
        return datetime.strptime(text, "%H:%M").time()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time like 09:00") from None
