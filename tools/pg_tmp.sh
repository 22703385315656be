#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks, on a directory and port of the
# caller's choosing; runs the server as the `postgres` user when called as root.
#   pg_tmp.sh start DIR PORT [postgres -c options...]   initdb when DIR is new, then start
#   pg_tmp.sh stop DIR [fast|immediate]                  stop (the data stays)
#   pg_tmp.sh destroy DIR                                stop and remove DIR
# The server listens on 127.0.0.1:PORT and a socket in DIR; user `postgres`, trust auth,
# database `postgres`, max_prepared_transactions = 16 (exactly-once sinks need it).
set -euo pipefail

bindir=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && bindir="$d"
done
if [ -z "$bindir" ]; then
  echo "pg_tmp: no PostgreSQL server binaries under /usr/lib/postgresql (tools/setup.sh installs them)" >&2
  exit 1
fi

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:?usage: pg_tmp.sh start|stop|destroy DIR [PORT]}
dir=${2:?missing DIR}
case "$cmd" in
  start)
    port=${3:?missing PORT}
    shift 3
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      mkdir -p "$dir"
      if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
        chmod a+x "$(dirname "$dir")"  # a mktemp -d parent is 0700: let the server through
      fi
      as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_prepared_transactions=16"
    opts+=" -c fsync=off -c full_page_writes=off -c max_connections=50"
    for extra in "$@"; do opts+=" $extra"; done
    as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    ;;
  stop)
    mode=${3:-fast}
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_pg "$bindir/pg_ctl" -D "$dir/data" -m "$mode" -w -t 60 stop >/dev/null || true
    fi
    ;;
  destroy)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "pg_tmp: unknown command '$cmd'" >&2
    exit 2
    ;;
esac
