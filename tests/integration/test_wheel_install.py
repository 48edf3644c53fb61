"""A built wheel, installed into a fresh virtualenv (not editable, outside the checkout), still
finds its stylesheet, icon and PDF fonts as package data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]

CHECK = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import attendance_app
    from attendance_app.resources import APP_ICON, STYLESHEET, asset_path
    from attendance_app.reporting import pdf_fonts
    from fpdf import FPDF
    from PySide6.QtGui import QIcon
    from attendance_app.gui.app import ensure_application
    app = ensure_application()
    pdf = FPDF()
    fonts = pdf_fonts.load_fonts(pdf, font_dirs=[pdf_fonts.BUNDLED_FONT_DIR])
    print(json.dumps({
        "package": attendance_app.__file__,
        "stylesheet": asset_path(*STYLESHEET).read_text(encoding="utf-8")[:200],
        "applied_stylesheet": len(app.styleSheet()),
        "icon_null": QIcon(str(asset_path(*APP_ICON))).isNull(),
        "window_icon_null": app.windowIcon().isNull(),
        "font_dir": str(pdf_fonts.BUNDLED_FONT_DIR),
        "unicode_font": fonts.unicode,
        "font_files": sorted(p.name for p in pdf_fonts.BUNDLED_FONT_DIR.iterdir()),
    }))
""")


def _copy_sources(target: Path) -> None:
    for name in ("pyproject.toml", "README.md", "assets"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target / name)
    shutil.copytree(REPO / "attendance_app", target / "attendance_app", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))


@pytest.mark.timeout(300)
def test_a_wheel_installed_in_a_fresh_venv_loads_stylesheet_icon_and_fonts(tmp_path) -> None:
    source, wheels, venv = tmp_path / "src", tmp_path / "wheels", tmp_path / "venv"
    source.mkdir()
    _copy_sources(source)  # a copy: building writes build/ and *.egg-info beside the sources
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(wheels), str(source)], check=True, timeout=240)
    wheel = next(wheels.glob("attendance_app-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # The dependencies come from this interpreter's site-packages (fast, offline); a .pth line
    # adds the folder without running its .pth files, so no editable checkout leaks in.
    (site / "shared_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--no-index", "--quiet", str(wheel)], check=True, timeout=240)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    run = subprocess.run([str(python), "-c", CHECK], cwd=tmp_path, env=env, check=True,
                         capture_output=True, text=True, timeout=120)
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert Path(found["package"]).is_relative_to(site)  # the wheel, not this checkout
    assert Path(found["font_dir"]).is_relative_to(site)
    assert found["stylesheet"] == (REPO / "assets" / "style.qss").read_text(encoding="utf-8")[:200]
    assert found["applied_stylesheet"] > 0
    assert found["icon_null"] is False and found["window_icon_null"] is False
    assert found["unicode_font"] is True
    assert {"DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"} <= set(found["font_files"])
