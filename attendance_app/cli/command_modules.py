"""The list of CLI command modules, in the order `--help` shows them."""

from __future__ import annotations

from types import ModuleType

from attendance_app.cli import (admin_commands, attendance_commands, benchmark_commands,
                                db_commands, encryption_commands, enroll_commands, identify_command,
                                models_commands, people_commands, report_commands, run_command,
                                sync_commands, train_command)

COMMAND_MODULES: list[ModuleType] = [
    enroll_commands,
    identify_command,
    people_commands,
    models_commands,
    run_command,
    report_commands,
    attendance_commands,
    train_command,
    db_commands,
    admin_commands,
    encryption_commands,
    sync_commands,
    benchmark_commands,
]
