#!/usr/bin/env bash
# tests/hostile/specs.sh - seeded property test: for each seed (1..N,
# N=HOSTILE_SPECS, 30 by default; HOSTILE_SEED=S starts at S instead of 1;
# HOSTILE_SEEDS="3 17" runs those seeds only) generate a random valid spec
# with hostile client table and column names (tests/hostile/gen_spec.awk):
# adapter tenants on MariaDB and PostgreSQL, and two etl tenants (source
# mysql and source postgres, target postgres).  Then
#   1. ./wellosc check            must exit 0
#   2. ./wellosc gen              into a temp dir
#   3. cc -std=c11 -Wall -Wextra -Werror -c   every generated .c
#   4. ddl_postgres.sql + t_pg_schema.sql on a private PostgreSQL,
#      ddl_mysql.sql + t_my_schema.sql on a private MariaDB (a fresh
#      database per seed)
#   5. a harness linked with the generated code and build/libwellosrt.a
#      calls, for every adapter tenant and entity, find_by_id, every
#      find_by_<unique>, count, find_all and delete once on the empty tables:
#      none may fail.
#   6. for each etl tenant:
#      a. ./wellosc build --tenant T (its C compiled with -Werror, linked)
#      b. the source tables made from the spec's sync blocks, in a fresh
#         source database; a fresh target database; agent --init
#      c. every statement of `./wellosc plan --tenant T`, taken generically
#         from its '-- [source D]' / '-- [target postgres]' steps, prepared
#         on its server (or, where PostgreSQL cannot prepare it, run in a
#         transaction that is rolled back): build/tests/hostile/plan_check
#      d. agent --once on the empty source: exit 0, every target table empty
#      e. two rows per source table (one where a unique field has a single
#         possible value), agent --once: exit 0, the target holds exactly
#         those rows (live, for 'deletes soft'), no reject
#      f. agent --once again: exit 0, the same rows, none written
# Run from the top of the source tree after `make` (the Makefile target
# hostile-specs builds what it needs).  HOSTILE_KEEP=1 keeps the work
# directory.  Prints a PASS or FAIL line per seed and a summary line.
set -eu
cd "$(dirname "$0")/../.."
N=${HOSTILE_SPECS:-30}
first=${HOSTILE_SEED:-1}
seeds=${HOSTILE_SEEDS:-$(seq "$first" $((first + N - 1)))}
[ -n "$seeds" ] || { echo "hostile-specs: no seed to run (HOSTILE_SPECS=$N)" >&2; exit 2; }
CC=${CC:-cc}
plan_check=build/tests/hostile/plan_check
for f in ./wellosc build/libwellosrt.a "$plan_check"; do
    [ -x "$f" ] || [ -f "$f" ] || { echo "hostile-specs: $f is missing: run make hostile-specs" >&2; exit 2; }
done
t_start=$SECONDS

work=$(mktemp -d "${TMPDIR:-/tmp}/hostile.XXXXXX")
chmod 755 "$work"
stop() {
    bash tests/servers/pg.sh stop "$work/pg" >/dev/null 2>&1 || true
    bash tests/servers/mariadb.sh stop "$work/my" >/dev/null 2>&1 || true
    if [ "${HOSTILE_KEEP:-0}" = 1 ]; then echo "hostile-specs: kept $work"; else rm -rf "$work"; fi
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bash tests/servers/pg.sh start "$work/pg" >"$work/pg.log" 2>&1 &
pg_pid=$!
bash tests/servers/mariadb.sh start "$work/my" >"$work/my.log" 2>&1 &
my_pid=$!
wait $pg_pid || { cat "$work/pg.log"; echo "hostile-specs: no postgres" >&2; exit 2; }
wait $my_pid || { cat "$work/my.log"; echo "hostile-specs: no mariadb" >&2; exit 2; }
. "$work/pg/env"
. "$work/my/env"
export PGOPTIONS="-c client_min_messages=warning"
pg_dsn() { echo "host=$PGHOST port=$PGPORT user=postgres dbname=$1"; }
my_dsn() { echo "host=127.0.0.1 port=$WR_TEST_MYSQL_PORT user=root dbname=$1"; }

# pg_sql DB FILE, my_sql DB FILE: run a file, output to the seed's log
pg_sql() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$2" >>"$log" 2>&1; }
my_sql() { mariadb --protocol=tcp -h 127.0.0.1 -P "$WR_TEST_MYSQL_PORT" -u root --default-character-set=utf8mb4 "$1" <"$2" >>"$log" 2>&1; }
pg_fresh() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >>"$log" 2>&1; }
my_fresh() {
    echo "DROP DATABASE IF EXISTS $1; CREATE DATABASE $1 CHARACTER SET utf8mb4;" >"$work/mkdb.sql"
    my_sql mysql "$work/mkdb.sql"
}

# ---- plan_check must catch a statement the server refuses -----------------------
# (so that a pass below means the statements were checked)
cat >"$work/selftest.plan" <<'PLAN'
-- == a plan with one valid and two broken statements ==

-- [target postgres] valid
SELECT count(*) FROM pg_class WHERE relname = $1;

-- [target postgres] a column that is not there
SELECT "no such column" FROM pg_class;

-- [source mysql] a table that is not there
SELECT `id` FROM `no such table` WHERE `id` >= ?;
PLAN
log=$work/selftest.log
: >"$log"
my_fresh hostile_selftest || { cat "$log"; echo "hostile-specs: mariadb: cannot create a database" >&2; exit 2; }
st=0
"$plan_check" "$work/selftest.plan" "$(pg_dsn postgres)" "$(my_dsn hostile_selftest)" >"$work/selftest.out" 2>&1 || st=$?
if [ "$st" = 1 ] && grep -q 'does not exist' "$work/selftest.out" && grep -q "doesn't exist" "$work/selftest.out" \
    && tail -1 "$work/selftest.out" | grep -qx 'plan_check: postgres 1 prepared, 0 run; mysql 0 prepared, 0 run; 2 failed'; then
    echo "PASS plan_check self-test: both broken statements caught with the servers' errors"
else
    echo "FAIL plan_check self-test: exit $st, expected 1 and two failures:"
    sed 's/^/    | /' "$work/selftest.out"
    exit 1
fi

# ---- the etl tenants of a seed ----------------------------------------------------
# counts DB EXPECT: "TABLE ROWS KEYS" per synced entity (live rows for
# deletes soft; their keys sorted, comma-separated), then "rejects N" and
# "written N" (rows written by the last run)
counts() {
    local db=$1 exp=$2 q="" table soft n keys
    while IFS=$'\t' read -r table soft n keys; do
        q="$q SELECT '$table', count(*), string_agg(id::text, ',' ORDER BY id::text COLLATE \"C\") FROM $table"
        [ "$soft" = - ] || q="$q WHERE $soft IS NULL"
        q="$q UNION ALL"
    done <"$exp"
    q="$q SELECT 'rejects', count(*), NULL FROM wellos_sync_rejects UNION ALL"
    q="$q SELECT 'written', coalesce(sum(rows_written), 0), NULL FROM wellos_sync_state"
    psql -X -A -t -F ' ' -q -v ON_ERROR_STOP=1 -d "$db" -c "$q" 2>&1
}
# expected all|none WRITTEN: the counts when the target holds every source
# row (all) or none, no reject, and WRITTEN rows written by the last run
expected() {
    local table soft n keys
    while IFS=$'\t' read -r table soft n keys; do
        if [ "$1" = all ]; then
            echo "$table $n $(echo "$keys" | tr , '\n' | LC_ALL=C sort | paste -sd , -)"
        else
            echo "$table 0 "
        fi
    done <"$exp"
    echo "rejects 0 "
    echo "written $2 "
}
# agent_run NAME: agent --once, its output in $d/$t.NAME.log
agent_run() {
    local rc=0
    "$agent" --once >"$d/$t.$1.log" 2>&1 </dev/null || rc=$?
    if [ "$rc" != 0 ]; then
        step="$t: agent --once ($1) exited $rc"
        tail -5 "$d/$t.$1.log" >>"$log"
        return 1
    fi
}
# after NAME all|none WRITTEN: the target's rows after run NAME
after() {
    counts "$tdb" "$exp" >"$d/$t.$1.counts" || true
    expected "$2" "$3" >"$d/$t.$1.expected"
    if ! diff "$d/$t.$1.expected" "$d/$t.$1.counts" >"$d/$t.$1.diff"; then
        step="$t: the target after the $1 run differs (- expected, + actual)"
        diff -u "$d/$t.$1.expected" "$d/$t.$1.counts" | tail -n +3 >>"$log" || true
        psql -X -A -t -q -d "$tdb" -c "SELECT entity, source_key, reason FROM wellos_sync_rejects LIMIT 5" >>"$log" 2>&1 || true
        tail -3 "$d/$t.$1.log" >>"$log"
        return 1
    fi
}
# etl TENANT DIALECT: steps 6a-f for one etl tenant of seed $seed in $d
etl() {
    t=$1
    local dialect=$2 sdb=hostile_${seed}_${1#t_etl_}_src src_dsn counts_line
    tdb=hostile_${seed}_${1#t_etl_}_tgt
    agent=$d/wellos-sync-$t
    exp=$d/$t.expect
    local up
    up=$(echo "${t#t_etl_}" | tr a-z A-Z)
    ./wellosc build -o "$agent" --tenant "$t" "$d/spec.wmap" >>"$log" 2>&1 || { step="$t: wellosc build"; return 1; }
    ./wellosc plan --tenant "$t" "$d/spec.wmap" >"$d/$t.plan" 2>>"$log" || { step="$t: wellosc plan"; return 1; }
    pg_fresh "$tdb" || { step="$t: create the target database"; return 1; }
    if [ "$dialect" = mysql ]; then
        my_fresh "$sdb" && my_sql "$sdb" "$d/$t.src.sql" || { step="$t: mariadb: the source tables"; return 1; }
        src_dsn=$(my_dsn "$sdb")
    else
        pg_fresh "$sdb" && pg_sql "$sdb" "$d/$t.src.sql" || { step="$t: postgres: the source tables"; return 1; }
        src_dsn=$(pg_dsn "$sdb")
    fi
    export "HOSTILE_ETL_${up}_SOURCE=$src_dsn" "HOSTILE_ETL_${up}_TARGET=$(pg_dsn "$tdb")"
    "$agent" --init >"$d/$t.init.log" 2>&1 </dev/null || { step="$t: agent --init"; cat "$d/$t.init.log" >>"$log"; return 1; }

    "$plan_check" "$d/$t.plan" "$(pg_dsn "$tdb")" "$src_dsn" >"$d/$t.check" 2>&1 || {
        step="$t: the plan's statements on the servers ($d/$t.plan)"
        cat "$d/$t.check" >>"$log"
        return 1
    }
    counts_line=$(tail -1 "$d/$t.check")
    # plan_check: postgres P prepared, R run; mysql P prepared, R run; 0 failed
    read -r pg_p pg_r my_p my_r _ < <(echo "$counts_line" | sed -E 's/[^0-9]+/ /g')
    n_pg_prepared=$((n_pg_prepared + pg_p)) n_pg_run=$((n_pg_run + pg_r))
    n_my_prepared=$((n_my_prepared + my_p)) n_my_run=$((n_my_run + my_r))
    n_tenants=$((n_tenants + 1))
    n_seed_statements=$((n_seed_statements + pg_p + pg_r + my_p + my_r))

    agent_run empty && after empty none 0 || return 1
    if [ "$dialect" = mysql ]; then my_sql "$sdb" "$d/$t.rows.sql"; else pg_sql "$sdb" "$d/$t.rows.sql"; fi \
        || { step="$t: the source rows"; return 1; }
    agent_run rows && after rows all "$(awk -F '\t' '{ n += $3 } END { print n + 0 }' "$exp")" || return 1
    agent_run again && after again all 0 || return 1
}

# ---- the seeds ------------------------------------------------------------------
pass=0 fail=0 failed=""
n_tenants=0 n_pg_prepared=0 n_pg_run=0 n_my_prepared=0 n_my_run=0
for seed in $seeds; do
    d=$work/s$seed
    mkdir -p "$d/out"
    log=$d/log
    : >"$log"
    n_seed_statements=0
    awk -v seed="$seed" -v spec="$d/spec.wmap" -v harness="$d/harness.c" -v pgschemas="$d/pg_schemas.sql" \
        -v etldir="$d" -v avoid="${HOSTILE_AVOID:-}" -v known="${HOSTILE_KNOWN:-}" -f tests/hostile/gen_spec.awk
    step=""
    if ! ./wellosc check "$d/spec.wmap" >>"$log" 2>&1; then step="wellosc check"
    elif ! ./wellosc gen -o "$d/out" "$d/spec.wmap" >>"$log" 2>&1; then step="wellosc gen"
    else
        objs=()
        for c in "$d"/out/*.c; do
            o=${c%.c}.o
            if ! $CC -std=c11 -Wall -Wextra -Werror -Iruntime -I"$d/out" -c "$c" -o "$o" >>"$log" 2>&1; then
                step="cc $(basename "$c")"; break
            fi
            case $c in *_sync.c) ;; *) objs+=("$o") ;; esac   # an etl agent: it has a main()
        done
        db=hostile_$seed
        [ -n "$step" ] || pg_fresh "$db" || step="createdb"
        [ -n "$step" ] || my_fresh "$db" || step="mariadb create database"
        [ -n "$step" ] || pg_sql "$db" "$d/out/ddl_postgres.sql" || step="postgres: ddl_postgres.sql"
        [ -n "$step" ] || pg_sql "$db" "$d/pg_schemas.sql" || step="postgres: create schemas"
        [ -n "$step" ] || pg_sql "$db" "$d/out/t_pg_schema.sql" || step="postgres: t_pg_schema.sql"
        [ -n "$step" ] || my_sql "$db" "$d/out/ddl_mysql.sql" || step="mariadb: ddl_mysql.sql"
        [ -n "$step" ] || my_sql "$db" "$d/out/t_my_schema.sql" || step="mariadb: t_my_schema.sql"
        if [ -z "$step" ]; then
            $CC -std=c11 -Iruntime -I"$d/out" -o "$d/harness" "$d/harness.c" "${objs[@]}" build/libwellosrt.a \
                -lpq -lmariadb -lsybdb -lm -ljansson >>"$log" 2>&1 || step="link harness"
        fi
        if [ -z "$step" ]; then
            HOSTILE_PG_DSN=$(pg_dsn "$db") HOSTILE_MY_DSN=$(my_dsn "$db") \
                "$d/harness" >>"$log" 2>&1 || step="repository calls"
        fi
        [ -n "$step" ] || etl t_etl_my mysql || true
        [ -n "$step" ] || etl t_etl_pg postgres || true
    fi
    if [ -z "$step" ]; then
        pass=$((pass + 1))
        echo "PASS seed $seed: repositories, DDL, 2 etl tenants ($n_seed_statements plan statements, 3 agent runs each)"
    else
        fail=$((fail + 1)); failed="$failed $seed"
        echo "FAIL seed $seed at $step"
        sed 's/^/    | /' "$log" | head -40
        cp "$d/spec.wmap" "$work/failed-seed-$seed.wmap" 2>/dev/null || true
    fi
done
echo "hostile-specs: $pass passed, $fail failed${failed:+ (seeds:$failed; rerun one with HOSTILE_SEEDS=N HOSTILE_KEEP=1)};" \
     "etl: $n_tenants tenants, postgres $n_pg_prepared statements prepared + $n_pg_run run and rolled back," \
     "mariadb $n_my_prepared prepared + $n_my_run run and rolled back; $((SECONDS - t_start)) s"
[ "$fail" -eq 0 ]
