"""`attendance-app encryption status|enable|change-passphrase`: encryption at rest of the face
data (crops, templates, unknown-face snapshots, attendance thumbnails).

The passphrase is given in ATTENDANCE_APP_PASSPHRASE or typed at a no-echo prompt on a terminal
(a new one in a script: ATTENDANCE_APP_NEW_PASSPHRASE for `change-passphrase`). Turning it on
and changing the passphrase need the administrator password when one is set.
"""

from __future__ import annotations

import argparse

from attendance_app.cli.admin_commands import requires_admin
from attendance_app.cli.context import CliContext
from attendance_app.cli.passphrase_input import (NEW_PASSPHRASE_ENV, current_passphrase,
                                                 new_passphrase)
from attendance_app.domain.errors import AccessDeniedError
from attendance_app.services import encryption_service
from attendance_app.services.encryption_service import ConversionResult
from attendance_app.services.startup_checks import backup_daily_at_startup
from attendance_app.storage.biometric_columns import PASSPHRASE_ENV


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("encryption", help="encrypt the face data at rest with a passphrase")
    esub = p.add_subparsers(dest="encryption_command", metavar="ACTION", required=True)
    status = esub.add_parser("status", help="say whether the face data is encrypted")
    status.set_defaults(handler=show_status)
    enable = esub.add_parser(
        "enable", help=f"encrypt all face data with a new passphrase (from {PASSPHRASE_ENV} "
                       f"or asked)")
    enable.add_argument("--delete-old-backups", action="store_true",
                        help="delete the backups made before, which hold the face data in "
                             "clear text, and make a fresh encrypted one")
    enable.set_defaults(handler=enable_encryption)
    change = esub.add_parser(
        "change-passphrase", help=f"re-encrypt under a new passphrase (current one from "
                                  f"{PASSPHRASE_ENV}, new one from {NEW_PASSPHRASE_ENV}, or "
                                  f"asked)")
    change.set_defaults(handler=change_passphrase)


def show_status(args: argparse.Namespace, ctx: CliContext) -> int:
    state = encryption_service.status(ctx.services.db)
    if not state.enabled:
        print("face data is NOT encrypted (attendance-app encryption enable turns it on)")
    else:
        print("face data is encrypted; " + ("unlocked with the passphrase" if state.unlocked
                                            else "locked: no passphrase given"))
    for count in state.columns:
        print(f"  {count.column}: {count.encrypted} encrypted, {count.clear} clear text")
    return 0


@requires_admin
def enable_encryption(args: argparse.Namespace, ctx: CliContext) -> int:
    passphrase = new_passphrase(PASSPHRASE_ENV)
    result = encryption_service.enable(ctx.services.db, passphrase)
    _print_conversion("encrypted", result)
    old = encryption_service.clear_text_backups(ctx.paths.backups_dir)
    if old and args.delete_old_backups:
        for path in old:
            path.unlink(missing_ok=True)
        warning = backup_daily_at_startup(ctx.paths, ctx.settings)
        print(f"deleted {len(old)} clear-text backup(s)"
              + (f"; {warning}" if warning else "; made a fresh encrypted backup"))
    elif old:
        print(f"warning: {len(old)} backup(s) in {ctx.paths.backups_dir} were made before and "
              f"hold the face data in clear text; delete them or keep them somewhere safe "
              f"(--delete-old-backups does it)")
    print(f"from now on give the passphrase in {PASSPHRASE_ENV} or type it when asked; "
          f"without it nobody can be enrolled or recognised. It cannot be recovered if lost.")
    return 0


@requires_admin
def change_passphrase(args: argparse.Namespace, ctx: CliContext) -> int:
    old = current_passphrase()
    if old is None:
        raise AccessDeniedError(f"give the current passphrase in {PASSPHRASE_ENV} or run this "
                                f"in a terminal")
    result = encryption_service.change_passphrase(ctx.services.db, old,
                                                  new_passphrase(NEW_PASSPHRASE_ENV))
    _print_conversion("re-encrypted", result)
    print("backups made before still open with the old passphrase only")
    return 0


def _print_conversion(verb: str, result: ConversionResult) -> None:
    total = sum(result.sealed.values())
    detail = ", ".join(f"{n} {column}" for column, n in result.sealed.items())
    print(f"{verb} {total} stored value(s): {detail}")
    if not result.scrubbed:
        print("warning: another program has the database open, so old pages may remain in the "
              "-wal file until it closes; close it and run `attendance-app db check`")
