#!/usr/bin/env bash
# bench/sync_bench.sh RUNSTAT - the sync benchmark, run by `make bench-sync`
# (bench/sync.mk), which builds ./wellosc, build/libwellosrt.a and RUNSTAT
# (bench/runstat.c) first.
#
# It builds the agent of bench/sync.wmap (tenant bench_sync over the
# canonical schema) and the agent of bench/sync_bare.wmap (the same tenant
# over tables with nothing but primary keys, the shape of the pipe's and
# pgloader's table) with a plain `./wellosc build` (the compiler's default
# -O2: CFLAGS and LDFLAGS are unset for it) into build/bench/sync/, starts a private PostgreSQL 15 and a
# private MariaDB (tests/servers/) in a mktemp directory, and stops them on
# every exit.  The source is made in MariaDB with SQL only (the Sequence
# engine): 10,000 wells and N production rows.  For each N (100,000 and
# 1,000,000; also 5,000,000 with SYNC_BENCH_BIG=1), SYNC_BENCH_RUNS rounds
# (default 3) of:
#
#   1. full sync: DROP DATABASE/CREATE the target, `agent --init` (not
#      timed), then `agent --once` (timed): wall time, peak RSS; checks that
#      every row arrived and none was rejected
#   2. re-sync, nothing changed: `agent --once` again; rows written, from
#      wellos_sync_state (must be 0)
#   3. re-sync after `UPDATE production ... WHERE id % 100 = 0` in the
#      source (1% of the production rows; not timed): `agent --once`; rows
#      written (must be N/100)
#   1b, 2b. steps 1 and 2 with the agent of bench/sync_bare.wmap, into the
#      database bench_bare: like for like with the pipe and pgloader
#   2c. that agent's `--once --dry-run`: it reads and transforms every
#      source row, and neither compares nor writes (the floor under any
#      re-sync of the agent); checks that it read every row
#   4. the reference: `mariadb --quick -B -N -e 'SELECT <the columns the
#      agent reads> FROM production' | psql -c '\copy production FROM STDIN'`
#      into an empty plain table (same columns, a primary key), and the
#      extract alone (`mariadb ... > /dev/null`)
#   5. pgloader (3.6, the Debian package) loading the same source table into
#      the same kind of empty table, when SYNC_BENCH_PGLOADER=1 (it is
#      installed with apt-get if missing); otherwise "not run"
#
# Every timed command runs under RUNSTAT (-n 1: one run, wall time and peak
# RSS); the tables give medians over the rounds.  Everything connects over
# TCP on 127.0.0.1, the agent as the pipe.  The report (markdown) goes to
# standard output and build/bench/sync/report.md; the raw results to
# build/bench/sync/results.txt.  The exit status is 1 if a check failed
# (rows missing or rejected, a re-sync that writes rows), after the report.
#
# SYNC_BENCH_PROFILE=1 also profiles full syncs of SYNC_BENCH_PROFILE_ROWS
# (default 1,000,000) production rows into build/bench/sync/profile/
# (summary.txt): one under `perf record -a -g` (the agent and both servers)
# with PostgreSQL logging every statement's duration, one under
# `perf record --call-graph dwarf` for the agent alone.  Where perf does not
# work, one under valgrind's callgrind (the agent; default 100,000 rows).
#
# SYNC_BENCH_SIZES="N ..." replaces the list of sizes (a quick check).
#
# MariaDB gets a buffer pool that holds the source tables
# (SYNC_BENCH_SOURCE_POOL, default 2G; its own default is 128M), as a
# client's server holding such tables would: with 128M the 1M-row table and
# its index (155 MB) do not fit, and every scan, the pipe's as the agent's,
# reads pages again.  PostgreSQL keeps its defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
runstat=${1:?usage: sync_bench.sh RUNSTAT}
runs=${SYNC_BENCH_RUNS:-3}
sizes=${SYNC_BENCH_SIZES:-100000 1000000}
[ "${SYNC_BENCH_BIG:-0}" = 1 ] && sizes="$sizes 5000000"
want_pgloader=${SYNC_BENCH_PGLOADER:-0}
want_profile=${SYNC_BENCH_PROFILE:-0}
wells=10000
out=build/bench/sync
agent=$out/wellos-sync-bench_sync
bare_agent=$out/bare/wellos-sync-bench_sync
results=$out/results.txt
report=$out/report.md
columns="id, well_uuid, prod_date, oil_bbl, gas_mcf, water_bbl"   # what the agent's extract reads

case $runs in '' | *[!0-9]* | 0) echo "sync_bench: SYNC_BENCH_RUNS must be a positive number" >&2; exit 2 ;; esac
for n in $sizes; do
    case $n in '' | *[!0-9]* | 0) echo "sync_bench: bad size '$n'" >&2; exit 2 ;; esac
    [ $((n % 100)) -eq 0 ] || { echo "sync_bench: a size must be a multiple of 100 (1% is changed)" >&2; exit 2; }
done

mkdir -p "$out"
rm -f "$results" "$report"
failed=0
fail() { echo "sync_bench: CHECK FAILED: $*" >&2; echo "check_failed $*" >>"$results"; failed=1; }
die() { echo "sync_bench: $*" >&2; exit 1; }

# ---- the agent -------------------------------------------------------------------
echo "sync_bench: building $agent and $bare_agent (./wellosc build, default -O2)" >&2
mkdir -p "$out/bare"
env -u CFLAGS -u LDFLAGS ./wellosc build -o "$agent" --tenant bench_sync bench/sync.wmap
env -u CFLAGS -u LDFLAGS ./wellosc build -o "$bare_agent" --tenant bench_sync bench/sync_bare.wmap

# ---- pgloader ---------------------------------------------------------------------
pgloader_note="not run (set SYNC_BENCH_PGLOADER=1)"
has_pgloader=0
if [ "$want_pgloader" = 1 ]; then
    if ! command -v pgloader >/dev/null 2>&1; then
        echo "sync_bench: installing pgloader (apt-get)" >&2
        if [ "$(id -u)" -ne 0 ]; then
            pgloader_note="not run (missing, and installing it needs root)"
        elif ! { apt-get install -y -q pgloader >/dev/null 2>&1 \
                 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q pgloader >/dev/null 2>&1; }; }; then
            pgloader_note="not run (apt-get install pgloader failed)"
        fi
    fi
    command -v pgloader >/dev/null 2>&1 && has_pgloader=1
fi

load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- servers ----------------------------------------------------------------------
tmp=$(mktemp -d)
stop_servers() {
    bash tests/servers/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
    bash tests/servers/mariadb.sh stop "$tmp/my" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap stop_servers EXIT
trap 'exit 130' INT TERM HUP
echo "sync_bench: starting PostgreSQL and MariaDB in $tmp" >&2
bash tests/servers/pg.sh start "$tmp/pg" >/dev/null
source_pool=${SYNC_BENCH_SOURCE_POOL:-2G}
WR_MARIADB_OPTIONS="--innodb-buffer-pool-size=$source_pool" bash tests/servers/mariadb.sh start "$tmp/my" >/dev/null
. "$tmp/pg/env"
. "$tmp/my/env"
my_port=$WR_TEST_MYSQL_PORT
pg_port=$PGPORT
unset PGHOST PGDATABASE MYSQL_UNIX_PORT   # TCP for every client, like the agent
export PGUSER=postgres
export BENCH_SYNC_SOURCE_DSN="host=127.0.0.1 port=$my_port user=root dbname=bench_src"
export BENCH_SYNC_TARGET_DSN="host=127.0.0.1 port=$pg_port user=postgres dbname=bench_target"

my() { mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$my_port" -uroot "$@"; }
export PGOPTIONS="-c client_min_messages=warning"
pg() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" "$@"; }
pg_value() { psql -X -q -t -A -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" "$@"; }

# ---- the source (MariaDB, SQL only) -------------------------------------------------
my -e "CREATE DATABASE bench_src"
my bench_src <<SQL
SET NAMES utf8mb4;
-- the client's wells: names with stray spaces, status codes in mixed case,
-- lease names to trim and upper-case (one with a non-ASCII letter)
CREATE TABLE wells (
    well_uuid   CHAR(36)     NOT NULL PRIMARY KEY,
    well_name   VARCHAR(255) NOT NULL,
    api_no      VARCHAR(14),
    lat_deg     DECIMAL(9,6),
    lon_deg     DECIMAL(9,6),
    status_code VARCHAR(8),
    lease_name  VARCHAR(100),
    created     DATETIME
) DEFAULT CHARSET = utf8mb4;
INSERT INTO wells
SELECT CONCAT('5b000000-0000-4000-8000-', LPAD(seq, 12, '0')),
       CONCAT(IF(seq % 4 = 0, '  ', ''), ELT(1 + seq % 4, 'Kennedy', 'Peña Creek', 'Briscoe', 'Hughes'), ' ', seq, 'H'),
       CONCAT('4228', LPAD(seq, 8, '0'), '00'),
       28.000000 + (seq % 1000) / 1000, -98.000000 - (seq % 997) / 1000,
       ELT(1 + seq % 6, 'PROD', ' prod', 'Prod ', 'SI', 'TA', 'pa'),
       ELT(1 + seq % 4, ' kennedy ranch', 'Peña Creek ', 'BRISCOE unit', 'hughes  '),
       TIMESTAMP '2012-01-01 00:00:00' + INTERVAL seq * 3607 SECOND
FROM seq_1_to_$wells;
-- daily production: one row per well and day; 10% of the water volumes NULL
CREATE TABLE production (
    id         BIGINT   NOT NULL PRIMARY KEY,
    well_uuid  CHAR(36) NOT NULL,
    prod_date  DATE     NOT NULL,
    oil_bbl    DECIMAL(12,2),
    gas_mcf    DECIMAL(12,2),
    water_bbl  DECIMAL(12,2),
    KEY (well_uuid)
) DEFAULT CHARSET = utf8mb4;
SQL

# N production rows (the table emptied first)
make_production() {
    my bench_src <<SQL
TRUNCATE production;
INSERT INTO production
SELECT seq, CONCAT('5b000000-0000-4000-8000-', LPAD(1 + seq % $wells, 12, '0')),
       CURRENT_DATE - INTERVAL (seq % 89) DAY,   -- inside the 90-day window
       (seq * 7919 % 50000) / 100, (seq * 104729 % 300000) / 100,
       IF(seq % 10 = 3, NULL, (seq * 31 % 20000) / 100)
FROM seq_1_to_$1;
SQL
}

# ---- the targets ----------------------------------------------------------------------
# The pipe's and pgloader's table: the columns of the agent's extract, typed
# as the canonical table types them, with a primary key.
plain_table="CREATE TABLE production (id bigint PRIMARY KEY, well_uuid uuid, prod_date date,
             oil_bbl numeric(12,2), gas_mcf numeric(12,2), water_bbl numeric(12,2))"
pg -c "CREATE DATABASE bench_pipe" -c "CREATE DATABASE bench_pgloader" -c "CREATE DATABASE bench_canon"
pg -d bench_pipe -c "$plain_table"
pg -d bench_pgloader -c "$plain_table"
# The pipe into the agent's own table: the canonical production_data with
# its foreign key to wells and its two indexes (made by `agent --init`, the
# wells by `agent --entity Well`), so that both load the same table.
BENCH_SYNC_TARGET_DSN="host=127.0.0.1 port=$pg_port user=postgres dbname=bench_canon" "$agent" --init 2>"$tmp/canon.log" \
    || { cat "$tmp/canon.log" >&2; die "agent --init of bench_canon failed"; }

# An empty target, initialised by the agent (not timed): reset_target
# [DATABASE AGENT], by default bench_target and the canonical agent.
reset_target() {
    local db=${1:-bench_target} a=${2:-$agent}
    pg -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
    BENCH_SYNC_TARGET_DSN="host=127.0.0.1 port=$pg_port user=postgres dbname=$db" "$a" --init 2>"$tmp/init.log" \
        || { cat "$tmp/init.log" >&2; die "$a --init failed"; }
}

# timed LOG COMMAND...: one run under runstat; prints "wall=S rss_kb=K".
timed() {
    local log=$1 stats
    shift
    if ! stats=$("$runstat" -n 1 -m -- "$@" 2>"$log"); then
        tail -20 "$log" >&2
        die "failed: $*"
    fi
    stats=$(printf '%s\n' "$stats" | grep '^runs=' | tail -1)
    echo "$stats" | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                           printf "wall=%s rss_kb=%s\n", v["median_s"], v["maxrss_kb"] }'
}

# The agent's own duration of an entity (its log line), in ms: entity_ms ENTITY LOG
entity_ms() {
    sed -n 's/.*"entity":"'"$1"'".*"duration_ms":\([0-9]*\).*/\1/p' "$2" | tail -1
}
# "prod_ms=... well_ms=..." from an agent's log
durations() {
    echo "prod_ms=$(entity_ms ProductionRecord "$1") well_ms=$(entity_ms Well "$1")"
}

state() { # state COLUMN [DATABASE]: the sum over the tenant's entities
    pg_value -d "${2:-bench_target}" -c "SELECT COALESCE(sum($1), 0) FROM wellos_sync_state
                                          WHERE tenant = 'bench_sync'"
}

# The commands of steps 4 and 5, as scripts (runstat runs one program).
cat >"$tmp/pipe.sh" <<SH
set -o pipefail
mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P $my_port -uroot --quick -B -N \\
    -e 'SELECT $columns FROM production' bench_src \\
  | psql -X -q -h 127.0.0.1 -p $pg_port -U postgres -d bench_pipe -c "\\copy production FROM STDIN WITH (NULL 'NULL')"
SH
cat >"$tmp/pipe_canon.sh" <<SH
set -o pipefail
mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P $my_port -uroot --quick -B -N \\
    -e 'SELECT $columns FROM production' bench_src \\
  | psql -X -q -h 127.0.0.1 -p $pg_port -U postgres -d bench_canon \\
         -c "\\copy production_data (id, well_id, date, oil, gas, water) FROM STDIN WITH (NULL 'NULL')"
SH
cat >"$tmp/extract.sh" <<SH
mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P $my_port -uroot --quick -B -N \\
    -e 'SELECT $columns FROM production' bench_src >/dev/null
SH
cat >"$tmp/pgloader.load" <<LOAD
LOAD DATABASE
     FROM mysql://root@127.0.0.1:$my_port/bench_src
     INTO postgresql://postgres@127.0.0.1:$pg_port/bench_pgloader
WITH data only
INCLUDING ONLY TABLE NAMES MATCHING 'production'
ALTER SCHEMA 'bench_src' RENAME TO 'public';
LOAD

# ---- profile ----------------------------------------------------------------------------
profile_dir=$out/profile
# perf report, without its comments and blank lines, first LINES lines
report_top() {
    local lines=$1
    shift
    perf report "$@" --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -"$lines"
}
# profile N: two full syncs of N rows into an empty target.  The first runs
# under `perf record -a -g` (every process: the agent and both servers) with
# PostgreSQL logging the duration of each of the agent's statements; the
# second under perf with DWARF call graphs for the agent alone (its
# libraries have no frame pointers), for inclusive times.  Where perf does
# not work: one sync under valgrind's callgrind (the agent only).
profile() {
    local n=$1 tool=perf
    rm -rf "$profile_dir"
    mkdir -p "$profile_dir"
    perf record -o /dev/null -- true >/dev/null 2>&1 || tool=callgrind
    if [ $tool = callgrind ] && ! command -v valgrind >/dev/null 2>&1; then
        echo "sync_bench: no profile: perf does not work here and valgrind is missing" >&2
        return 0
    fi
    echo "sync_bench: profiling full syncs of $n rows with $tool" >&2
    reset_target
    pg -c "ALTER DATABASE bench_target SET log_min_duration_statement = 0"
    local log_start t0 t1
    log_start=$(($(stat -c %s "$tmp/pg/server.log") + 1))
    t0=$(date +%s.%N)
    if [ $tool = perf ]; then
        # which process is which (perf knows only "postgres"), twice a second
        ( while :; do ps -eo pid=,args= >>"$profile_dir/ps.raw"; sleep 0.5; done ) &
        local ps_loop=$!
        perf record -q -a -g -e cpu-clock -F 999 -o "$profile_dir/perf-system.data" -- "$agent" --once \
            2>"$profile_dir/agent-system.log" || { kill "$ps_loop"; die "the profiled sync failed"; }
        kill "$ps_loop" 2>/dev/null
        wait "$ps_loop" 2>/dev/null || true
        awk '!seen[$1]++' "$profile_dir/ps.raw" >"$profile_dir/ps.txt"
        rm -f "$profile_dir/ps.raw"
    else
        valgrind --tool=callgrind --callgrind-out-file="$profile_dir/callgrind.out" "$agent" --once \
            2>"$profile_dir/agent-system.log" || die "the profiled sync failed"
    fi
    t1=$(date +%s.%N)
    tail -c +"$log_start" "$tmp/pg/server.log" >"$profile_dir/server.log"
    pg -c "ALTER DATABASE bench_target RESET log_min_duration_statement"
    if [ $tool = perf ]; then
        reset_target
        perf record -q -e cpu-clock -F 4999 --call-graph dwarf,16384 -o "$profile_dir/perf-agent.data" \
            -- "$agent" --once 2>"$profile_dir/agent-dwarf.log" || die "the profiled sync failed"
    fi
    (
        set +e +o pipefail   # head closes the pipes early
        echo "rows=$n tool=$tool wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') (the first sync, under the profiler)"
        grep '"event":"entity"' "$profile_dir/agent-system.log"
        echo
        echo "== PostgreSQL: wall time per statement kind, the agent's session (log_min_duration_statement = 0)"
        awk '/duration: / {
                 ms = $0; sub(/.*duration: /, "", ms); sub(/ ms.*/, "", ms)
                 s = $0; sub(/.*duration: [0-9.]+ ms  /, "", s)
                 k = "other"
                 if (s ~ /^(parse|bind) /) k = "parse/bind (extended protocol)"
                 else if (s ~ /refused AS \(DELETE FROM "_wos_stage_production_data"/) k = "ProductionRecord: rows the target would refuse (reference checks), before the upsert"
                 else if (s ~ /refused AS \(DELETE FROM "_wos_stage_wells"/) k = "Well: rows the target would refuse (unique checks), before the upsert"
                 else if (s ~ /COPY "production_data"/) k = "COPY ProductionRecord straight into the table (the initial load; open while the agent extracts and transforms)"
                 else if (s ~ /COPY "wells"/) k = "COPY Well straight into the table (the initial load)"
                 else if (s ~ /CREATE INDEX|PRIMARY KEY/) k = "the initial load: indexes (and an unreferenced primary key) built again"
                 else if (s ~ /FOREIGN KEY/) k = "the initial load: foreign keys added (validated) again"
                 else if (s ~ /^execute [^:]*: ANALYZE/) k = "the initial load: ANALYZE"
                 else if (s ~ /ALTER COLUMN/) k = "the initial load: the auto-updated column default, set and dropped"
                 else if (s ~ /(DROP INDEX|DROP CONSTRAINT|LOCK TABLE|SELECT NOT EXISTS)/) k = "the initial load: probe, lock, drops"
                 else if (s ~ /COPY \(SELECT/) k = "the comparison: the target'"'"'s rows in key order (second session)"
                 else if (s ~ /COPY "_wos_stage_production_data"/) k = "COPY ProductionRecord stage (open while the agent extracts and transforms the batch)"
                 else if (s ~ /COPY "_wos_stage_wells"/) k = "COPY Well stage"
                 else if (s ~ /INSERT INTO "production_data"/) k = "upsert ProductionRecord (INSERT ... ON CONFLICT)"
                 else if (s ~ /INSERT INTO "wells"/) k = "upsert Well"
                 else if (s ~ /TRUNCATE/) k = "TRUNCATE stage"
                 else if (s ~ /wellos_sync_state/) k = "state read/write"
                 else if (s ~ /(BEGIN|COMMIT)/) k = "BEGIN/COMMIT"
                 t[k] += ms; c[k]++; total += ms
             }
             END { for (k in t) printf "%10.1f ms %6d x  %s\n", t[k], c[k], k; printf "%10.1f ms total\n", total }' \
            "$profile_dir/server.log" | sort -rn
        echo
        if [ $tool = perf ]; then
            # The agent's backend (the pid in the log lines) and this MariaDB;
            # other processes on the machine are in the first table only.
            local backend mariadbd_pid
            backend=$(sed -n 's/.*\[\([0-9][0-9]*\)\] LOG:  duration: .*/\1/p' "$profile_dir/server.log" | sort -u | paste -sd, -)
            mariadbd_pid=$(cat "$tmp/my/mariadb.pid")
            echo "== CPU by process, every CPU (cpu-clock at 999 Hz: samples / 999 = CPU seconds; the agent's backend: $backend, mariadbd: $mariadbd_pid)"
            report_top 15 -i "$profile_dir/perf-system.data" --no-children --sort pid -n -g none \
                | while read -r pct samples pidcomm; do
                      printf '%8s %7s  %-24s %s\n' "$pct" "$samples" "$pidcomm" \
                          "$(awk -v p="${pidcomm%%:*}" '$1 == p { $1 = ""; print substr($0, 2, 70); exit }' "$profile_dir/ps.txt")"
                  done
            echo
            echo "== the agent's PostgreSQL backend: its main phases, inclusive (% of the backend's samples)"
            report_top 400 -i "$profile_dir/perf-system.data" --children --pid "$backend" --percentage relative --sort sym -g none \
                | grep -E '\] (DoCopy|CopyFrom|NextCopyFrom|InputFunctionCall|nextval_internal|AfterTriggerEndQuery|ExecScan|heap_getnextslot|SPI_execute_snapshot|ExecInitLockRows|heap_insert|index_insert|_bt_doinsert|_bt_compare|SpeculativeInsertion.*|tuplesort_.*|ExecuteTruncate|__libc_pwrite|__libc_recv|__libc_send|numeric_in|uuid_in|date_in)$'
            echo
            echo "== the agent's PostgreSQL backend, by function (self, % of the backend's samples)"
            report_top 30 -i "$profile_dir/perf-system.data" --no-children --pid "$backend" --percentage relative --sort dso,sym -g none
            echo
            echo "== mariadbd, by function (self, % of its samples)"
            report_top 20 -i "$profile_dir/perf-system.data" --no-children --pid "$mariadbd_pid" --percentage relative --sort dso,sym -g none
            echo
            echo "== the agent alone (second sync, DWARF call graphs, 4999 Hz): by shared object"
            report_top 12 -i "$profile_dir/perf-agent.data" --no-children --sort dso -n -g none
            echo
            echo "== the agent: inclusive (children), by function"
            report_top 60 -i "$profile_dir/perf-agent.data" --children --sort sym -g none
            echo
            echo "== the agent: self, by function"
            report_top 30 -i "$profile_dir/perf-agent.data" --no-children --sort dso,sym -g none
        else
            echo "== the agent (callgrind, instructions, inclusive)"
            callgrind_annotate --inclusive=yes "$profile_dir/callgrind.out" 2>/dev/null | head -60
        fi
    ) >"$profile_dir/summary.txt" 2>&1
    echo "sync_bench: profile in $profile_dir/summary.txt" >&2
}
profile_rows=${SYNC_BENCH_PROFILE_ROWS:-}
if [ -z "$profile_rows" ]; then
    if perf record -o /dev/null -- true >/dev/null 2>&1; then profile_rows=1000000; else profile_rows=100000; fi
fi

# ---- the measurements ----------------------------------------------------------------------
for n in $sizes; do
    echo "sync_bench: $n production rows: making the source" >&2
    make_production "$n"
    total=$((n + wells))
    for r in $(seq 1 "$runs"); do
        echo "sync_bench: $n rows, round $r of $runs" >&2
        tag="n=$n run=$r"

        # 1. full sync into an empty target
        reset_target
        res=$(timed "$tmp/full.log" "$agent" --once)
        got=$(pg_value -d bench_target -c "SELECT (SELECT count(*) FROM production_data) || ' ' || (SELECT count(*) FROM wells)")
        [ "$got" = "$n $wells" ] || fail "$tag full sync: the target has '$got' production rows and wells, not '$n $wells'"
        [ "$(state rows_rejected)" = 0 ] || fail "$tag full sync: $(state rows_rejected) rows rejected"
        [ "$(state rows_written)" = "$total" ] || fail "$tag full sync: $(state rows_written) rows written, not $total"
        echo "$tag what=full $res written=$(state rows_written) $(durations "$tmp/full.log")" >>"$results"

        # 2. re-sync, nothing changed
        res=$(timed "$tmp/resync.log" "$agent" --once)
        written=$(state rows_written)
        [ "$written" = 0 ] || fail "$tag re-sync of unchanged data wrote $written rows"
        echo "$tag what=resync $res written=$written $(durations "$tmp/resync.log")" >>"$results"

        # 3. re-sync with 1% of the production rows changed
        my bench_src -e "UPDATE production SET oil_bbl = oil_bbl + 1 WHERE id % 100 = 0"
        res=$(timed "$tmp/change.log" "$agent" --once)
        written=$(state rows_written)
        [ "$written" = $((n / 100)) ] || fail "$tag re-sync after 1% changed wrote $written rows, not $((n / 100))"
        echo "$tag what=change $res written=$written $(durations "$tmp/change.log")" >>"$results"

        # 1b, 2b. full sync and unchanged re-sync, tables with primary keys only
        reset_target bench_bare "$bare_agent"
        bare_dsn="host=127.0.0.1 port=$pg_port user=postgres dbname=bench_bare"
        res=$(BENCH_SYNC_TARGET_DSN=$bare_dsn timed "$tmp/bare_full.log" "$bare_agent" --once)
        got=$(pg_value -d bench_bare -c "SELECT (SELECT count(*) FROM production_data) || ' ' || (SELECT count(*) FROM wells)")
        [ "$got" = "$n $wells" ] || fail "$tag bare full sync: the target has '$got' production rows and wells, not '$n $wells'"
        [ "$(state rows_rejected bench_bare)" = 0 ] || fail "$tag bare full sync: $(state rows_rejected bench_bare) rows rejected"
        [ "$(state rows_written bench_bare)" = "$total" ] || fail "$tag bare full sync: $(state rows_written bench_bare) rows written, not $total"
        echo "$tag what=bare_full $res written=$(state rows_written bench_bare) $(durations "$tmp/bare_full.log")" >>"$results"
        res=$(BENCH_SYNC_TARGET_DSN=$bare_dsn timed "$tmp/bare_resync.log" "$bare_agent" --once)
        written=$(state rows_written bench_bare)
        [ "$written" = 0 ] || fail "$tag bare re-sync of unchanged data wrote $written rows"
        echo "$tag what=bare_resync $res written=$written $(durations "$tmp/bare_resync.log")" >>"$results"
        # 2c. the agent reading and transforming alone: no comparison, no write
        res=$(BENCH_SYNC_TARGET_DSN=$bare_dsn timed "$tmp/bare_dry.log" "$bare_agent" --once --dry-run)
        read=$(sed -n 's/.*"entity":"ProductionRecord".*"rows_read":\([0-9]*\).*/\1/p' "$tmp/bare_dry.log" | tail -1)
        [ "$read" = "$n" ] || fail "$tag dry run read '$read' production rows, not $n"
        echo "$tag what=bare_dry $res" >>"$results"

        # 4. the naive pipe into an empty table, and the extract alone
        pg -d bench_pipe -c "TRUNCATE production"
        res=$(timed "$tmp/pipe.log" bash "$tmp/pipe.sh")
        got=$(pg_value -d bench_pipe -c "SELECT count(*) FROM production")
        [ "$got" = "$n" ] || fail "$tag pipe: $got rows, not $n"
        echo "$tag what=pipe $res written=$got" >>"$results"
        res=$(timed "$tmp/extract.log" bash "$tmp/extract.sh")
        echo "$tag what=extract $res" >>"$results"
        # 4c. the same pipe into the agent's own table (foreign key, indexes)
        pg -d bench_canon -c "TRUNCATE production_data"
        if [ "$r" = 1 ]; then   # its wells, for the foreign key (not timed)
            pg -d bench_canon -c "TRUNCATE production_data, wells CASCADE"
            BENCH_SYNC_TARGET_DSN="host=127.0.0.1 port=$pg_port user=postgres dbname=bench_canon" \
                "$agent" --once --entity Well 2>"$tmp/canon.log" || { cat "$tmp/canon.log" >&2; die "bench_canon wells"; }
        fi
        res=$(timed "$tmp/pipe_canon.log" bash "$tmp/pipe_canon.sh")
        got=$(pg_value -d bench_canon -c "SELECT count(*) FROM production_data")
        [ "$got" = "$n" ] || fail "$tag pipe into the canonical table: $got rows, not $n"
        echo "$tag what=pipe_canon $res written=$got" >>"$results"

        # 5. pgloader
        if [ "$has_pgloader" = 1 ]; then
            pg -d bench_pgloader -c "TRUNCATE production"
            res=$(timed "$tmp/pgloader.log" pgloader "$tmp/pgloader.load")
            got=$(pg_value -d bench_pgloader -c "SELECT count(*) FROM production")
            [ "$got" = "$n" ] || { cat "$tmp/pgloader.log" >&2; fail "$tag pgloader: $got rows, not $n"; }
            echo "$tag what=pgloader $res written=$got" >>"$results"
        fi
    done
    if [ "$want_profile" = 1 ] && [ "$n" = "$profile_rows" ]; then
        profile "$n"
    fi
done
if [ "$want_profile" = 1 ] && ! grep -qw "$profile_rows" <<<"$sizes"; then
    make_production "$profile_rows"
    profile "$profile_rows"
fi

# ---- the report --------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
pg_version=$(pg_value -c "SHOW server_version")
my_version=$(my -N -B -e "SELECT VERSION()")
gcc_version=$(${CC:-cc} --version | head -1)
pgloader_version="-"
if [ "$has_pgloader" = 1 ]; then
    pgloader_version=$(pgloader --version 2>/dev/null | sed -n 's/^pgloader version "\(.*\)"$/\1/p' || true)
    pkg=$(dpkg-query -W -f='${Version}' pgloader 2>/dev/null || true)
    pgloader_version="${pkg:+$pkg (Debian package), }reporting version ${pgloader_version:-?}"
fi
{
    echo "Sync agent benchmark: tenant bench_sync (bench/sync_tenant.wmap) over the canonical schema (bench/sync.wmap) and, rows 1b, 2b and 2c, over tables with primary keys only (bench/sync_bare.wmap); median of $runs runs per row."
    echo "Machine: nproc $(nproc), \"$cpu\", $mem RAM; $(uname -sr). Load average at the start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Code: commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git status --porcelain -- compiler runtime grammar 2>/dev/null)" ] && echo ', with uncommitted changes in compiler/, runtime/ or grammar/'); agent: $("$agent" --version)."
    echo "Versions: PostgreSQL $pg_version, MariaDB $my_version, $gcc_version, pgloader $pgloader_version."
    echo "Servers: tests/servers/ (PostgreSQL: fsync, full_page_writes and synchronous_commit off, other settings default; MariaDB: innodb_flush_log_at_trx_commit 0, buffer pool $(my -N -B -e "SELECT @@innodb_buffer_pool_size DIV 1048576") MiB)."
    echo
    awk -v runs="$runs" -v wells="$wells" -v pgloader_note="$pgloader_note" '
    function kv(key,   i, p) {
        for (i = 1; i <= NF; i++) { split($i, p, "="); if (p[1] == key) return p[2] }
        return ""
    }
    function sorted(list, a,   n, i, j, t) {
        n = split(list, a, " ")
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
        return n
    }
    function med(n, what, f,   a, k) {
        k = sorted(v[n, what, f], a)
        if (!k) return ""
        return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    function lo(n, what, f,   a) { return sorted(v[n, what, f], a) ? a[1] : "" }
    function hi(n, what, f,   a, k) { k = sorted(v[n, what, f], a); return k ? a[k] : "" }
    function top(n, what, f) { return hi(n, what, f) }
    function commas(x,   s, r, neg) {
        s = sprintf("%.0f", x); r = ""; neg = ""
        if (substr(s, 1, 1) == "-") { neg = "-"; s = substr(s, 2) }
        while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
        return neg s r
    }
    function secs(n, what) {
        if (med(n, what, "wall") == "") return "-"
        return sprintf("%.2f s (%.2f-%.2f)", med(n, what, "wall"), lo(n, what, "wall"), hi(n, what, "wall"))
    }
    function rate(n, what, rows) { return med(n, what, "wall") == "" ? "-" : commas(rows / med(n, what, "wall")) "/s" }
    function mib(n, what) { return top(n, what, "rss_kb") == "" ? "-" : sprintf("%.1f MiB", top(n, what, "rss_kb") / 1024) }
    function written(n, what,   a, k, i, s) {   # one value if every run wrote the same, else each
        k = sorted(v[n, what, "written"], a)
        if (!k) return "-"
        if (a[1] == a[k]) return commas(a[1])
        s = ""
        for (i = 1; i <= k; i++) s = s (i > 1 ? "; " : "") commas(a[i])
        return s
    }
    {
        n = kv("n"); what = kv("what")
        if (n == "") next
        if (!(n in seen)) { seen[n] = 1; order[++sizes] = n }
        for (i = 1; i <= NF; i++) {
            split($i, p, "=")
            if (p[1] != "n" && p[1] != "run" && p[1] != "what" && p[2] != "") v[n, what, p[1]] = v[n, what, p[1]] " " p[2]
        }
    }
    END {
        for (s = 1; s <= sizes; s++) {
            n = order[s]; total = n + wells
            full = med(n, "full", "wall"); pipe = med(n, "pipe", "wall"); pgl = med(n, "pgloader", "wall")
            full_rate = total / full
            prod_rate = med(n, "full", "prod_ms") ? n / (med(n, "full", "prod_ms") / 1000) : 0
            printf "### %s production rows (and %s wells)\n\n", commas(n), commas(wells)
            print "| measurement | wall time, median (min-max) | rows/s | peak RSS | rows written (each run) |"
            print "|---|---|---|---|---|"
            printf "| 1. full sync into an empty target: `agent --once` | %s | %s | %s | %s |\n", secs(n, "full"),
                   rate(n, "full", total), mib(n, "full"), written(n, "full")
            printf "| 2. re-sync, nothing changed: `agent --once` | %s | %.2fx the full sync | %s | %s |\n", secs(n, "resync"),
                   med(n, "resync", "wall") / full, mib(n, "resync"), written(n, "resync")
            printf "| 3. re-sync, 1%% of the production rows changed | %s | %.2fx the full sync | %s | %s |\n", secs(n, "change"),
                   med(n, "change", "wall") / full, mib(n, "change"), written(n, "change")
            if (med(n, "bare_full", "wall") != "") {
                printf "| 1b. full sync into tables with primary keys only (bench/sync_bare.wmap, the pipe'"'"'s table shape) | %s | %s | %s | %s |\n",
                       secs(n, "bare_full"), rate(n, "bare_full", total), mib(n, "bare_full"), written(n, "bare_full")
                printf "| 2b. re-sync of 1b, nothing changed | %s | %.2fx the full sync 1b | %s | %s |\n", secs(n, "bare_resync"),
                       med(n, "bare_resync", "wall") / med(n, "bare_full", "wall"), mib(n, "bare_resync"), written(n, "bare_resync")
                if (med(n, "bare_dry", "wall") != "")
                    printf "| 2c. the same agent reading alone: `agent --once --dry-run` (extracts and transforms every row; compares and writes nothing) | %s | %.2fx the full sync 1b | %s | - |\n",
                           secs(n, "bare_dry"), med(n, "bare_dry", "wall") / med(n, "bare_full", "wall"), mib(n, "bare_dry")
            }
            printf "| 4. pipe: `mariadb --quick -B -N -e ... \\| psql -c \"\\copy ...\"` (production only) | %s | %s | %s (largest process) | %s |\n",
                   secs(n, "pipe"), rate(n, "pipe", n), mib(n, "pipe"), written(n, "pipe")
            printf "| 4b. extract alone: `mariadb --quick -B -N -e ... > /dev/null` | %s | %s | %s | - |\n",
                   secs(n, "extract"), rate(n, "extract", n), mib(n, "extract")
            if (med(n, "pipe_canon", "wall") != "")
                printf "| 4c. the same pipe into the agent'"'"'s own table (`production_data`: foreign key, two indexes) | %s | %s | %s (largest process) | %s |\n",
                       secs(n, "pipe_canon"), rate(n, "pipe_canon", n), mib(n, "pipe_canon"), written(n, "pipe_canon")
            if (pgl != "")
                printf "| 5. pgloader, the same table (production only) | %s | %s | %s | %s |\n", secs(n, "pgloader"),
                       rate(n, "pgloader", n), mib(n, "pgloader"), written(n, "pgloader")
            else
                printf "| 5. pgloader | %s | - | - | - |\n", pgloader_note
            printf "\nFull sync: %s rows/s (%s production + %s wells in %.2f s, the whole `--once` process), " \
                   "%.2f of the pipe (%s rows/s)", commas(full_rate), commas(n), commas(wells), full, full_rate / (n / pipe), commas(n / pipe)
            canon = med(n, "pipe_canon", "wall")
            if (canon != "")
                printf ", %.2f of the pipe into the same table (%s rows/s)", full_rate / (n / canon), commas(n / canon)
            printf "%s", pgl != "" ? sprintf(" and %.2f of pgloader (%s rows/s)", full_rate / (n / pgl), commas(n / pgl)) : "; pgloader not run"
            if (prod_rate)
                printf ". ProductionRecord alone, by the agent'"'"'s log: %s rows/s, %.2f of the pipe", commas(prod_rate), prod_rate / (n / pipe)
            if (med(n, "full", "well_ms") != "")
                printf ". Well (%s rows) took %.2f s of the full sync, %.2f s of the re-sync and %.2f s of the 1%% re-sync (medians, the agent'"'"'s log)",
                       commas(wells), med(n, "full", "well_ms") / 1000, med(n, "resync", "well_ms") / 1000, med(n, "change", "well_ms") / 1000
            bare = med(n, "bare_full", "wall")
            if (bare != "")
                printf ". Into tables with primary keys only (1b): %s rows/s, %.2f of the pipe%s; its unchanged re-sync %.2fx its full sync",
                       commas(total / bare), (total / bare) / (n / pipe),
                       pgl != "" ? sprintf(" and %.2f of pgloader", (total / bare) / (n / pgl)) : "",
                       med(n, "bare_resync", "wall") / bare
            printf ".\n\n"
            dry = med(n, "bare_dry", "wall")
            bare_summary[s] = bare == "" ? "" : sprintf("| %s | %s/s | %.2f | %s | %.2f s | %.2f | %s | %s |", commas(n), commas(total / bare),
                                 (total / bare) / (n / pipe), pgl != "" ? sprintf("%.2f", (total / bare) / (n / pgl)) : "not run",
                                 med(n, "bare_resync", "wall"), med(n, "bare_resync", "wall") / bare, written(n, "bare_resync"),
                                 dry != "" ? sprintf("%.2f", dry / bare) : "-")
            summary[s] = sprintf("| %s | %s/s | %.2f | %s | %s | %.2f s | %.2f | %s | %.2f s | %s |", commas(n), commas(full_rate),
                                 full_rate / (n / pipe), canon != "" ? sprintf("%.2f", full_rate / (n / canon)) : "-",
                                 pgl != "" ? sprintf("%.2f", full_rate / (n / pgl)) : "not run",
                                 med(n, "resync", "wall"), med(n, "resync", "wall") / full, written(n, "resync"),
                                 med(n, "change", "wall"), mib(n, "full"))
        }
        print "### Summary\n"
        print "| production rows | full sync rows/s | ÷ pipe | ÷ pipe into the same table | ÷ pgloader | re-sync (unchanged) | re-sync ÷ full | rows written on re-sync | re-sync, 1% changed | agent peak RSS |"
        print "|---|---|---|---|---|---|---|---|---|---|"
        for (s = 1; s <= sizes; s++) print summary[s]
        print "\nThe same agent into tables with primary keys only (bench/sync_bare.wmap; the pipe and pgloader load such a table):\n"
        print "| production rows | full sync rows/s | ÷ pipe | ÷ pgloader | re-sync (unchanged) | re-sync ÷ full | rows written on re-sync | reading alone (--dry-run) ÷ full |"
        print "|---|---|---|---|---|---|---|---|"
        for (s = 1; s <= sizes; s++) if (bare_summary[s] != "") print bare_summary[s]
    }' "$results"
    echo
    echo "Commands (MY_PORT, PG_PORT: the private servers' ports; BENCH_SYNC_SOURCE_DSN=\"host=127.0.0.1 port=\$MY_PORT user=root dbname=bench_src\", BENCH_SYNC_TARGET_DSN=\"host=127.0.0.1 port=\$PG_PORT user=postgres dbname=bench_target\"):"
    echo
    echo '```sh'
    echo "# 1. full sync (before it, not timed: DROP DATABASE bench_target; CREATE DATABASE bench_target; $agent --init)"
    echo "runstat -n 1 -m -- $agent --once"
    echo "# 2. re-sync, nothing changed"
    echo "runstat -n 1 -m -- $agent --once"
    echo "# 3. re-sync, 1% changed (before it, not timed: mariadb bench_src -e 'UPDATE production SET oil_bbl = oil_bbl + 1 WHERE id % 100 = 0')"
    echo "runstat -n 1 -m -- $agent --once"
    echo "# 1b, 2b. the same as 1 and 2 with $bare_agent (bench/sync_bare.wmap) and dbname=bench_bare"
    echo "# 2c. reading alone (dbname=bench_bare)"
    echo "runstat -n 1 -m -- $bare_agent --once --dry-run"
    echo "# 4. pipe (before it: TRUNCATE production in bench_pipe)"
    sed -e "s/-P $my_port/-P \$MY_PORT/" -e "s/-p $pg_port/-p \$PG_PORT/" "$tmp/pipe.sh" | grep -v pipefail
    echo "# 4c. the pipe into the agent's table (before it: TRUNCATE production_data in bench_canon, made by agent --init, wells by agent --entity Well)"
    sed -e "s/-P $my_port/-P \$MY_PORT/" -e "s/-p $pg_port/-p \$PG_PORT/" "$tmp/pipe_canon.sh" | grep -v pipefail
    echo "# 4b. extract alone"
    sed -e "s/-P $my_port/-P \$MY_PORT/" "$tmp/extract.sh"
    echo "# 5. pgloader (before it: TRUNCATE production in bench_pgloader)"
    echo "pgloader sync.load   # sync.load:"
    sed -e "s/:$my_port\//:\$MY_PORT\//" -e "s/:$pg_port\//:\$PG_PORT\//" -e 's/^/#   /' "$tmp/pgloader.load"
    echo '```'
} | tee "$report"

if [ "$failed" = 1 ]; then
    echo "sync_bench: some checks failed (see above and $results)" >&2
    exit 1
fi
