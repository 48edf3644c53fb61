#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for trying kiosk sync or running `benchmark sync`:
#   scripts/throwaway_postgres.sh start DIR PORT   -> prints the connection string
#   scripts/throwaway_postgres.sh stop DIR
# Trust authentication on a Unix socket inside DIR only (nothing listens on the network).
set -euo pipefail
action="$1"; dir="$(realpath -m "$2")"; port="${3:-54329}"
bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort | tail -1)")"
as_pg=()
if [ "$(id -u)" = "0" ]; then as_pg=(runuser -u postgres --); fi
case "$action" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      "${as_pg[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
    fi
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log.txt" \
      -o "-k $dir -p $port -c listen_addresses=''" -w start >/dev/null
    "${as_pg[@]}" "$bin/psql" -h "$dir" -p "$port" -U postgres -qc "CREATE DATABASE attendance" \
      2>/dev/null || true
    echo "host=$dir port=$port user=postgres dbname=attendance"
    ;;
  stop)
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
esac
