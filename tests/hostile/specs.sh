#!/bin/sh
# tests/hostile/specs.sh - seeded property test: for seeds 1..N (default 30,
# HOSTILE_SPECS=N; HOSTILE_SEEDS="3 17" runs those seeds only) generate a
# random valid spec with hostile adapter table and column names
# (tests/hostile/gen_spec.awk), then
#   1. ./wellosc check            must exit 0
#   2. ./wellosc gen              into a temp dir
#   3. cc -std=c11 -Wall -Wextra -Werror -c   every generated .c
#   4. ddl_postgres.sql + t_pg_schema.sql on a private PostgreSQL,
#      ddl_mysql.sql + t_my_schema.sql on a private MariaDB (a fresh
#      database per seed)
#   5. a harness linked with the generated code and build/libwellosrt.a
#      calls, for every tenant and entity, find_by_id, every find_by_<unique>,
#      count, find_all and delete once on the empty tables: none may fail.
# Run from the top of the source tree after `make`.  POSIX sh + awk + cc.
# HOSTILE_KEEP=1 keeps the work directory.
set -u
cd "$(dirname "$0")/../.." || exit 2
top=$(pwd)
N=${HOSTILE_SPECS:-30}
seeds=${HOSTILE_SEEDS:-$(awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) print i }')}
CC=${CC:-cc}
[ -x ./wellosc ] && [ -f build/libwellosrt.a ] || { echo "hostile-specs: run make first" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/hostile.XXXXXX")
chmod 755 "$work"
stop() {
    bash tests/servers/pg.sh stop "$work/pg" >/dev/null 2>&1
    bash tests/servers/mariadb.sh stop "$work/my" >/dev/null 2>&1
    [ "${HOSTILE_KEEP:-0}" = 1 ] && echo "hostile-specs: kept $work" || rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

bash tests/servers/pg.sh start "$work/pg" >"$work/pg.log" 2>&1 || { cat "$work/pg.log"; echo "hostile-specs: no postgres" >&2; exit 2; }
bash tests/servers/mariadb.sh start "$work/my" >"$work/my.log" 2>&1 || { cat "$work/my.log"; echo "hostile-specs: no mariadb" >&2; exit 2; }
. "$work/pg/env"
. "$work/my/env"

pg_sql() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$2" >>"$log" 2>&1; }
my_sql() { mariadb --protocol=tcp -h 127.0.0.1 -P "$WR_TEST_MYSQL_PORT" -u root --default-character-set=utf8mb4 "$1" <"$2" >>"$log" 2>&1; }

pass=0 fail=0 failed=""
for seed in $seeds; do
    d=$work/s$seed
    mkdir -p "$d/out"
    log=$d/log
    : >"$log"
    awk -v seed="$seed" -v spec="$d/spec.wmap" -v harness="$d/harness.c" -v pgschemas="$d/pg_schemas.sql" -v avoid="${HOSTILE_AVOID:-}" \
        -f tests/hostile/gen_spec.awk
    step=""
    if ! ./wellosc check "$d/spec.wmap" >>"$log" 2>&1; then step="wellosc check"
    elif ! ./wellosc gen -o "$d/out" "$d/spec.wmap" >>"$log" 2>&1; then step="wellosc gen"
    else
        objs=""
        for c in "$d"/out/*.c; do
            o=${c%.c}.o
            if ! $CC -std=c11 -Wall -Wextra -Werror -Iruntime -I"$d/out" -c "$c" -o "$o" >>"$log" 2>&1; then
                step="cc $(basename "$c")"; break
            fi
            objs="$objs $o"
        done
        db=hostile_$seed
        if [ -z "$step" ]; then
            PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >>"$log" 2>&1 || step="createdb"
            echo "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db CHARACTER SET utf8mb4;" >"$d/mkdb.sql"
            [ -n "$step" ] || my_sql mysql "$d/mkdb.sql" || step="mariadb create database"
        fi
        [ -n "$step" ] || pg_sql "$db" "$d/out/ddl_postgres.sql" || step="postgres: ddl_postgres.sql"
        [ -n "$step" ] || pg_sql "$db" "$d/pg_schemas.sql" || step="postgres: create schemas"
        [ -n "$step" ] || pg_sql "$db" "$d/out/t_pg_schema.sql" || step="postgres: t_pg_schema.sql"
        [ -n "$step" ] || my_sql "$db" "$d/out/ddl_mysql.sql" || step="mariadb: ddl_mysql.sql"
        [ -n "$step" ] || my_sql "$db" "$d/out/t_my_schema.sql" || step="mariadb: t_my_schema.sql"
        if [ -z "$step" ]; then
            # shellcheck disable=SC2086
            $CC -std=c11 -Iruntime -I"$d/out" -o "$d/harness" "$d/harness.c" $objs build/libwellosrt.a \
                -lpq -lmariadb -lsybdb -lm -ljansson >>"$log" 2>&1 || step="link harness"
        fi
        if [ -z "$step" ]; then
            HOSTILE_PG_DSN="host=$PGHOST port=$PGPORT user=postgres dbname=$db" \
            HOSTILE_MY_DSN="host=127.0.0.1 port=$WR_TEST_MYSQL_PORT user=root dbname=$db" \
                "$d/harness" >>"$log" 2>&1 || step="repository calls"
        fi
    fi
    if [ -z "$step" ]; then
        pass=$((pass + 1)); echo "seed $seed: pass"
    else
        fail=$((fail + 1)); failed="$failed $seed"
        echo "seed $seed: FAIL at $step"
        sed 's/^/    | /' "$log" | head -20
        cp "$d/spec.wmap" "$work/failed-seed-$seed.wmap" 2>/dev/null
    fi
done
echo "hostile-specs: $pass passed, $fail failed${failed:+ (seeds:$failed; rerun one with HOSTILE_SEEDS=N HOSTILE_KEEP=1)}"
[ "$fail" -eq 0 ]
