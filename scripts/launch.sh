#!/usr/bin/env bash
# Installs what is needed (idempotent) and launches the app. Arguments go to `attendance-app`
# (no arguments: the desktop window).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup_env.sh
# Qt's xcb platform plugin needs libxcb-cursor0 on Debian/Ubuntu desktops.
if [ -z "${QT_QPA_PLATFORM:-}" ] && command -v dpkg >/dev/null 2>&1 \
   && ! dpkg -s libxcb-cursor0 >/dev/null 2>&1; then
  echo "[launch] Qt needs the Debian/Ubuntu package libxcb-cursor0: sudo apt-get install libxcb-cursor0" >&2
fi
exec .venv/bin/attendance-app "$@"
