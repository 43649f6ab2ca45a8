#!/usr/bin/env bash
# Run the test suite against a throwaway PostgreSQL server (started here, on a local socket/port,
# and stopped afterwards).  Needs Debian's postgresql server binaries; installs them when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
PORT=${PGPORT:-55439}
WORK=$(mktemp -d /tmp/archive-pg.XXXXXX)
RUN_AS=()
if [ "$(id -u)" = 0 ]; then chown postgres "$WORK"; RUN_AS=(su postgres -s /bin/bash -c); else RUN_AS=(bash -c); fi
"${RUN_AS[@]}" "$PGBIN/initdb -D $WORK/data -A trust -U postgres >$WORK/initdb.log"
"${RUN_AS[@]}" "$PGBIN/pg_ctl -D $WORK/data -o '-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off' -l $WORK/log -w start >/dev/null"
trap '"${RUN_AS[@]}" "$PGBIN/pg_ctl -D $WORK/data -m fast stop >/dev/null"; rm -rf "$WORK"' EXIT
DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres" .venv/bin/python -m pytest "$@"
