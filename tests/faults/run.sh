#!/usr/bin/env bash
# tests/faults/run.sh [WELLOSC] - fault tests of a generated sync agent
# (examples/eagle_ford.wmap, MariaDB -> PostgreSQL) on real servers, started
# privately for the run (tests/servers/) and always stopped:
#
#   target_restart  the target PostgreSQL restarted (pg_ctl restart -m fast)
#                   in the middle of a --once load of 200,000 rows
#   source_restart  the source MariaDB stopped (SIGTERM to its pid) and
#                   started again, same datadir/socket/port, mid-extract
#   loop_restart    the target restarted during the first run of the loop:
#                   the agent retries with backoff, converges, and stops on
#                   SIGTERM with exit 0
#   kill9_random    kill -9 of the agent at 20 seeded random instants of a
#                   load (FAULTS_KILLS, FAULTS_SEED); after each, whole
#                   batches only, and the next run converges exactly
#
# and, each into a target that already holds the wells and the first
# N_SMALL volumes (a first run on small_src; the faulted run reads
# fault_src, the same tables grown to 200,000 volumes, all past the
# watermark), so that the load is a re-sync committed batch by batch:
#
#   target_terminate  pg_terminate_backend() of the agent's target session
#                     (the holder of its advisory lock) mid-load, --once;
#                     then a second --once
#   loop_terminate    the same in loop mode: retry with backoff, converge,
#                     no restart of the agent
#   source_kill_loop  MariaDB KILL of the agent's extract session, in loop
#                     mode (the --once case is tests/e2e's eagle_source_cut)
#   lock_timeout_once a psql session holds LOCK TABLE production_data IN
#                     ACCESS EXCLUSIVE MODE mid-load; the agent runs with
#                     --lock-timeout 1 and fails within seconds (55P03)
#   lock_timeout_loop then, on that target, the loop, the lock taken again
#                     and released after 3 s: retry, converge, no restart
#   target_frozen     the target's postmaster stopped (SIGSTOP): the agent
#                     gives up connecting after its default connect_timeout
#                     (10 s) and says so; after SIGCONT the next run works
#   target_sessions_frozen  the agent's target backends stopped (SIGSTOP)
#                     mid-load, the DSN's read_timeout=2: the run fails 2 s
#                     into the silence, whole batches only; then converges
#
# Each case ends with an exact comparison of the target's rows with the rows
# expected from the source (the spec's mapping applied by MariaDB, as in
# tests/e2e/run.sh), so a row lost or duplicated fails it.  Prints one line
# per check and "faults: N passed, M failed"; exits 1 if any failed.
# FAULTS_KEEP=DIR keeps every output (agent logs, dumps, diffs) in DIR.
set -u
cd "$(dirname "$0")/../.."
wellosc=${1:-./wellosc}
wellosc=$(cd "$(dirname "$wellosc")" && pwd)/$(basename "$wellosc")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wellos-faults.XXXXXX")
out=$tmp/out
mkdir -p "$out"
passed=0
failed=0
bg=""
t_start=$SECONDS

lock_holder=""

stop_all() {
    [ -n "${frozen:-}" ] && kill -CONT "$frozen" 2>/dev/null
    [ -n "${frozen_backends:-}" ] && kill -CONT $frozen_backends 2>/dev/null
    [ -n "$bg" ] && kill -9 $bg 2>/dev/null
    [ -n "$lock_holder" ] && kill -9 $lock_holder 2>/dev/null
    # a server still starting is stopped once up; never a bare `wait`: the
    # restarted mariadbd is a child of this shell
    [ -n "${pg_pid:-}${my_pid:-}" ] && wait ${pg_pid:-} ${my_pid:-} 2>/dev/null
    [ -n "${FAULTS_KEEP:-}" ] && mkdir -p "$FAULTS_KEEP" && cp -r "$out"/. "$FAULTS_KEEP"/ \
        && cp "$tmp/pg/server.log" "$FAULTS_KEEP/pg-server.log" 2>/dev/null \
        && cp "$tmp/mariadb/server.log" "$FAULTS_KEEP/mariadb-server.log" 2>/dev/null
    bash tests/servers/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
    bash tests/servers/mariadb.sh stop "$tmp/mariadb" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { echo "faults: $*" >&2; exit 1; }

# ---- servers and the agent -----------------------------------------------------------
bash tests/servers/pg.sh start "$tmp/pg" >"$tmp/pg.log" 2>&1 &
pg_pid=$!
bash tests/servers/mariadb.sh start "$tmp/mariadb" >"$tmp/mariadb.log" 2>&1 &
my_pid=$!
"$wellosc" build -o "$tmp/wellos-sync-eagle_ford" examples/eagle_ford.wmap || die "wellosc build failed"
eagle=$tmp/wellos-sync-eagle_ford
wait $pg_pid || { pg_pid=""; cat "$tmp/pg.log" >&2; die "postgres did not start"; }
wait $my_pid || { my_pid=""; cat "$tmp/mariadb.log" >&2; die "mariadb did not start"; }
pg_pid="" my_pid=""
. "$tmp/pg/env"
. "$tmp/mariadb/env"
export PGTZ=UTC

my() { local db=$1; shift; mariadb --no-defaults -uroot --socket="$MYSQL_UNIX_PORT" -N -B -r "$db" -e "$*"; }
pg() { local db=$1; shift; psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$db" -c "$*"; }

# the servers' faults ----------------------------------------------------------------
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
restart_pg() {   # pg_ctl restart -m fast, as the owner of the data directory
    as_postgres /usr/lib/postgresql/15/bin/pg_ctl -D "$tmp/pg/data" -l "$tmp/pg/server.log" -m fast -w -t 60 restart \
        >"$out/pg_restart.log" 2>&1
}
# stop MariaDB by its pid file (SIGTERM: a clean shutdown that ends every
# session), then start it again with the arguments of tests/servers/mariadb.sh
restart_mariadb() {
    local d=$tmp/mariadb pid
    pid=$(cat "$d/mariadb.pid") || return 1
    kill -TERM "$pid" || return 1
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { echo "mariadb $pid did not stop" >&2; return 1; }
    mariadbd --no-defaults --user="$(id -un)" --datadir="$d/data" --socket="$d/mysql.sock" \
        --port="$WR_TEST_MYSQL_PORT" --bind-address=127.0.0.1 --pid-file="$d/mariadb.pid" \
        --log-error="$d/server.log" --innodb-flush-log-at-trx-commit=0 \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_bin >/dev/null 2>&1 &
    wait_until 60 mariadb-admin --no-defaults --socket="$d/mysql.sock" -uroot ping >/dev/null 2>&1
}

# ---- the source: tests/e2e/eagle_source.sql's clean wells and 200,000 volumes ----------
N_BIG=200000
BATCH=5000
my mysql "CREATE DATABASE eagle_src CHARACTER SET utf8mb4; CREATE DATABASE fault_src CHARACTER SET utf8mb4" || die "mariadb"
my eagle_src "$(cat tests/e2e/eagle_source.sql)" || die "loading tests/e2e/eagle_source.sql"
my fault_src "CREATE TABLE wells_master LIKE eagle_src.wells_master;
    CREATE TABLE daily_volumes LIKE eagle_src.daily_volumes;
    INSERT INTO wells_master SELECT * FROM eagle_src.wells_master WHERE well_name NOT IN ('Drilling 41', 'No status 42', 'Off the map 43', 'Bad id');
    INSERT INTO daily_volumes
    SELECT seq, CONCAT('ef000000-0000-4000-a000-', LPAD(1 + seq % 40, 12, '0')),
           DATE_FORMAT(DATE '2000-01-01' + INTERVAL (seq DIV 40) DAY, '%d/%m/%Y'),
           CONCAT(seq % 1000, '.', LPAD(seq % 100, 2, '0')), CONCAT(seq % 3000, '.5'), CONCAT(seq % 50),
           TIMESTAMP '2025-01-01 00:00:00' + INTERVAL seq SECOND
    FROM seq_1_to_$N_BIG" || die "fault_src"
for db in f_target f_source f_loop; do pg postgres "CREATE DATABASE $db" || die "createdb $db"; done
my_dsn="host=127.0.0.1 port=$WR_TEST_MYSQL_PORT user=root dbname=fault_src"
pg_dsn="host=$PGHOST port=$PGPORT user=postgres"
export EAGLE_SOURCE_DSN="$my_dsn"

# ---- helpers (as in tests/e2e/run.sh) ------------------------------------------------------
last=none
# run NAME DB ARGS...: the agent on target DB; output in $out/NAME.{out,err}, status in $rc
run() {
    local name=$1 db=$2; shift 2
    last=$name
    EAGLE_TARGET_DSN="$pg_dsn dbname=$db" "$eagle" "$@" >"$out/$name.out" 2>"$out/$name.err" </dev/null
    rc=$?
}
# start NAME DB ARGS...: the agent in the background, its pid in $bg
start() {
    local name=$1 db=$2; shift 2
    last=$name
    # env execs the agent: $! is the agent itself
    env EAGLE_TARGET_DSN="$pg_dsn dbname=$db" "$eagle" "$@" >"$out/$name.out" 2>"$out/$name.err" </dev/null &
    bg=$!
}
ok() { passed=$((passed + 1)); echo "ok    $1"; }
not_ok() {
    failed=$((failed + 1))
    echo "FAIL  $1${2:+: $2}"
    for f in "$out/$last.out" "$out/$last.err"; do [ -s "$f" ] && sed 's/^/      | /' "$f" | tail -6; done
}
check() {   # NAME "what it got" COMMAND...
    local name=$1 got=$2; shift 2
    if "$@"; then ok "$name"; else not_ok "$name" "$got"; fi
}
wait_until() {   # SECONDS COMMAND...
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do [ $SECONDS -ge $deadline ] && return 1; sleep 0.05; done
}
state() { pg "$1" "SELECT $3 FROM wellos_sync_state WHERE entity = '$2'" 2>/dev/null; }
read_at_least() { [ "$(state "$1" ProductionRecord "rows_read >= $2")" = t ]; }
no_agent_lock() { [ "$(pg postgres "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = 0 ]; }
first_error() { grep '"level":"error"' "$out/$1.err" | head -1 | grep -o '"\(error\|msg\|message\)":"[^"]*' | head -1 | cut -c1-220; }

UUID_RE='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
EAGLE_STATUS="CASE LOWER(TRIM(well_status)) WHEN 'producing' THEN 'ACTIVE' WHEN 'shut in' THEN 'INACTIVE'
              WHEN 'plugged' THEN 'PLUGGED' WHEN 'abandoned' THEN 'PLUGGED' END"
exp_rows() {   # every target row the source should give, one canonical line each
    my fault_src "SELECT CONCAT_WS('|', 'W', LOWER(well_uuid), TRIM(well_name), COALESCE(api_no, '~'), COALESCE(lat_deg, '~'),
                    COALESCE(lon_deg, '~'), $EAGLE_STATUS, COALESCE(UPPER(TRIM(lease_name)), '~'),
                    COALESCE(DATE_FORMAT(created, '%Y-%m-%d %H:%i:%s'), '~'))
             FROM wells_master
             WHERE well_uuid REGEXP '$UUID_RE' AND ($EAGLE_STATUS) IS NOT NULL
               AND lat_deg BETWEEN -90 AND 90 AND lon_deg BETWEEN -180 AND 180"
    my fault_src "SELECT CONCAT_WS('|', 'P', volume_id, LOWER(well_uuid), DATE_FORMAT(STR_TO_DATE(prod_day, '%d/%m/%Y'), '%Y-%m-%d'),
                    COALESCE(CAST(TRIM(oil_bbl) AS DECIMAL(12,2)), '~'), COALESCE(CAST(TRIM(gas_mcf) AS DECIMAL(12,2)), '~'),
                    CAST(COALESCE(TRIM(water_bbl), '0') AS DECIMAL(12,2)))
             FROM daily_volumes"
}
act_rows() {   # DB
    pg "$1" "SELECT concat_ws('|', 'W', id, name, coalesce(api_number, '~'), coalesce(round(latitude::numeric, 6)::text, '~'),
                   coalesce(round(longitude::numeric, 6)::text, '~'), status, coalesce(lease, '~'),
                   coalesce(to_char(created_at, 'YYYY-MM-DD HH24:MI:SS'), '~'))
             FROM wells WHERE deleted_at IS NULL"
    pg "$1" "SELECT concat_ws('|', 'P', id, well_id, to_char(date, 'YYYY-MM-DD'), coalesce(oil::text, '~'),
                   coalesce(gas::text, '~'), coalesce(water::text, '~')) FROM production_data"
}
exp_rows | LC_ALL=C sort >"$out/expected" || die "expected rows"
# same NAME DB: the target's rows are exactly the expected ones; counts the
# rows lost and duplicated for the README's table
# (same NAME DB FILE: exactly the lines of FILE instead)
same() {
    local name=$1 db=$2 exp=${3:-$out/expected} lost dup
    act_rows "$db" | LC_ALL=C sort >"$out/$name.actual"
    dup=$(uniq -d "$out/$name.actual" | wc -l)
    dup=$((dup + $(pg "$db" "SELECT count(*) - count(DISTINCT id) FROM production_data")))
    lost=$(LC_ALL=C comm -23 "$exp" "$out/$name.actual" | wc -l)
    if diff "$exp" "$out/$name.actual" >"$out/$name.diff"; then
        ok "$name ($(wc -l <"$exp") rows; 0 lost, 0 duplicated)"
    else
        failed=$((failed + 1))
        echo "FAIL  $name: $lost expected rows missing or different, $(grep -c '^>' "$out/$name.diff") unexpected, $dup duplicated (< expected, > actual)"
        head -10 "$out/$name.diff" | sed 's/^/      | /'
    fi
}
# partial NAME DB: after a failed run, only whole committed batches, counted in the state
partial() {
    local name=$1 db=$2 nw n w
    nw=$(pg "$db" "SELECT (SELECT count(*) FROM production_data) || ' ' || coalesce((SELECT rows_written FROM wellos_sync_state WHERE entity = 'ProductionRecord'), -1)")
    n=${nw% *} w=${nw#* }
    echo "      (the fault came after $n of $N_BIG rows were committed)"
    check "$name" "$n rows in production_data, wellos_sync_state.rows_written = $w, batch $BATCH" \
        test "$n/$((n % BATCH))/$((n > 0 && n < N_BIG))" = "$w/0/1"
}

# ==== 1. the target PostgreSQL restarted mid-load ==========================================
echo "# target_restart: pg_ctl restart -m fast during a --once load of $N_BIG rows, batch $BATCH"
run t_init f_target --init
check target_restart_setup "init exit $rc" test $rc -eq 0
start t_fault f_target --once --batch-size $BATCH --no-bulk-load
restarted=no
if wait_until 60 read_at_least f_target 20000; then restart_pg && restarted=yes; fi
wait $bg; rc=$?
bg=""
check target_restart_agent_fails_clearly "restarted: $restarted, exit $rc, error: $(first_error t_fault)" \
    bash -c "[ $restarted = yes ] && [ $rc -eq 1 ] && grep -q '\"level\":\"error\"' '$out/t_fault.err' \
             && grep -qi 'terminat\|connection\|server closed\|shut' '$out/t_fault.err'"
wait_until 10 no_agent_lock
partial target_restart_keeps_only_whole_committed_batches f_target
run t_after f_target --once --batch-size $BATCH
check target_restart_second_run_exits_0 "exit $rc" test $rc -eq 0
same target_restart_ends_with_exactly_the_source_rows f_target

# ==== 2. the source MariaDB restarted mid-extract ===========================================
echo "# source_restart: MariaDB stopped (SIGTERM) and started again mid-extract"
run s_init f_source --init
check source_restart_setup "init exit $rc" test $rc -eq 0
start s_fault f_source --once --batch-size $BATCH --no-bulk-load
restarted=no
if wait_until 60 read_at_least f_source 20000; then restart_mariadb && restarted=yes; fi
wait $bg; rc=$?
bg=""
check source_restart_agent_fails_clearly "restarted: $restarted, exit $rc, state $(state f_source ProductionRecord status), error: $(first_error s_fault)" \
    bash -c "[ $restarted = yes ] && [ $rc -eq 1 ] && grep -q '\"level\":\"error\"' '$out/s_fault.err' \
             && [ \"\$(psql -XAtq -d f_source -c \"SELECT status FROM wellos_sync_state WHERE entity = 'ProductionRecord'\")\" = failed ]"
partial source_restart_keeps_only_whole_committed_batches f_source
run s_after f_source --once --batch-size $BATCH
check source_restart_second_run_exits_0 "exit $rc" test $rc -eq 0
same source_restart_ends_with_exactly_the_source_rows f_source

# ==== 3. the loop: target restarted in the first run ============================================
# --interval 1 (minutes, the least): the first retry comes after 2.5 to 5 s
# (BACKOFF_FIRST_SECONDS = 5, spread over its upper half, runtime/wr_agent.c)
echo "# loop_restart: pg_ctl restart -m fast during the loop's first run (--interval 1)"
run l_init f_loop --init
check loop_restart_setup "init exit $rc" test $rc -eq 0
start l_loop f_loop --interval 1 --batch-size $BATCH --no-bulk-load
restarted=no
if wait_until 60 read_at_least f_loop 20000; then restart_pg && restarted=yes; fi
t0=$SECONDS
converged() {
    [ "$(pg f_loop "SELECT (SELECT count(*) FROM production_data) = $N_BIG
                       AND (SELECT bool_and(status = 'ok') FROM wellos_sync_state)" 2>/dev/null)" = t ]
}
wait_until 60 converged; conv=$?
took=$((SECONDS - t0))
sleep 0.3
kill -TERM $bg 2>/dev/null
stopped=no
wait_until 10 bash -c "! kill -0 $bg 2>/dev/null" && stopped=yes
[ $stopped = no ] && kill -9 $bg 2>/dev/null
wait $bg; rc=$?
bg=""
check loop_restart_retries_with_backoff "restarted: $restarted, retry lines: $(grep -c '"event":"retry"' "$out/l_loop.err"), $(grep -o 'next try in [0-9.]* s' "$out/l_loop.err" | head -1)" \
    bash -c "[ $restarted = yes ] && grep -q 'run failed (1 in a row); next try in [0-9.]* s' '$out/l_loop.err'"
check loop_restart_converges_within_60_s "converged: $([ $conv -eq 0 ] && echo "yes, $took s after the restart" || echo "no, after $took s"), $(pg f_loop "SELECT count(*) FROM production_data" 2>/dev/null) of $N_BIG rows, state $(pg f_loop "SELECT string_agg(entity || '=' || status, ' ') FROM wellos_sync_state" 2>/dev/null)" \
    test $conv -eq 0
check loop_restart_stops_on_sigterm_with_exit_0 "stopped: $stopped, exit $rc" \
    bash -c "[ $stopped = yes ] && [ $rc -eq 0 ] && grep -q 'stopping on a signal, exit status 0' '$out/l_loop.err'"
same loop_restart_ends_with_exactly_the_source_rows f_loop

# kill9_at MS NAME DB ARGS...: the agent started on a fresh target DB
# (made and initialised), killed with -9 after MS milliseconds; then its
# lock is gone, and $n and $w say the production rows in the table and
# the rows_written the state counts.
kill9_at() {
    local ms=$1 name=$2 db=$3 nw
    shift 3
    psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    run k_init "$db" --init
    start "$name" "$db" "$@"
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    kill -9 "$bg" 2>/dev/null
    wait "$bg" 2>/dev/null
    bg=""
    wait_until 10 no_agent_lock
    nw=$(pg "$db" "SELECT (SELECT count(*) FROM production_data) || ' ' ||
                          coalesce((SELECT rows_written FROM wellos_sync_state WHERE entity = 'ProductionRecord'), 0)")
    n=${nw% *} w=${nw#* }
}

# ==== 4. kill -9 at seeded random instants =====================================================
# Each round: a fresh target, a --once load killed at a random instant (the
# seed makes the instants reproducible), then: only whole batches, counted
# in the state, and a second run that ends with exactly the source's rows.
KILLS=${FAULTS_KILLS:-20}
RANDOM=${FAULTS_SEED:-20261125}
echo "# kill9_random: kill -9 at $KILLS seeded random instants of a --once load (seed ${FAULTS_SEED:-20261125})"
for i in $(seq 1 "$KILLS"); do
    delay_ms=$((20 + RANDOM % 2500))
    kill9_at $delay_ms k_run f_kill --once --batch-size $BATCH --no-bulk-load
    echo "      (killed at $delay_ms ms, after $n of $N_BIG rows were committed)"
    check "kill9_random_${i}_keeps_whole_batches" "killed at $delay_ms ms: $n rows, rows_written $w, batch $BATCH" \
        test "$n/$((n % BATCH))" = "$w/0"
    run k_after f_kill --once --batch-size $BATCH
    check "kill9_random_${i}_next_run_exits_0" "exit $rc" test $rc -eq 0
    same "kill9_random_${i}_converges" f_kill
done

# ==== 4b. kill -9 during the initial load (one transaction) =======================================
# Cases 1 to 4 load their empty table in batches (--no-bulk-load): they
# fault the batches.  Here the same load is the initial load: whatever the
# instant, the table is left empty with every index, constraint and column
# default it had (or, killed after COMMIT, complete), and the next run ends
# with exactly the source's rows.
BULK_KILLS=${FAULTS_BULK_KILLS:-5}
echo "# kill9_bulk: kill -9 at $BULK_KILLS seeded random instants of an initial load"
shape() {   # DB: production_data's indexes, constraints and column defaults
    pg "$1" "SELECT (SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'production_data')
             || ' ' || (SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'production_data'::regclass)
             || ' ' || (SELECT coalesce(string_agg(column_name || '=' || column_default, ','), 'no defaults')
                        FROM information_schema.columns WHERE table_name = 'production_data' AND column_default IS NOT NULL)"
}
# the shape --init gives a new target, which every round starts from
psql -XAtq -d postgres -c "DROP DATABASE IF EXISTS f_kill" -c "CREATE DATABASE f_kill" >/dev/null
run k_init f_kill --init
before=$(shape f_kill)
for i in $(seq 1 "$BULK_KILLS"); do
    delay_ms=$((20 + RANDOM % 900))
    kill9_at $delay_ms k_run f_kill --once --batch-size $BATCH
    echo "      (killed at $delay_ms ms of the initial load: $n of $N_BIG rows committed)"
    check "kill9_bulk_${i}_all_or_nothing" "killed at $delay_ms ms: $n rows, rows_written $w" \
        bash -c "[ '$n' = '$w' ] && { [ '$n' = 0 ] || [ '$n' = '$N_BIG' ]; }"
    check "kill9_bulk_${i}_keeps_the_tables_shape" "$(shape f_kill)" test "$(shape f_kill)" = "$before"
    run k_after f_kill --once --batch-size $BATCH
    check "kill9_bulk_${i}_next_run_exits_0" "exit $rc" test $rc -eq 0
    same "kill9_bulk_${i}_converges" f_kill
done

# ==== faults of a re-sync: the target already holds rows of the table ==========================
# A load into an empty table may one day be one bulk transaction; these
# fault a load into a target that holds the wells and the first N_SMALL
# volumes, written by a first run on small_src (the same rows, fewer).
# The faulted run reads fault_src: volumes N_SMALL+1..N_BIG are past the
# stored watermark, and the 15-minute lookback re-reads 901 rows unchanged.
N_SMALL=1000
my mysql "CREATE DATABASE small_src CHARACTER SET utf8mb4" || die "mariadb"
my small_src "CREATE TABLE wells_master LIKE fault_src.wells_master;
    CREATE TABLE daily_volumes LIKE fault_src.daily_volumes;
    INSERT INTO wells_master SELECT * FROM fault_src.wells_master;
    INSERT INTO daily_volumes SELECT * FROM fault_src.daily_volumes WHERE volume_id <= $N_SMALL" || die "small_src"
small_dsn="host=127.0.0.1 port=$WR_TEST_MYSQL_PORT user=root dbname=small_src"

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
not_alive() { ! kill -0 "$1" 2>/dev/null; }
# await_exit SECONDS: waits at most SECONDS for the agent in the background
# ($bg; killed after), and sets exited (yes or no), took (ms) and rc
await_exit() {
    local t0
    t0=$(now_ms)
    exited=no
    wait_until "$1" not_alive "$bg" && exited=yes
    took=$(($(now_ms) - t0))
    [ $exited = no ] && kill -9 "$bg" 2>/dev/null
    wait "$bg"; rc=$?
    bg=""
}
secs() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }   # MS as seconds
count_rows() { pg "$1" "SELECT count(*) FROM production_data" 2>/dev/null; }
# seed NAME DB: DB created, initialised, and synced once from small_src
seed() {
    local name=$1 db=$2 rc_init
    pg postgres "CREATE DATABASE $db" || die "createdb $db"
    run "${name}_init" "$db" --init
    rc_init=$rc
    EAGLE_SOURCE_DSN=$small_dsn run "${name}_seed" "$db" --once --batch-size $BATCH
    check "${name}_setup_first_run_on_the_small_source" "init exit $rc_init, first run exit $rc, $(count_rows "$db") rows" \
        test "$rc_init/$rc/$(count_rows "$db")" = "0/0/$N_SMALL"
}
# committed NAME DB: after a fault, the target holds the N_SMALL seeded rows
# and whole batches of the faulted run, counted in the state
# (count(*) = N_SMALL + rows_written, rows_read a multiple of the batch);
# and, row for row, exactly the source's rows for them: every well and the
# first count(*) volumes (the extract runs in last_modified order, which is
# volume_id order here)
committed() {
    local name=$1 db=$2 n w r st
    read -r n w r st <<<"$(pg "$db" "SELECT (SELECT count(*) FROM production_data), rows_written, rows_read, status
                                     FROM wellos_sync_state WHERE entity = 'ProductionRecord'" | tr '|' ' ')"
    echo "      (at the fault: $n of $N_BIG rows in the target, $N_SMALL of them seeded; the faulted run had committed $r rows read, $w written; state ${st:-none})"
    check "${name}_keeps_only_whole_committed_batches" "$n rows, $N_SMALL seeded + rows_written $w, rows_read $r, batch $BATCH" \
        test "$n/$((${r:-1} % BATCH))/$((${r:-0} > 0 && n < N_BIG))" = "$((N_SMALL + ${w:-0}))/0/1"
    awk -F'|' -v n="$n" '$1 == "W" || ($1 == "P" && $2 + 0 <= n + 0)' "$out/expected" >"$out/$name.committed_expected"
    same "${name}_committed_rows_are_exactly_the_source_rows" "$db" "$out/$name.committed_expected"
}
converged_db() {
    [ "$(pg "$1" "SELECT (SELECT count(*) FROM production_data) = $N_BIG
                     AND (SELECT bool_and(status = 'ok') FROM wellos_sync_state)" 2>/dev/null)" = t ]
}
# retried NAME ERROR_RE: the loop agent $bg logged a failed run matching
# ERROR_RE, then "next try in X s" with 2.5 <= X <= 5 (the first backoff)
retried() {
    local name=$1 re=$2 next
    next=$(grep -o 'run failed (1 in a row); next try in [0-9.]* s' "$out/$last.err" | head -1 | grep -o '[0-9][0-9.]*' | tail -1)
    check "${name}_retries_with_backoff" "error: $(first_error "$last"), first retry in ${next:-none} s" \
        bash -c "grep '\"level\":\"error\"' '$out/$last.err' | grep -Eq '$re' \
                 && [ -n '$next' ] && awk 'BEGIN { exit !($next >= 2.5 && $next <= 5) }'"
}
# converge_loop NAME DB T0: waits (60 s at most) for the loop agent $bg to
# bring DB to all N_BIG rows, every entity ok; checks it did so with no
# restart (the same process, one start line), stops it with SIGTERM (exit
# 0), and compares the rows exactly.  T0: the fault's instant (now_ms)
converge_loop() {
    local name=$1 db=$2 t0=$3 conv took alive=no starts stopped=no
    wait_until 60 converged_db "$db"; conv=$?
    took=$(($(now_ms) - t0))
    kill -0 "$bg" 2>/dev/null && alive=yes
    starts=$(grep -c '"event":"start"' "$out/$last.err")
    [ $conv -eq 0 ] && echo "      (converged $(secs $took) s after the fault, $(grep -c '"event":"retry"' "$out/$last.err") retry, agent pid $bg still running: $alive)"
    check "${name}_converges_without_a_restart" "converged: $([ $conv -eq 0 ] && echo yes || echo no) after $(secs $took) s, $(count_rows "$db") of $N_BIG rows, state $(pg "$db" "SELECT string_agg(entity || '=' || status, ' ') FROM wellos_sync_state" 2>/dev/null), agent alive: $alive, start lines: $starts" \
        test "$conv/$alive/$starts" = "0/yes/1"
    sleep 0.3
    kill -TERM "$bg" 2>/dev/null
    wait_until 10 not_alive "$bg" && stopped=yes
    [ $stopped = no ] && kill -9 "$bg" 2>/dev/null
    wait "$bg"; rc=$?
    bg=""
    check "${name}_stops_on_sigterm_with_exit_0" "stopped: $stopped, exit $rc" \
        bash -c "[ $stopped = yes ] && [ $rc -eq 0 ] && grep -q 'stopping on a signal, exit status 0' '$out/$last.err'"
    same "${name}_ends_with_exactly_the_source_rows" "$db"
}

# the agent's target session: the one holding its advisory lock in DB
agent_backend() {
    pg postgres "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                 WHERE l.locktype = 'advisory' AND l.granted AND d.datname = '$1'"
}
terminate_agent_session() {   # DB
    local pid
    pid=$(agent_backend "$1")
    [ -n "$pid" ] || { echo "      (no backend holds the agent's lock in $1)"; return 1; }
    echo "      (terminating backend $pid, running: $(pg postgres "SELECT left(regexp_replace(query, '\s+', ' ', 'g'), 60) FROM pg_stat_activity WHERE pid = $pid"))"
    [ "$(pg postgres "SELECT pg_terminate_backend($pid)")" = t ]
}
kill_source_session() {   # the agent's extract on fault_src, by MariaDB KILL
    local id
    id=$(my mysql "SELECT id FROM information_schema.processlist WHERE db = 'fault_src' AND info LIKE 'SELECT \`volume_id\`%'")
    [ -n "$id" ] || { echo "      (no extract session on fault_src)"; return 1; }
    echo "      (KILL $id: the agent's extract session)"
    my mysql "KILL $id"
}
# hold_lock DB: a psql session takes ACCESS EXCLUSIVE on production_data in
# an open transaction, kept open by its standard input (a fifo on fd 7)
# until release_lock; returns once the lock is granted
lock_granted() {
    [ "$(pg "$1" "SELECT count(*) FROM pg_locks WHERE relation = 'production_data'::regclass
                  AND mode = 'AccessExclusiveLock' AND granted")" = 1 ]
}
hold_lock() {
    rm -f "$tmp/lock.fifo"
    mkfifo "$tmp/lock.fifo" || return 1
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" <"$tmp/lock.fifo" >"$out/lock_holder.log" 2>&1 &
    lock_holder=$!
    exec 7>"$tmp/lock.fifo"
    echo "BEGIN; LOCK TABLE production_data IN ACCESS EXCLUSIVE MODE;" >&7
    wait_until 30 lock_granted "$1"
}
release_lock() {   # COMMIT, and \q: an agent started meanwhile may hold the fifo open too
    [ -n "$lock_holder" ] || return 0
    printf 'COMMIT;\n\\q\n' >&7
    exec 7>&-
    wait_until 10 not_alive "$lock_holder" || kill -9 "$lock_holder" 2>/dev/null
    wait "$lock_holder"
    lock_holder=""
}

# what the agent says of a terminated session: the server's FATAL message
# when libpq read it, else (the socket closed first, seen at the end of a
# COPY) "connection lost: server closed the connection unexpectedly"
TERMINATED_RE='terminating connection due to administrator command|connection lost: server closed the connection'

# ==== 5. the agent's target session terminated, --once ==========================================
echo "# target_terminate: pg_terminate_backend of the agent's target session mid-load, --once, batch $BATCH"
seed target_terminate f_term
start tt_fault f_term --once --batch-size $BATCH
terminated=no
if wait_until 60 read_at_least f_term 20000; then terminate_agent_session f_term && terminated=yes; fi
wait $bg; rc=$?
bg=""
check target_terminate_agent_fails_clearly "terminated: $terminated, exit $rc, error: $(first_error tt_fault)" \
    bash -c "[ $terminated = yes ] && [ $rc -eq 1 ] \
             && grep '\"level\":\"error\"' '$out/tt_fault.err' | grep -Eq 'ProductionRecord.*($TERMINATED_RE)'"
wait_until 10 no_agent_lock
committed target_terminate f_term
# the lost session could not record the failure: the agent did, on a new one
st=$(state f_term ProductionRecord "status || '|' || coalesce(last_error, '')")
failed_by_termination() { [[ $1 == failed\|* ]] && grep -Eq "$TERMINATED_RE" <<<"$1"; }
check target_terminate_state_says_failed "state: ${st:0:160}" failed_by_termination "$st"
run tt_after f_term --once --batch-size $BATCH
check target_terminate_next_run_exits_0 "exit $rc" test $rc -eq 0
same target_terminate_next_run_ends_with_exactly_the_source_rows f_term

# ==== 6. the same in loop mode ==================================================================
echo "# loop_terminate: pg_terminate_backend of the agent's target session during the loop's first run (--interval 1)"
seed loop_terminate f_lterm
start lt_loop f_lterm --interval 1 --batch-size $BATCH
terminated=no
if wait_until 60 read_at_least f_lterm 20000; then terminate_agent_session f_lterm && terminated=yes; fi
t0=$(now_ms)
[ $terminated = yes ] || not_ok loop_terminate_fault "the agent's session was not found"
wait_until 10 grep -qs '"event":"retry"' "$out/lt_loop.err"
retried loop_terminate "$TERMINATED_RE"
converge_loop loop_terminate f_lterm "$t0"

# ==== 7. the source session killed, loop mode ===================================================
echo "# source_kill_loop: MariaDB KILL of the agent's extract session during the loop's first run (--interval 1)"
seed source_kill_loop f_skill
start sk_loop f_skill --interval 1 --batch-size $BATCH
killed=no
if wait_until 60 read_at_least f_skill 20000; then kill_source_session && killed=yes; fi
t0=$(now_ms)
[ $killed = yes ] || not_ok source_kill_loop_fault "the agent's extract session was not found"
wait_until 10 grep -qs '"event":"retry"' "$out/sk_loop.err"
retried source_kill_loop 'ProductionRecord: the extract failed after [0-9]+ rows'
converge_loop source_kill_loop f_skill "$t0"

# ==== 8. a lock held longer than --lock-timeout, --once ===========================================
echo "# lock_timeout_once: LOCK TABLE production_data IN ACCESS EXCLUSIVE MODE taken mid-load, agent --once --lock-timeout 1"
seed lock_timeout_once f_lock
start lo_fault f_lock --once --batch-size $BATCH --lock-timeout 1
locked=no
if wait_until 60 read_at_least f_lock 20000; then hold_lock f_lock && locked=yes; fi
await_exit 20
echo "      (the lock was granted; the agent exited $(secs $took) s later with status $rc)"
check lock_timeout_once_fails_within_seconds "locked: $locked, exited: $exited after $(secs $took) s, exit $rc" \
    test "$locked/$exited/$rc/$((took <= 5000))" = "yes/yes/1/1"
check lock_timeout_once_says_the_lock_timed_out "error: $(first_error lo_fault)" \
    bash -c "grep '\"level\":\"error\"' '$out/lo_fault.err' \
                 | grep -q 'ProductionRecord.*target: postgres: [a-z ]*: canceling statement due to lock timeout (SQLSTATE 55P03)'"
check lock_timeout_once_state_says_failed "state: $(state f_lock ProductionRecord "status || ': ' || coalesce(last_error, '')")" \
    test "$(state f_lock ProductionRecord "status || (last_error LIKE '%lock timeout (SQLSTATE 55P03)%')")" = failedtrue
release_lock   # it wrote nothing; production_data cannot be read while it holds the lock
committed lock_timeout_once f_lock

# ==== 9. then the loop, the lock taken again and released after 3 s =================================
# The loop's first run meets the lock at its first batch and fails on the
# lock timeout; the lock goes 3 s after it was taken (or once that failure
# is logged, if later), before the first retry (2.5 to 5 s after it).
echo "# lock_timeout_loop: the same target, the lock held again for 3 s from the loop's start (--interval 1 --lock-timeout 1)"
locked=no
hold_lock f_lock && locked=yes
t0=$(now_ms)
start ll_loop f_lock --interval 1 --batch-size $BATCH --lock-timeout 1 7>&-   # not the lock's fifo
[ $locked = yes ] || not_ok lock_timeout_loop_fault "the lock was not granted"
wait_until 15 grep -qs '"event":"retry"' "$out/ll_loop.err"
held=$(($(now_ms) - t0))
[ $held -lt 3000 ] && sleep "$(secs $((3000 - held)))"
held=$(($(now_ms) - t0))
release_lock
echo "      (the lock was released after $(secs $held) s)"
retried lock_timeout_loop 'canceling statement due to lock timeout \(SQLSTATE 55P03\)'
converge_loop lock_timeout_loop f_lock "$t0"

# ==== 10. a target that accepts connections and never answers ==================================
# The postmaster stopped (SIGSTOP): the kernel still accepts a connection,
# and nothing answers its startup packet.  libpq alone would wait for ever;
# the agent's default connect_timeout (10 s) ends the run.
echo "# target_frozen: the PostgreSQL postmaster stopped (SIGSTOP), agent --once; then SIGCONT"
frozen=$(head -1 "$tmp/pg/data/postmaster.pid")
kill -STOP "$frozen"
start fz_fault f_lock --once
await_exit 30
kill -CONT "$frozen"
frozen=""
echo "      (the agent exited $(secs $took) s after it started, with status $rc)"
check target_frozen_fails_after_the_connect_timeout "exited: $exited after $(secs $took) s, exit $rc" \
    test "$exited/$rc/$((took >= 9000 && took <= 20000))" = "yes/1/1"
check target_frozen_says_the_connection_timed_out "error: $(first_error fz_fault)" \
    grep -q 'target: postgres: cannot connect: .*timeout expired' "$out/fz_fault.err"
run fz_after f_lock --once
check target_frozen_next_run_exits_0 "exit $rc" test $rc -eq 0

# ==== 11. the agent's target sessions frozen mid-load ============================================
# Every backend of the agent's target stopped (SIGSTOP) while it loads in
# batches: the host still acknowledges, nothing answers.  With the DSN's
# read_timeout=2 the agent gives up 2 s into the silence, says so, and
# leaves whole batches; after SIGCONT the next run converges.
echo "# target_sessions_frozen: the agent's target backends stopped (SIGSTOP) mid-load, --once, read_timeout=2"
seed target_sessions_frozen f_frz
start fr_fault "f_frz read_timeout=2" --once --batch-size $BATCH
frozen_backends=""
if wait_until 60 read_at_least f_frz 20000; then
    frozen_backends=$(pg postgres "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity
                                   WHERE datname = 'f_frz' AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
    [ -n "$frozen_backends" ] && kill -STOP $frozen_backends
fi
await_exit 30
[ -n "$frozen_backends" ] && kill -CONT $frozen_backends
echo "      (froze backends ${frozen_backends:-none}; the agent exited $(secs $took) s later with status $rc)"
frozen_backends=""
check target_sessions_frozen_fail_the_run_after_its_read_timeout "exited: $exited after $(secs $took) s, exit $rc" \
    test "$exited/$rc/$((took >= 1500 && took <= 12000))" = "yes/1/1"
check target_sessions_frozen_says_so "error: $(first_error fr_fault)" \
    grep -q 'ProductionRecord.*no answer from the server for 2 s' "$out/fr_fault.err"
wait_until 10 no_agent_lock
committed target_sessions_frozen f_frz
run fr_after f_frz --once --batch-size $BATCH
check target_sessions_frozen_next_run_exits_0 "exit $rc" test $rc -eq 0
same target_sessions_frozen_next_run_ends_with_exactly_the_source_rows f_frz

echo "faults: $passed passed, $failed failed ($((SECONDS - t_start)) s)"
[ "$failed" -eq 0 ]
