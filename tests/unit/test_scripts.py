"""The shell scripts a user runs: set-up (torch index, disk space), launch without a display,
and the desktop entry. None of them installs anything here (dry run / early exit / temp dirs)."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def _bash(script: Path, *args: str, env: dict[str, str], cwd: Path = REPO
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(script), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM",
                        "ATTENDANCE_APP_TORCH_INDEX_URL")}
    env.update(extra)
    return env


@pytest.fixture
def fresh_checkout(tmp_path: Path) -> Path:
    """scripts/ and pyproject.toml without a .venv: what a first set-up sees."""
    shutil.copytree(REPO / "scripts", tmp_path / "scripts")
    shutil.copy2(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_launch_without_a_display_says_so_in_one_line_and_installs_nothing(fresh_checkout):
    result = _bash(fresh_checkout / "scripts" / "launch.sh", env=_env())
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display" in lines[0] and "libxcb" not in result.stderr
    assert not (fresh_checkout / ".venv").exists()


def test_first_set_up_prints_the_disk_space_it_needs(fresh_checkout):
    result = _bash(fresh_checkout / "scripts" / "setup_env.sh",
                   env=_env(ATTENDANCE_APP_SETUP_DRY_RUN="1"))
    assert result.returncode == 0, result.stderr
    assert "needs about 7 GB" in result.stderr and "GB free here" in result.stderr
    assert "--extra-index-url" not in result.stderr
    assert not (fresh_checkout / ".venv").exists()


def test_a_cpu_torch_index_from_the_environment_reaches_pip(fresh_checkout):
    url = "https://download.pytorch.org/whl/cpu"
    result = _bash(fresh_checkout / "scripts" / "setup_env.sh",
                   env=_env(ATTENDANCE_APP_SETUP_DRY_RUN="1", ATTENDANCE_APP_TORCH_INDEX_URL=url))
    assert result.returncode == 0, result.stderr
    installs = [line for line in result.stderr.splitlines() if "pip install" in line
                and "-e .[dev]" in line]
    assert len(installs) == 1 and f"--extra-index-url {url}" in installs[0]


def test_the_desktop_entry_is_installed_only_on_request_and_points_at_launch_sh(tmp_path):
    env = _env(XDG_DATA_HOME=str(tmp_path))
    result = _bash(REPO / "scripts" / "install_desktop_entry.sh", env=env)
    assert result.returncode == 0, result.stderr
    entry = tmp_path / "applications" / "attendance-app.desktop"
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(entry)
    desktop = parser["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Name"] == "Attendance"
    assert Path(desktop["Exec"].strip('"')) == REPO / "scripts" / "launch.sh"
    icon = tmp_path / "icons" / "hicolor" / "scalable" / "apps" / f"{desktop['Icon']}.svg"
    assert icon.read_bytes() == (REPO / "assets" / "icons" / "app.svg").read_bytes()
    _bash(REPO / "scripts" / "install_desktop_entry.sh", "--remove", env=env)
    assert not entry.exists() and not icon.exists()
