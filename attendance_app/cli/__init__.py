"""Command line entry point: no sub-command opens the desktop window; sub-commands do headless work.

Each command module exposes `register(subparsers)` and handlers `(args, ctx) -> int`. The single
error boundary in `main` turns named domain errors into a message on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from attendance_app.cli.command_modules import COMMAND_MODULES
from attendance_app.cli.context import CliContext
from attendance_app.domain.errors import AttendanceAppError

EXIT_OK = 0
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="attendance-app",
        description="Offline face-recognition attendance. Without a command, opens the window.")
    parser.add_argument("--data-dir", help="data folder (default: ATTENDANCE_APP_DATA_DIR or the "
                                           "platform's user data folder)")
    parser.add_argument("--version", action="version", version="attendance-app 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def _start_log(data_dir: str | None) -> None:
    """The rotating log file in the data folder, for the window and every command."""
    from attendance_app.config import AppPaths
    from attendance_app.services.log_setup import configure_logging

    configure_logging(AppPaths.resolve(data_dir).logs_dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _start_log(args.data_dir)
    if args.command is None:
        from attendance_app.gui.app import run_gui  # Qt only when the window is wanted

        return run_gui(data_dir=args.data_dir)
    ctx = CliContext(data_dir=args.data_dir)
    try:
        return int(args.handler(args, ctx) or EXIT_OK)
    except AttendanceAppError as exc:
        logging.getLogger("attendance_app.cli").warning("%s failed: %s", args.command, exc)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception:
        logging.getLogger("attendance_app.cli").exception("%s crashed", args.command)
        raise
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        ctx.close()
