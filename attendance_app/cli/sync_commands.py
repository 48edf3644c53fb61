"""`server init` and `sync connect|status|now`: kiosks sharing people and attendance (issue 16)."""

from __future__ import annotations

import argparse

from attendance_app.cli.admin_commands import requires_admin
from attendance_app.cli.context import CliContext
from attendance_app.cli.output import print_json

DSN_HELP = ("libpq connection string WITHOUT a password, e.g. 'host=db.school dbname=attendance "
            "user=kiosk' (default: ATTENDANCE_APP_SERVER or the saved setting); the password "
            "comes from PGPASSWORD or ~/.pgpass")


def register(sub: argparse._SubParsersAction) -> None:
    server = sub.add_parser("server", help="the shared PostgreSQL server of several kiosks")
    ssub = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    init = ssub.add_parser("init", help="create or migrate the schema on an existing database")
    init.add_argument("--server", help=DSN_HELP)
    init.add_argument("--json", action="store_true")
    init.set_defaults(handler=server_init)

    sync = sub.add_parser("sync", help="sync this kiosk with the shared server")
    ysub = sync.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    connect = ysub.add_parser("connect", help="check a server and save it for this kiosk")
    connect.add_argument("server", help=DSN_HELP)
    connect.set_defaults(handler=sync_connect)
    status = ysub.add_parser("status", help="server, connection and records waiting to be sent")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=sync_status)
    now = ysub.add_parser("now", help="send what waits and pull every change, once")
    now.add_argument("--full", action="store_true",
                     help="pull everything again (e.g. after adding a model)")
    now.add_argument("--json", action="store_true")
    now.set_defaults(handler=sync_now)


def server_init(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.services.sync.server_admin import init_server

    result = init_server(args.server, ctx.settings)
    if args.json:
        print_json(result)
    else:
        applied = result["applied"]
        print(f"server {result['server']}: schema version {result['schema_version']}"
              + (f" (applied {', '.join(map(str, applied))})" if applied else " (up to date)"))
    return 0


@requires_admin
def sync_connect(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.services.sync.server_admin import check_server

    label = check_server(args.server)
    ctx.services.update_settings(ctx.settings.with_changes(server=args.server))
    print(f"this kiosk now syncs with {label}")
    return 0


def sync_status(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.services.sync.server_admin import probe

    status = ctx.services.sync.status(ctx.services.db)
    result = status.to_dict()
    if status.configured:
        result["reachable"], result["problem"] = probe(ctx.services.sync.dsn)
    elif ctx.services.sync.config_error:
        result["problem"] = ctx.services.sync.config_error
    if args.json:
        print_json(result)
    else:
        print(status.text if not result.get("problem") else f"{status.text}; {result['problem']}")
        if status.configured:
            print(f"server reachable: {'yes' if result['reachable'] else 'no'}; "
                  f"{status.pending_records} record(s), {status.pending_total} change(s) waiting")
    return 0


def sync_now(args: argparse.Namespace, ctx: CliContext) -> int:
    from attendance_app.domain.errors import SyncServerError

    sync = ctx.services.sync
    if not sync.configured:
        raise SyncServerError(sync.config_error or "no server is configured: run "
                              "`attendance-app sync connect 'host=... dbname=... user=...'`")
    report = sync.run_once(ctx.services.db, full=args.full)
    if args.json:
        print_json(report.to_dict())
    else:
        print(f"sent {report.delivered} change(s); pulled {report.people} people, "
              f"{report.templates} templates, {report.deleted} deletion(s)")
    return 0
