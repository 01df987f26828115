#!/usr/bin/env bash
# tests/servers/mariadb.sh start|stop DIR - a private MariaDB for tests:
# data, socket, pid file and log in DIR, on 127.0.0.1 on a free port.
# `start` writes DIR/env (WR_TEST_MYSQL_DSN, MYSQL_UNIX_PORT) for the tests
# to source.  `stop` stops it by its pid file.  WR_MARIADB_OPTIONS, if set,
# adds server options (words, e.g. --innodb-buffer-pool-size=2G).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
cmd=${1:?usage: mariadb.sh start|stop DIR}
dir=${2:?usage: mariadb.sh start|stop DIR}

case $cmd in
start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$dir/data" \
        --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 \
        || { cat "$dir/install.log" >&2; exit 1; }
    for try in $(seq 1 $START_TRIES); do
        port=$(free_port)
        : >"$dir/server.log"
        mariadbd --no-defaults --user="$(id -un)" --datadir="$dir/data" --socket="$dir/mysql.sock" \
            --port="$port" --bind-address=127.0.0.1 --pid-file="$dir/mariadb.pid" \
            --log-error="$dir/server.log" --innodb-flush-log-at-trx-commit=0 \
            --character-set-server=utf8mb4 --collation-server=utf8mb4_bin ${WR_MARIADB_OPTIONS:-} >/dev/null 2>&1 &
        server=$!
        # up, or exited (a taken port ends it within a second or so)
        deadline=$((SECONDS + 60))
        until mariadb-admin --no-defaults --socket="$dir/mysql.sock" -uroot ping >/dev/null 2>&1; do
            kill -0 "$server" 2>/dev/null && [ $SECONDS -lt $deadline ] || break
            sleep 0.2
        done
        if mariadb-admin --no-defaults --socket="$dir/mysql.sock" -uroot ping >/dev/null 2>&1; then
            break
        fi
        if ! kill -0 "$server" 2>/dev/null && [ "$try" -lt $START_TRIES ] \
            && grep -q "Address already in use\|Can't start server: Bind" "$dir/server.log"; then
            continue
        fi
        echo "mariadb did not answer" >&2
        cat "$dir/server.log" >&2
        exit 1
    done
    cat >"$dir/env" <<ENV
export MYSQL_UNIX_PORT=$dir/mysql.sock WR_TEST_MYSQL_PORT=$port
export WR_TEST_MYSQL_DSN="host=127.0.0.1 port=$port user=root dbname=mysql"
ENV
    echo "mariadb: listening on 127.0.0.1:$port and $dir/mysql.sock"
    ;;
stop)
    [ -f "$dir/mariadb.pid" ] || exit 0
    pid=$(cat "$dir/mariadb.pid")
    kill "$pid" 2>/dev/null || exit 0
    for _ in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || exit 0
        sleep 0.1
    done
    echo "mariadb $pid did not stop; killing it" >&2
    kill -9 "$pid" 2>/dev/null || true
    ;;
*)
    echo "usage: mariadb.sh start|stop DIR" >&2
    exit 2
    ;;
esac
