#!/usr/bin/env bash
# tests/servers/pg.sh start|stop DIR - a private PostgreSQL 15 for tests:
# its data, socket and log in DIR, listening on 127.0.0.1 on a free port.
# `start` writes DIR/env (PGHOST, PGPORT, PGUSER, WR_TEST_PG_DSN) for the
# tests to source.  `stop` stops it by its pid file.  PostgreSQL refuses to
# run as root, so as root it runs as the postgres user.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
bin=/usr/lib/postgresql/15/bin
cmd=${1:?usage: pg.sh start|stop DIR}
dir=${2:?usage: pg.sh start|stop DIR}

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $cmd in
start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
        # the postgres user must be able to reach DIR (mktemp -d makes 0700)
        chmod a+x "$(dirname "$dir")"
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    for try in $(seq 1 $START_TRIES); do
        port=$(free_port)
        rm -f "$dir/server.log"
        as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
            start >"$dir/pg_ctl.log" 2>&1 && break
        # someone took the port between the probe and the bind: another one
        if [ "$try" -lt $START_TRIES ] && grep -q "Address already in use" "$dir/server.log"; then
            continue
        fi
        cat "$dir/pg_ctl.log" "$dir/server.log" >&2
        exit 1
    done
    wait_for 30 "$bin/pg_isready" -h "$dir" -p "$port" || { echo "postgres did not answer" >&2; exit 1; }
    cat >"$dir/env" <<ENV
export PGHOST=$dir PGPORT=$port PGUSER=postgres PGDATABASE=postgres
export WR_TEST_PG_DSN="host=$dir port=$port user=postgres dbname=postgres"
ENV
    echo "postgres: listening on 127.0.0.1:$port and $dir/.s.PGSQL.$port"
    ;;
stop)
    [ -f "$dir/data/postmaster.pid" ] || exit 0
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
*)
    echo "usage: pg.sh start|stop DIR" >&2
    exit 2
    ;;
esac
