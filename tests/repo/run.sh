#!/usr/bin/env bash
# tests/repo/run.sh BINDIR - runs the repository integration tests in BINDIR
# (test_gulf_native, test_permian_ops, test_anadarko_pg, test_bakken_pg,
# test_north_sea_oracle) against a private PostgreSQL and MariaDB: starts
# both in a fresh temporary directory, creates each tenant's schema from
# generated/ (the etl tenant bakken_pg's target with its own sync agent,
# built by ./wellosc: --init), exports the DSN variables the specs name,
# runs every binary
# with leak detection, prints each one's CUnit summary, and stops both
# servers on every way out (success, failure, Ctrl-C).  Exits non-zero when
# any binary failed.  Run from the repository root.
set -u
bindir=${1:?usage: run.sh BINDIR}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wellos-repo-test.XXXXXX")
child=

stop_servers() {
    [ -n "$child" ] && kill "$child" 2>/dev/null
    bash tests/servers/pg.sh stop "$tmp/pg" || true
    bash tests/servers/mariadb.sh stop "$tmp/mariadb" || true
    rm -rf "$tmp"
}
trap stop_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
    echo "repo-test: $*" >&2
    exit 1
}

bash tests/servers/pg.sh start "$tmp/pg" || fail "cannot start PostgreSQL"
bash tests/servers/mariadb.sh start "$tmp/mariadb" || fail "cannot start MariaDB"
. "$tmp/pg/env"
. "$tmp/mariadb/env"

psql_run() { # DATABASE [psql arguments...]
    local db=$1; shift
    PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@" >/dev/null
}
mariadb_run() { # [mariadb arguments...]
    mariadb --no-defaults --socket="$MYSQL_UNIX_PORT" -uroot "$@"
}

# gulf_native: the canonical tables, and the database marked for the
# tenant; the DDL must be idempotent.
psql_run postgres -c 'CREATE DATABASE gulf' || fail "cannot create database gulf"
for pass in 1 2; do
    psql_run gulf -f generated/gulf_native/ddl_postgres.sql \
        || fail "generated/gulf_native/ddl_postgres.sql failed on pass $pass (it must be idempotent)"
done
# bakken_pg (etl): its target as the tenant's own sync agent makes it:
# --init creates the canonical tables, its own, and the marker.
psql_run postgres -c 'CREATE DATABASE bakken' || fail "cannot create database bakken"
./wellosc build -o "$tmp/wellos-sync-bakken_pg" examples/bakken_pg.wmap \
    || fail "cannot build the sync agent of examples/bakken_pg.wmap"
export BAKKEN_TARGET_DSN="host=127.0.0.1 port=$PGPORT user=postgres dbname=bakken application_name=wellos-repo-test"
"$tmp/wellos-sync-bakken_pg" --init >"$tmp/bakken-init.log" 2>&1 \
    || { cat "$tmp/bakken-init.log"; fail "the agent's --init failed on database bakken"; }
# anadarko_pg: the client's tables in schema field.
psql_run postgres -c 'CREATE DATABASE anadarko' || fail "cannot create database anadarko"
psql_run anadarko -c 'CREATE SCHEMA field' || fail "cannot create schema field"
psql_run anadarko -f generated/anadarko_pg/anadarko_pg_schema.sql \
    || fail "generated/anadarko_pg/anadarko_pg_schema.sql failed"
# permian_ops: the client's MySQL tables.
mariadb_run -e 'CREATE DATABASE permian' || fail "cannot create database permian"
mariadb_run permian <generated/permian_ops/permian_ops_schema.sql \
    || fail "generated/permian_ops/permian_ops_schema.sql failed"

# The servers' own time zones are not UTC (and have DST): the runtime must
# make every session UTC, or timestamps and "default now" come out shifted.
# Nor do they print dates as ISO or floats exactly: the runtime must pin
# the output formats it reads, or a European DBA's DateStyle breaks every
# read of a date, and extra_float_digits 0 rounds every float read back.
for db in gulf anadarko bakken; do
    psql_run postgres -c "ALTER DATABASE $db SET timezone TO 'America/New_York'" \
        -c "ALTER DATABASE $db SET datestyle TO 'SQL, DMY'" \
        -c "ALTER DATABASE $db SET extra_float_digits TO 0" || fail "cannot set $db's time zone and output formats"
done
mariadb_run -e "SET GLOBAL time_zone = '-05:00'" || fail "cannot set MariaDB's time zone"
# A DBA's autocommit = 0 (in my.cnf, for applications that commit): a
# session of the runtime must still commit each statement, or writes are
# lost at disconnect and a long session reads one old snapshot.
# (A lock wait then ends in 3 s, not 50: such a regression fails, not hangs.)
mariadb_run -e "SET GLOBAL autocommit = 0, GLOBAL innodb_lock_wait_timeout = 3" || fail "cannot set MariaDB's autocommit"

# The DSNs, as the specs name them: libpq conninfo for PostgreSQL, the
# runtime's key=value form for MySQL (runtime/wr_mysql.c).
export GULF_DSN="host=127.0.0.1 port=$PGPORT user=postgres dbname=gulf application_name=wellos-repo-test"
export ANADARKO_DSN="host=127.0.0.1 port=$PGPORT user=postgres dbname=anadarko application_name=wellos-repo-test"
export PERMIAN_DSN="host=127.0.0.1 port=$WR_TEST_MYSQL_PORT user=root dbname=permian connect_timeout=10"

status=0
summary=""
for name in test_gulf_native test_permian_ops test_anadarko_pg test_bakken_pg test_north_sea_oracle; do
    bin=$bindir/$name
    [ -x "$bin" ] || fail "$bin is missing: build it first"
    echo "== $name"
    # lsan.supp names client-library functions only, never ours.  The
    # binary runs in the background so that a signal to this script is
    # handled at once (bash delays traps until a foreground child ends).
    ASAN_OPTIONS=detect_leaks=1 \
    LSAN_OPTIONS=suppressions=$PWD/tests/runtime/lsan.supp:print_suppressions=0 \
    UBSAN_OPTIONS=print_stacktrace=1 \
        "$bin" >"$tmp/$name.out" 2>&1 &
    child=$!
    trap 'kill "$child" 2>/dev/null; exit 130' INT
    trap 'kill "$child" 2>/dev/null; exit 143' TERM
    wait "$child"
    rc=$?
    child=
    cat "$tmp/$name.out"
    if [ "$rc" -ne 0 ]; then
        status=1
        summary+="$name: FAILED (exit status $rc)"$'\n'
    else
        summary+="$name: passed"$'\n'
    fi
    summary+=$(sed -n '/^Run Summary/,/^ *asserts/p' "$tmp/$name.out")$'\n'
done

echo
echo "== repo-test summary"
printf '%s' "$summary"
exit $status
