#!/usr/bin/env bash
# Run the test suite against a throwaway PostgreSQL server: started here on 127.0.0.1, stopped and
# removed afterwards (also after a failure, Ctrl-C or SIGTERM). Arguments go to pytest.
#
# Needs Debian's PostgreSQL server binaries; as root they are installed with apt-get when missing.
# The port is $PGPORT, or a free one when PGPORT is unset or empty. A server left by a run that was
# killed (kill -9 gives no chance to stop it) is stopped at the next run; one whose run is still
# going (another worktree's, say) is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=/tmp/archive-pg.
PYTHON=.venv/bin/python

find_pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true; }

PGBIN=$(find_pgbin)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test-postgres: PostgreSQL's server binaries are missing; install Debian's postgresql package." >&2
    exit 2
  fi
  echo "test-postgres: installing postgresql with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends postgresql </dev/null >/dev/null
  PGBIN=$(find_pgbin)
fi

# The server refuses to run as root: as root, run it as the postgres user (made by the package).
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  as_server() { runuser -u postgres -- "$@"; }
else
  as_server() { "$@"; }
fi

# A process that exists and is not a zombie (a killed run's shell may wait a moment to be reaped).
alive() { [ -n "$1" ] && [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }

# Servers left by killed runs: each run notes its shell's pid; a server whose run is gone is stopped.
# A folder without that note is another run's that has just begun (or an older script's): left alone
# unless it is more than an hour old.
for old in "$PREFIX"*; do
  [ -d "$old" ] || continue
  if [ -f "$old/owner" ]; then
    owner=$(cat "$old/owner")
    alive "$owner" && continue  # a run still going (someone else's, perhaps); a zombie is gone
  elif [ -z "$(find "$old" -maxdepth 0 -mmin +60)" ]; then
    continue
  fi
  if [ -f "$old/data/postmaster.pid" ]; then
    echo "test-postgres: stopping the server a killed run left in $old" >&2
    as_server "$PGBIN/pg_ctl" -D "$old/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$old"
done

port_free() { "$PYTHON" -c 'import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"; }

if [ -n "${PGPORT:-}" ]; then
  PORT=$PGPORT
  if ! port_free "$PORT"; then
    echo "test-postgres: port $PORT is in use; unset PGPORT to use a free port" >&2
    exit 2
  fi
else
  PORT=$("$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
fi

# initdb, pg_ctl and the client read these too (an empty PGPORT is an error to them).
unset PGPORT PGHOST PGHOSTADDR PGDATA PGUSER PGPASSWORD PGDATABASE PGOPTIONS PGSERVICE

WORK=$(mktemp -d "${PREFIX}XXXXXX")
echo $$ >"$WORK/owner.new" && mv "$WORK/owner.new" "$WORK/owner"  # whole, never read half-written
chmod 755 "$WORK"
[ "$(id -u)" = 0 ] && chown postgres "$WORK"

stop_server() {
  if [ -f "$WORK/data/postmaster.pid" ]; then
    as_server "$PGBIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null 2>&1 ||
      as_server "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# UTF-8 and the C collation whatever the machine's locale (CI may have none: SQL_ASCII otherwise);
# C orders text by code point, as SQLite does.
if ! as_server "$PGBIN/initdb" -D "$WORK/data" -A trust -U postgres -E UTF8 --locale=C >"$WORK/initdb.log" 2>&1; then
  cat "$WORK/initdb.log" >&2
  exit 1
fi
if ! as_server "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/log" -w -t 60 \
  -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null; then
  cat "$WORK/log" >&2
  exit 1
fi
echo "test-postgres: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT ($WORK)" >&2

DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres" "$PYTHON" -m pytest "$@" </dev/null
