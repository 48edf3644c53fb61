#!/usr/bin/env bash
# Installs what is needed (idempotent) and launches the app. Arguments go to `attendance-app`
# (no arguments: the desktop window).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# The window needs a display. Without one Qt aborts with a long plugin error (and a hint about
# libxcb that is wrong here), so say it in one line, before any install.
if [ "$#" -eq 0 ] && [ -z "${QT_QPA_PLATFORM:-}" ] && [ "$(uname -s)" = "Linux" ] \
   && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "[launch] no display (DISPLAY and WAYLAND_DISPLAY are unset): the window cannot open here; run a command instead (bash scripts/launch.sh --help) or start it from a desktop session" >&2
  exit 2
fi
bash scripts/setup_env.sh
# Qt's xcb platform plugin needs libxcb-cursor0 on Debian/Ubuntu X11 desktops.
if [ "$#" -eq 0 ] && [ -z "${QT_QPA_PLATFORM:-}" ] && [ -n "${DISPLAY:-}" ] \
   && command -v dpkg >/dev/null 2>&1 && ! dpkg -s libxcb-cursor0 >/dev/null 2>&1; then
  echo "[launch] Qt needs the Debian/Ubuntu package libxcb-cursor0: sudo apt-get install libxcb-cursor0" >&2
fi
exec .venv/bin/attendance-app "$@"
