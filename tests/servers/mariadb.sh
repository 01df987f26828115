#!/usr/bin/env bash
# tests/servers/mariadb.sh start|stop DIR - a private MariaDB for tests:
# data, socket, pid file and log in DIR, on 127.0.0.1 on a free port.
# `start` writes DIR/env (WR_TEST_MYSQL_DSN, MYSQL_UNIX_PORT) for the tests
# to source.  `stop` stops it by its pid file.
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
    port=$(free_port)
    mariadbd --no-defaults --user="$(id -un)" --datadir="$dir/data" --socket="$dir/mysql.sock" \
        --port="$port" --bind-address=127.0.0.1 --pid-file="$dir/mariadb.pid" \
        --log-error="$dir/server.log" --innodb-flush-log-at-trx-commit=0 \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_bin >/dev/null 2>&1 &
    if ! wait_for 60 mariadb-admin --no-defaults --socket="$dir/mysql.sock" -uroot ping; then
        echo "mariadb did not answer" >&2
        cat "$dir/server.log" >&2
        exit 1
    fi
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
