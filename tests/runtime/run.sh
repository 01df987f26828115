#!/usr/bin/env bash
# tests/runtime/run.sh BINARY - runs the runtime's test binary against a
# private PostgreSQL and MariaDB: starts both in a fresh temporary
# directory, exports their DSNs, runs BINARY with leak detection, and stops
# both servers on every way out (success, failure, Ctrl-C).  Run from the
# repository root.
set -u
bin=${1:?usage: run.sh TEST_BINARY}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wellos-runtime-test.XXXXXX")

stop_servers() {
    bash tests/servers/pg.sh stop "$tmp/pg" || true
    bash tests/servers/mariadb.sh stop "$tmp/mariadb" || true
    rm -rf "$tmp"
}
trap stop_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bash tests/servers/pg.sh start "$tmp/pg" || exit 1
bash tests/servers/mariadb.sh start "$tmp/mariadb" || exit 1
. "$tmp/pg/env"
. "$tmp/mariadb/env"

# lsan.supp names library functions only (see its comments), never ours.
# The binary runs in the background so that a signal to this script is
# handled at once (bash delays traps until a foreground child ends).
ASAN_OPTIONS=detect_leaks=1 \
LSAN_OPTIONS=suppressions=$PWD/tests/runtime/lsan.supp:print_suppressions=0 \
UBSAN_OPTIONS=print_stacktrace=1 \
    "$bin" &
child=$!
trap 'kill "$child" 2>/dev/null; exit 130' INT
trap 'kill "$child" 2>/dev/null; exit 143' TERM
wait "$child"
