#!/usr/bin/env bash
# Installs what is needed (idempotent) and runs the whole test suite headless.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup_env.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/lint-imports
# Static types: the packages and strictness are configured in pyproject.toml ([tool.mypy]).
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
