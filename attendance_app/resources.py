"""Files shipped inside the package: the stylesheet, the icons and the PDF fonts.

They live in the repository's top-level `assets/` folder; `attendance_app/assets` is a relative
symlink to it, so a checkout, an editable install and a wheel (setuptools copies the files
through the link; see pyproject.toml package-data) all read them from the package with
importlib.resources. ADR 0014 says why a link rather than a package-dir mapping.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def asset_path(*parts: str) -> Path:
    """The path of a shipped asset, e.g. asset_path("icons", "app.svg") (it may not exist)."""
    return Path(str(files("attendance_app").joinpath("assets", *parts)))


STYLESHEET = ("style.qss",)
APP_ICON = ("icons", "app.svg")
FONTS_DIR = ("fonts",)
