"""CliContext: what a command handler needs, built lazily so `--help` and `report` stay light."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from attendance_app.config import AppPaths, load_settings

if TYPE_CHECKING:
    from attendance_app.config import Settings
    from attendance_app.services.app_services import AppServices


class CliContext:
    """Resolves the data dir once; services (database, models) are opened on first use."""

    def __init__(self, data_dir: str | None = None) -> None:
        self.paths = AppPaths.resolve(data_dir)

    @cached_property
    def settings(self) -> "Settings":
        return load_settings(self.paths)

    @cached_property
    def services(self) -> "AppServices":
        from attendance_app.services.app_services import AppServices

        return AppServices.open(self.paths, self.settings)

    def close(self) -> None:
        if "services" in self.__dict__:
            self.services.close()
