#!/usr/bin/env bash
# Installs Debian's PostgreSQL server (for the sync tests' throw-away cluster) when it is missing.
# Idempotent and quiet; never fails the build: without root or without the registry the sync
# tests skip (outside CI) or fail with the reason (under CI=true).
set -uo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "[setup] PostgreSQL is not installed and cannot be installed here (needs root and apt-get)" >&2
  exit 0
fi
echo "[setup] installing PostgreSQL (Debian package postgresql) for the sync tests" >&2
export DEBIAN_FRONTEND=noninteractive
{ apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql; } >/dev/null 2>&1 \
  || echo "[setup] could not install PostgreSQL; the sync tests will say so" >&2
exit 0
