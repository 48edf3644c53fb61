"""CliContext: what a command handler needs, built lazily so `--help` and `report` stay light."""

from __future__ import annotations

import sys
from functools import cached_property
from typing import TYPE_CHECKING

from attendance_app.config import AppPaths, load_settings, take_settings_warnings

if TYPE_CHECKING:
    from attendance_app.config import Settings
    from attendance_app.services.app_services import AppServices


class CliContext:
    """Resolves the data dir once; services (database, models) are opened on first use."""

    def __init__(self, data_dir: str | None = None) -> None:
        self.paths = AppPaths.resolve(data_dir)

    @cached_property
    def settings(self) -> "Settings":
        settings = load_settings(self.paths)
        for warning in take_settings_warnings(self.paths):  # never a silent reset to defaults
            print(f"warning: {warning}", file=sys.stderr)
        return settings

    @cached_property
    def services(self) -> "AppServices":
        """Opened on first use. When the face data is encrypted the passphrase is asked for
        here (environment variable or terminal prompt); without one the services stay locked
        and only biometric operations are refused, so reports and people lists still work."""
        from attendance_app.cli.passphrase_input import current_passphrase
        from attendance_app.domain.errors import AccessDeniedError
        from attendance_app.services.app_services import AppServices
        from attendance_app.storage.biometric_columns import PASSPHRASE_ENV

        services = AppServices.open(self.paths, self.settings)
        for warning in services.startup_warnings:
            if warning.startswith("sync:"):  # offline or misconfigured: say it, work locally
                print(f"warning: {warning}", file=sys.stderr)
        if services.biometrics_locked:
            passphrase = current_passphrase()
            if passphrase is not None:
                try:
                    services.unlock(passphrase)
                except AccessDeniedError as exc:
                    services.close()
                    raise AccessDeniedError(f"{exc} (check {PASSPHRASE_ENV} or what was typed)"
                                            ) from exc
        return services

    def close(self) -> None:
        if "services" in self.__dict__:
            self.services.close()
