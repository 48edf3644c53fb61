"""The list of CLI command modules, in the order `--help` shows them."""

from __future__ import annotations

from types import ModuleType

COMMAND_MODULES: list[ModuleType] = []
