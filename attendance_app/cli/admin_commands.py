"""`admin set-password|clear-password|status`, and `@requires_admin` for sensitive handlers.

When an administrator password is set, a guarded command reads it from the environment variable
ATTENDANCE_APP_ADMIN_PASSWORD or, in a terminal, asks for it without echo. Anything else (no
terminal, no variable, a wrong password) is an AccessDeniedError: message on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import os
import sys
from collections.abc import Callable

from attendance_app.cli.context import CliContext
from attendance_app.domain.errors import ValidationError
from attendance_app.services.admin_guard import AdminGuard, require_admin

ADMIN_PASSWORD_ENV = "ATTENDANCE_APP_ADMIN_PASSWORD"

Handler = Callable[[argparse.Namespace, CliContext], int]


def cli_password_provider() -> str | None:
    """The administrator password from the environment, else a no-echo prompt on a terminal."""
    from_env = os.environ.get(ADMIN_PASSWORD_ENV)
    if from_env:
        return from_env
    if sys.stdin.isatty():
        return getpass.getpass("Administrator password: ")
    return None


def requires_admin(handler: Handler) -> Handler:
    """Decorate a CLI handler so it runs only after the administrator password is checked."""

    @functools.wraps(handler)
    def guarded(args: argparse.Namespace, ctx: CliContext) -> int:
        require_admin(ctx.services, cli_password_provider)
        return handler(args, ctx)

    guarded.requires_admin = True  # type: ignore[attr-defined]  # lets tests list guarded handlers
    return guarded


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("admin", help="administrator password for enrolment, deletion, exports")
    asub = p.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    setp = asub.add_parser("set-password", help="set or change the administrator password")
    setp.add_argument("--password-stdin", action="store_true",
                      help="read the new password from the first line of stdin")
    setp.set_defaults(handler=set_password)
    clear = asub.add_parser("clear-password", help="remove the password (nothing is protected)")
    clear.set_defaults(handler=clear_password)
    status = asub.add_parser("status", help="say whether a password is set")
    status.set_defaults(handler=show_status)


@requires_admin
def set_password(args: argparse.Namespace, ctx: CliContext) -> int:
    guard = AdminGuard(ctx.services.db)
    had_one = guard.is_set
    guard.set_password(_new_password(args.password_stdin))
    print("administrator password changed" if had_one else "administrator password set: "
          "enrolling, deleting, exporting and model changes now need it")
    return 0


@requires_admin
def clear_password(args: argparse.Namespace, ctx: CliContext) -> int:
    removed = AdminGuard(ctx.services.db).clear_password()
    print("administrator password removed" if removed else "no administrator password was set")
    return 0


def show_status(args: argparse.Namespace, ctx: CliContext) -> int:
    guard = AdminGuard(ctx.services.db)
    if not guard.is_set:
        print("no administrator password is set")
        return 0
    locked = guard.seconds_locked()
    print("an administrator password is set" +
          (f"; attempts are refused for {locked:.0f} s more" if locked else ""))
    return 0


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("New administrator password: ")
        if getpass.getpass("Repeat it: ") != password:
            raise ValidationError("the two passwords differ; nothing changed")
    else:
        raise ValidationError("no terminal to ask for the new password: use --password-stdin")
    if not password:
        raise ValidationError("the administrator password cannot be empty")
    return password
