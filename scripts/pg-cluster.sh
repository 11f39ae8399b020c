#!/usr/bin/env bash
# Throwaway PostgreSQL clusters on loopback, for tests and benchmarks.
#   scripts/pg-cluster.sh start DIR [PID]
#                                     creates a cluster in DIR (initdb), starts it on a free port,
#                                     prints its Npgsql connection string; with PID, a watchdog
#                                     stops and removes it once that process has exited
#   scripts/pg-cluster.sh stop DIR    stops it (fast shutdown) and removes DIR
# PG_OPTIONS adds server settings ("-c shared_buffers=2GB ..."), for benchmarks.
# initdb refuses to run as root: as root, the cluster belongs to the `postgres` user.
# Finds PostgreSQL 15+ under /usr/lib/postgresql (or $PG_BIN); as root it installs Debian's
# postgresql-15 when no binaries are there.
set -euo pipefail

find_bin() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then echo "$PG_BIN"; return 0; fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  return 1
}

bin="$(find_bin || true)"
if [ -z "$bin" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "pg-cluster: installing postgresql-15" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15 postgresql-contrib-15 >&2 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15 >&2
  bin="$(find_bin || true)"
fi
if [ -z "$bin" ]; then
  echo "pg-cluster: no PostgreSQL binaries (initdb) under /usr/lib/postgresql; set PG_BIN" >&2
  exit 3
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

cmd="${1:-}"; dir="${2:-}"
[ -n "$dir" ] || [ "$cmd" = version ] || { echo "usage: $0 start|stop DIR | version" >&2; exit 2; }
case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    for attempt in 1 2 3 4 5; do
      port="$(free_port)"
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
           -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' -c max_connections=100 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_worker_processes=16 -c max_parallel_workers_per_gather=2 ${PG_OPTIONS:-}" \
           start >/dev/null 2>&1; then
        echo "$port" >"$dir/port"
        if [ -n "${3:-}" ]; then
          owner="$3"
          setsid nohup bash -c "while kill -0 $owner 2>/dev/null; do sleep 2; done; '$0' stop '$dir'" >/dev/null 2>&1 &
        fi
        echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
        exit 0
      fi
    done
    cat "$dir/server.log" >&2 || true
    exit 1
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  version) "$bin/postgres" --version | awk "{print \$3}" ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
