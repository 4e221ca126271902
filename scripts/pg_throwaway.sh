#!/usr/bin/env bash
# Tests, PostgreSQL: start or stop a throwaway PostgreSQL cluster in a folder, on 127.0.0.1, as a non-root user.
#   eval "$(scripts/pg_throwaway.sh start DIR)"   # prints `export ANNING_TEST_DATABASE_URL=postgresql+asyncpg://…`
#   scripts/pg_throwaway.sh stop DIR
# The cluster trusts local connections and runs with fsync off: for tests only, never for data that matters.
# Installs the Debian package when no server binaries are found and apt-get is usable (CI machines run as root).
set -euo pipefail
action="${1:?usage: pg_throwaway.sh start|stop DIR [PORT]}"
dir="$(mkdir -p "${2:?a folder for the cluster}" && cd "$2" && pwd)"

bindir() {
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$found" ] && command -v pg_config >/dev/null 2>&1; then found="$(pg_config --bindir)"; fi
  if [ -n "$found" ] && [ -x "$found/initdb" ]; then echo "$found"; fi
}

as_owner() {  # postgres refuses to run as root: run as the cluster folder's owner
  if [ "$(id -u)" = 0 ]; then runuser -u "$owner" -- "$@"; else "$@"; fi
}

bin="$(bindir)"
if [ -z "$bin" ] && [ "$action" = start ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing postgresql (apt-get)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
  bin="$(bindir)"
fi
[ -n "$bin" ] || { echo "no PostgreSQL server binaries (initdb, pg_ctl) found" >&2; exit 1; }

owner=postgres
if [ "$(id -u)" = 0 ]; then
  id -u "$owner" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
  chown "$owner" "$dir"
else
  owner="$(id -un)"
fi

case "$action" in
  start)
    port="${3:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then  # running already: its address again
      port="$(cat "$dir/port")"
    else
      as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
        "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir' -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >&2 \
        || { cat "$dir/server.log" >&2; exit 1; }
    fi
    echo "$port" >"$dir/port"
    echo "export ANNING_TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:$port/postgres"
    echo "export ANNING_TEST_PG_DIR=$dir"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    ;;
  *)
    echo "usage: pg_throwaway.sh start|stop DIR [PORT]" >&2
    exit 2
    ;;
esac
