"""`db backup FILE`, `db restore FILE`, `db check`: the database file's safety net.

Backups use SQLite's online backup API, so they are safe while the window or a session runs.
A restore replaces the whole content in one transaction; the current database is first copied
to backups/pre-restore-<time>.db so a mistaken restore can itself be undone. Close the window
(and any running session) before restoring: they hold their own connections.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from attendance_app.cli.admin_commands import cli_password_provider, requires_admin
from attendance_app.cli.context import CliContext
from attendance_app.cli.output import print_json
from attendance_app.domain.errors import DatabaseError, ValidationError
from attendance_app.services.admin_guard import AdminGuard
from attendance_app.services.database_recovery import reapply_after_restore
from attendance_app.services.startup_checks import check_database_at_startup
from attendance_app.storage.backup import backup_database, restore_database
from attendance_app.storage.database import open_database


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="back up, restore or check the database")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    backup = dsub.add_parser("backup", help="copy the database to FILE (safe while the app runs)")
    backup.add_argument("file", type=Path)
    backup.set_defaults(handler=backup_command)
    restore = dsub.add_parser("restore", help="replace the database with the backup FILE")
    restore.add_argument("file", type=Path)
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(handler=restore_command)
    check = dsub.add_parser("check", help="run the full integrity check; list the backups")
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=check_command)


@requires_admin
def backup_command(args: argparse.Namespace, ctx: CliContext) -> int:
    # The backup holds every template and crop: it is an export, hence the admin guard.
    dest = backup_database(ctx.paths.db_path, args.file.expanduser())
    print(f"backed up {ctx.paths.db_path} to {dest} ({dest.stat().st_size} bytes)")
    return 0


def restore_command(args: argparse.Namespace, ctx: CliContext) -> int:
    src = args.file.expanduser()
    if not src.is_file():
        raise ValidationError(f"no backup file {src}")
    current_sound = _guard_restore(ctx)
    if not args.yes:
        answer = input(f"Replace everything in {ctx.paths.db_path} with {src}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            raise ValidationError("nothing restored (answer was not yes)")
    if current_sound:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = backup_database(ctx.paths.db_path,
                               ctx.paths.backups_dir / f"pre-restore-{stamp}.db")
        print(f"the current database was kept as {kept}", file=sys.stderr)
    restore_database(src, ctx.paths.db_path)
    again = reapply_after_restore(ctx.paths)
    print(f"restored {src} into {ctx.paths.db_path}")
    if again:
        print(f"{again} person(s) deleted since that backup was made were erased again",
              file=sys.stderr)
    return 0


def check_command(args: argparse.Namespace, ctx: CliContext) -> int:
    report = check_database_at_startup(ctx.paths)
    if args.json:
        print_json({"ok": report.ok, "database": str(report.db_path),
                    "problems": list(report.problems),
                    "latest_backup": str(report.latest_backup) if report.latest_backup else None,
                    "backups": [str(b) for b in report.backups]})
        return 0 if report.ok else 2
    if not report.ok:
        raise DatabaseError(report.message())
    print(report.message())
    for backup in report.backups:
        print(f"  backup {backup} ({backup.stat().st_size} bytes)")
    if not report.backups:
        print("  no automatic backup yet (one is made on the first start of each day)")
    return 0


def _guard_restore(ctx: CliContext) -> bool:
    """Check the admin password of the current database when it still opens (True then).

    A database too damaged to open cannot say whether a password was set; the restore goes
    ahead then (with a warning): whoever runs this command can already replace the data dir's
    files, so refusing would only block the recovery."""
    if not ctx.paths.db_path.exists():
        return False
    try:
        with open_database(ctx.paths.db_path) as app_db:
            AdminGuard(app_db).require(cli_password_provider)
    except DatabaseError as exc:
        print(f"warning: the current database does not open ({exc}); restoring over it",
              file=sys.stderr)
        return False
    return True
