#!/usr/bin/env bash
# tests/e2e/run.sh [WELLOSC] - end-to-end tests of the sync agents that
# `wellosc build` makes from the example specs, against a private MariaDB
# and PostgreSQL started for the run (tests/servers/) and always stopped:
#
#   eagle_ford  (examples/eagle_ford.wmap)  MariaDB -> PostgreSQL
#   bakken_pg   (examples/bakken_pg.wmap)   PostgreSQL -> PostgreSQL
#   lone_star   (examples/lone_star.wmap)   MariaDB -> PostgreSQL, on the
#               demo's dataset (examples/demo/lone_star_source.sql)
#
# The source tables are made here (tests/e2e/*_source.sql) from what the
# specs' plans read.  Every comparison of rows is exact: the expected rows
# are computed independently of the agent, by a query on the source that
# applies the spec's mapping (or written out by hand), and the sorted dumps
# of both sides are diffed.  What the tests prove, each named after it:
# first sync; a resync writes nothing; inserts, updates, soft deletes and
# keys coming back; incremental watermarks (ties across a batch boundary,
# rows committed late within and beyond the lookback, NULL watermarks,
# an expression watermark, a watermark on a mapped column, read once); a
# text key compared in byte order whatever the source's collation; a
# sliding window and --full; rejects with their reasons; `on error abort`;
# kill -9 during a large load; a source connection cut mid-extract; a
# foreign tenant's target; --version; and `wellosc build -M`.
#
# Prints "N passed, N failed"; exits 1 if any failed.  E2E_KEEP=DIR keeps
# every output (agent logs, expected and actual dumps, diffs) in DIR.
set -u
cd "$(dirname "$0")/../.."
wellosc=${1:-./wellosc}
wellosc=$(cd "$(dirname "$wellosc")" && pwd)/$(basename "$wellosc")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wellos-e2e.XXXXXX")
out=$tmp/out
mkdir -p "$out"
passed=0
failed=0
bg=""
t_start=$SECONDS

stop_all() {
    [ -n "$bg" ] && kill -9 $bg 2>/dev/null
    wait ${pg_pid:-} ${my_pid:-} 2>/dev/null   # a server still starting is stopped once up
    [ -n "${E2E_KEEP:-}" ] && mkdir -p "$E2E_KEEP" && cp -r "$out"/. "$E2E_KEEP"/
    bash tests/servers/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
    bash tests/servers/mariadb.sh stop "$tmp/mariadb" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { echo "e2e: $*" >&2; exit 1; }

# ---- servers and agents ----------------------------------------------------------
# A certificate authority and a server certificate for 127.0.0.1, so that
# MariaDB offers TLS (the TLS checks below), and a second authority that
# signed nothing of it.
tls=$tmp/tls
mkdir -p "$tls"
{ openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=wellos-e2e-ca -keyout "$tls/ca.key" -out "$tls/ca.pem" &&
  openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$tls/server.key" -out "$tls/server.csr" &&
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$tls/san.ext" &&
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
      -extfile "$tls/san.ext" -out "$tls/server.pem" &&
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=another-ca -keyout "$tls/other.key" -out "$tls/other.pem"
} >"$tmp/openssl.log" 2>&1 || { cat "$tmp/openssl.log" >&2; die "openssl"; }
bash tests/servers/pg.sh start "$tmp/pg" >"$tmp/pg.log" 2>&1 &
pg_pid=$!
WR_MARIADB_OPTIONS="--ssl-ca=$tls/ca.pem --ssl-cert=$tls/server.pem --ssl-key=$tls/server.key" \
    bash tests/servers/mariadb.sh start "$tmp/mariadb" >"$tmp/mariadb.log" 2>&1 &
my_pid=$!
for ex in eagle_ford bakken_pg lone_star; do
    "$wellosc" build -o "$tmp/wellos-sync-$ex" "examples/$ex.wmap" || die "wellosc build failed for $ex"
done
eagle=$tmp/wellos-sync-eagle_ford
bakken=$tmp/wellos-sync-bakken_pg
lone=$tmp/wellos-sync-lone_star
wait $pg_pid || { cat "$tmp/pg.log" >&2; die "postgres did not start"; }
wait $my_pid || { cat "$tmp/mariadb.log" >&2; die "mariadb did not start"; }
. "$tmp/pg/env"
. "$tmp/mariadb/env"
export PGTZ=UTC

# my DB SQL: MariaDB as root, tab-separated, no escaping
my() { local db=$1; shift; mariadb --no-defaults -uroot --socket="$MYSQL_UNIX_PORT" -N -B -r "$db" -e "$*"; }
# pg DB SQL: one value per line
pg() { local db=$1; shift; psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$db" -c "$*"; }

for db in eagle_src eagle_big eagle_fk lone_src; do my mysql "CREATE DATABASE $db CHARACTER SET utf8mb4" || die "mariadb"; done
for db in eagle eagle_big eagle_fk bakken_src bakken lone; do pg postgres "CREATE DATABASE $db" || die "createdb $db"; done
my eagle_src "$(cat tests/e2e/eagle_source.sql)" || die "loading tests/e2e/eagle_source.sql"
my lone_src "$(cat examples/demo/lone_star_source.sql)" || die "loading examples/demo/lone_star_source.sql"
psql -X -q -v ON_ERROR_STOP=1 -d bakken_src -f tests/e2e/bakken_source.sql || die "loading tests/e2e/bakken_source.sql"

my_dsn="host=127.0.0.1 port=$WR_TEST_MYSQL_PORT user=root"
pg_dsn="host=$PGHOST port=$PGPORT user=postgres"
export EAGLE_SOURCE_DSN="$my_dsn dbname=eagle_src" EAGLE_TARGET_DSN="$pg_dsn dbname=eagle"
export BAKKEN_SOURCE_DSN="$pg_dsn dbname=bakken_src" BAKKEN_TARGET_DSN="$pg_dsn dbname=bakken"
export LONE_STAR_SOURCE_DSN="$my_dsn dbname=lone_src" LONE_STAR_TARGET_DSN="$pg_dsn dbname=lone"

# ---- test helpers ------------------------------------------------------------------
last=none
# run NAME AGENT ARGS...: the agent's stdout and stderr in $out/NAME.{out,err}, status in $rc
run() {
    local name=$1 agent=$2; shift 2
    last=$name
    "$agent" "$@" >"$out/$name.out" 2>"$out/$name.err" </dev/null
    rc=$?
}
ok() { passed=$((passed + 1)); echo "ok    $1"; }
not_ok() {
    failed=$((failed + 1))
    echo "FAIL  $1${2:+: $2}"
    for f in "$out/$last.out" "$out/$last.err"; do [ -s "$f" ] && sed 's/^/      | /' "$f" | tail -6; done
}
# check NAME "what it got" COMMAND...
check() {
    local name=$1 got=$2; shift 2
    if "$@"; then ok "$name"; else not_ok "$name" "$got"; fi
}
# same NAME: diffs $out/NAME.expected and $out/NAME.actual, both sorted
same() {
    local name=$1
    LC_ALL=C sort -o "$out/$name.expected" "$out/$name.expected"
    LC_ALL=C sort -o "$out/$name.actual" "$out/$name.actual"
    if diff "$out/$name.expected" "$out/$name.actual" >"$out/$name.diff"; then
        ok "$name ($(wc -l <"$out/$name.expected") rows)"
    else
        failed=$((failed + 1))
        echo "FAIL  $name: $(grep -c '^<' "$out/$name.diff") expected rows missing or different, $(grep -c '^>' "$out/$name.diff") unexpected (< expected, > actual)"
        head -10 "$out/$name.diff" | sed 's/^/      | /'
    fi
}
wait_until() {   # SECONDS COMMAND...
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do [ $SECONDS -ge $deadline ] && return 1; sleep 0.05; done
}
# state DB ENTITY EXPR: a column of the entity's sync state
state() { pg "$1" "SELECT $3 FROM wellos_sync_state WHERE entity = '$2'"; }
written() { pg "$1" "SELECT coalesce(sum(rows_written), 0) FROM wellos_sync_state"; }
no_agent_lock() { [ "$(pg postgres "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = 0 ]; }
snapshot() {   # DB: a digest of every table the agent writes
    local db=$1
    for t in wells production_data equipment wellos_sync_state wellos_sync_rejects wellos_tenant; do
        pg "$db" "SELECT '$t', count(*), md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM $t x"
    done
}

# ---- the expected rows and the actual ones, as text ------------------------------------
# Both sides print the same canonical line per row: fields joined by '|',
# NULL as '~', uuids in lower case, timestamps in UTC, decimals with their
# scale, floats rounded to 6 places.

# Target side (any tenant)
act_wells() {   # DB: live wells
    pg "$1" "SELECT concat_ws('|', id, name, coalesce(api_number, '~'), coalesce(round(latitude::numeric, 6)::text, '~'),
                   coalesce(round(longitude::numeric, 6)::text, '~'), status, coalesce(lease, '~'),
                   coalesce(to_char(created_at, 'YYYY-MM-DD HH24:MI:SS'), '~'))
             FROM wells WHERE deleted_at IS NULL"
}
act_deleted() { pg "$1" "SELECT id FROM wells WHERE deleted_at IS NOT NULL"; }
act_production() {
    pg "$1" "SELECT concat_ws('|', id, well_id, to_char(date, 'YYYY-MM-DD'), coalesce(oil::text, '~'),
                   coalesce(gas::text, '~'), coalesce(water::text, '~')) FROM production_data"
}
act_equipment() {
    pg "$1" "SELECT concat_ws('|', id, coalesce(well_id::text, '~'), type, coalesce(manufacturer, '~'), coalesce(model, '~'),
                   coalesce(serial_number, '~'), coalesce(to_char(installed_at, 'YYYY-MM-DD'), '~'), status,
                   CASE WHEN deleted_at IS NULL THEN 'live' ELSE 'deleted' END) FROM equipment"
}
act_rejects() { pg "$1" "SELECT DISTINCT entity || '|' || coalesce(source_key, '~') || '|' || reason FROM wellos_sync_rejects"; }

# eagle_ford: examples/eagle_ford.wmap applied by MariaDB to the source
UUID_RE='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
EAGLE_STATUS="CASE LOWER(TRIM(well_status)) WHEN 'producing' THEN 'ACTIVE' WHEN 'shut in' THEN 'INACTIVE'
              WHEN 'plugged' THEN 'PLUGGED' WHEN 'abandoned' THEN 'PLUGGED' END"
exp_eagle_wells() {   # DB
    my "$1" "SELECT CONCAT_WS('|', LOWER(well_uuid), TRIM(well_name), COALESCE(api_no, '~'), COALESCE(lat_deg, '~'),
                    COALESCE(lon_deg, '~'), $EAGLE_STATUS, COALESCE(UPPER(TRIM(lease_name)), '~'),
                    COALESCE(DATE_FORMAT(created, '%Y-%m-%d %H:%i:%s'), '~'))
             FROM wells_master
             WHERE well_uuid REGEXP '$UUID_RE' AND ($EAGLE_STATUS) IS NOT NULL
               AND lat_deg BETWEEN -90 AND 90 AND lon_deg BETWEEN -180 AND 180"
}
# rows that are rejected, or that the watermark contract does not read
eagle_skip="401, 402, 403, 404, 405, 406"
exp_eagle_production() {   # DB [SKIPPED IDS]
    my "$1" "SELECT CONCAT_WS('|', volume_id, LOWER(well_uuid), DATE_FORMAT(STR_TO_DATE(prod_day, '%d/%m/%Y'), '%Y-%m-%d'),
                    COALESCE(CAST(TRIM(oil_bbl) AS DECIMAL(12,2)), '~'), COALESCE(CAST(TRIM(gas_mcf) AS DECIMAL(12,2)), '~'),
                    CAST(COALESCE(TRIM(water_bbl), '0') AS DECIMAL(12,2)))
             FROM daily_volumes WHERE volume_id NOT IN (${2:-0})"
}

# bakken_pg: examples/bakken_pg.wmap applied by PostgreSQL to the source.
# Arithmetic rounds half even into decimal(12,2) (runtime/wr.h); round()
# would round half away from zero, hence e2e_rhe.
BAKKEN_STATUS="CASE status_code WHEN 'A' THEN 'ACTIVE' WHEN 'I' THEN 'INACTIVE' WHEN 'P' THEN 'PLUGGED' END"
RHE="CREATE OR REPLACE FUNCTION pg_temp.rhe(v numeric) RETURNS numeric LANGUAGE sql AS \$\$
       SELECT CASE WHEN abs(v * 100 - trunc(v * 100)) = 0.5
                   THEN (trunc(v * 100) + CASE WHEN trunc(v * 100) % 2 = 0 THEN 0 ELSE sign(v) END) / 100
                   ELSE round(v, 2) END::numeric(12,2) \$\$;"
exp_bakken_wells() {
    psql -X -A -t -q -v ON_ERROR_STOP=1 -d bakken_src -c "
        SELECT concat_ws('|', well_id, well_name, coalesce(api14, '~'), coalesce(round(surface_lat::numeric, 6)::text, '~'),
               coalesce(round(surface_lon::numeric, 6)::text, '~'), $BAKKEN_STATUS,
               coalesce(lease_name || ' ' || lease_number, '~'),
               coalesce(to_char(created_on AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '~'))
        FROM acct.wells WHERE ($BAKKEN_STATUS) IS NOT NULL"
}
bakken_skip="0"
exp_bakken_production() {
    psql -X -A -t -q -v ON_ERROR_STOP=1 -d bakken_src -c "$RHE" -c "
        SELECT concat_ws('|', allocation_id, well_id, to_char(period_start, 'YYYY-MM-DD'),
               coalesce(pg_temp.rhe(oil_m3 * 6.28981)::text, '~'), coalesce(pg_temp.rhe(gas_e3m3 * 35.3147)::text, '~'),
               coalesce(pg_temp.rhe(water_m3 * 6.28981)::text, '~'))
        FROM acct.monthly_allocations WHERE allocation_id NOT IN ($bakken_skip)"
}

# lone_star: examples/lone_star.wmap applied by MariaDB to the demo's source
LONE_STATUS="CASE Status WHEN 'Active' THEN 'ACTIVE' WHEN 'Shut-In' THEN 'INACTIVE' WHEN 'P&A' THEN 'PLUGGED' END"
exp_lone_wells() {
    my lone_src "SELECT CONCAT_WS('|', LOWER(WellID), TRIM(WellName), COALESCE(APINumber, '~'), COALESCE(Latitude, '~'),
                        COALESCE(Longitude, '~'), $LONE_STATUS, COALESCE(UPPER(TRIM(LeaseName)), '~'),
                        COALESCE(DATE_FORMAT(CreatedDate, '%Y-%m-%d %H:%i:%s'), '~'))
                 FROM WellMaster WHERE ($LONE_STATUS) IS NOT NULL"
}
# WHERE: which rows (the window, or all of them)
exp_lone_production() {
    my lone_src "SELECT CONCAT_WS('|', RecordID, LOWER(WellID), DATE_FORMAT(ProductionDate, '%Y-%m-%d'),
                        CAST(COALESCE(OilVolume, 0) AS DECIMAL(12,2)), CAST(COALESCE(GasVolume, 0) AS DECIMAL(12,2)),
                        CAST(COALESCE(WaterVolume, 0) AS DECIMAL(12,2)))
                 FROM ProductionRecords WHERE WellID REGEXP '$UUID_RE' AND ($1)"
}
LONE_TYPE="CASE UPPER(TRIM(EquipType)) WHEN 'PUMP JACK' THEN 'PUMP_JACK' WHEN 'ESP' THEN 'ESP' WHEN 'GAS LIFT' THEN 'GAS_LIFT'
           WHEN 'SEPARATOR' THEN 'SEPARATOR' WHEN 'TANK' THEN 'TANK' WHEN 'COMPRESSOR' THEN 'COMPRESSOR'
           WHEN 'METER' THEN 'METER' ELSE 'OTHER' END"
LONE_EQ_STATUS="CASE StatusCode WHEN 'OP' THEN 'OPERATIONAL' WHEN 'MT' THEN 'MAINTENANCE' WHEN 'FL' THEN 'FAILED'
                WHEN 'RT' THEN 'RETIRED' END"
exp_lone_equipment() {
    my lone_src "SELECT CONCAT_WS('|', LOWER(EquipmentGUID), COALESCE(LOWER(WellID), '~'), $LONE_TYPE, COALESCE(TRIM(Make), '~'),
                        COALESCE(TRIM(Model), '~'), COALESCE(SerialNo, '~'),
                        COALESCE(DATE_FORMAT(STR_TO_DATE(InstallDate, '%m/%d/%Y'), '%Y-%m-%d'), '~'), $LONE_EQ_STATUS, 'live')
                 FROM EquipmentMaster WHERE InstallDate IS NULL OR InstallDate REGEXP '^(0[1-9]|1[0-2])/(0[1-9]|[12][0-9]|3[01])/[0-9]{4}$'"
}

# ==== eagle_ford: MariaDB -> PostgreSQL ================================================
echo "# eagle_ford (MariaDB -> PostgreSQL, examples/eagle_ford.wmap)"

# the large table of the kill -9 and source-cut tests, while the wells are pristine
my eagle_big "CREATE TABLE wells_master LIKE eagle_src.wells_master;
    CREATE TABLE daily_volumes LIKE eagle_src.daily_volumes;
    INSERT INTO wells_master SELECT * FROM eagle_src.wells_master WHERE well_name NOT IN ('Drilling 41', 'No status 42', 'Off the map 43', 'Bad id');
    INSERT INTO daily_volumes
    SELECT seq, CONCAT('ef000000-0000-4000-a000-', LPAD(1 + seq % 40, 12, '0')),
           DATE_FORMAT(DATE '2000-01-01' + INTERVAL (seq DIV 40) DAY, '%d/%m/%Y'),
           CONCAT(seq % 1000, '.', LPAD(seq % 100, 2, '0')), CONCAT(seq % 3000, '.5'), CONCAT(seq % 50),
           TIMESTAMP '2025-01-01 00:00:00' + INTERVAL seq SECOND
    FROM seq_1_to_200000" || die "eagle_big"
N_BIG=200000

last=eagle_init; run eagle_init "$eagle" --init
check eagle_init "exit $rc" test $rc -eq 0
pg postgres "CREATE DATABASE eagle_objects_ref"   # the DDL's objects, for the check after the first sync
EAGLE_TARGET_DSN="$pg_dsn dbname=eagle_objects_ref" "$eagle" --init 2>/dev/null
last=eagle_sync1; run eagle_sync1 "$eagle" --once
check eagle_first_sync_exits_0 "exit $rc" test $rc -eq 0
exp_eagle_wells eagle_src >"$out/eagle_wells_first_sync.expected"; act_wells eagle >"$out/eagle_wells_first_sync.actual"
same eagle_wells_first_sync
exp_eagle_production eagle_src "$eagle_skip" >"$out/eagle_production_first_sync.expected"
act_production eagle >"$out/eagle_production_first_sync.actual"
same eagle_production_first_sync
cat >"$out/eagle_rejects.expected" <<'REJECTS'
Well|ef000000-0000-4000-a000-000000000041|status: 'drilling' is not in the map
Well|ef000000-0000-4000-a000-000000000043|latitude: 95 is outside -90 .. 90
Well|not-a-uuid|id: 'not-a-uuid' is not a uuid (8-4-4-4-12 hex digits, optionally in braces)
ProductionRecord|401|date: '31/02/2025' is not a day of the calendar
ProductionRecord|402|oil: '1,234.50' is not a number (thousands separators are not accepted)
ProductionRecord|403|water: 'n/a' is not a number
ProductionRecord|404|oil: '12.345' has more than 2 digits after the point
ProductionRecord|405|the watermark is NULL
ProductionRecord|406|the watermark is NULL
REJECTS
act_rejects eagle | grep -v '^Well|ef000000-0000-4000-a000-000000000042|' >"$out/eagle_rejects.actual"
same eagle_rejects
check eagle_reject_keeps_raw_source_values "$(pg eagle "SELECT raw FROM wellos_sync_rejects WHERE source_key = '402' LIMIT 1")" \
    test "$(pg eagle "SELECT raw = '{\"volume_id\": \"402\", \"well_uuid\": \"ef000000-0000-4000-a000-000000000001\",
                                      \"prod_day\": \"01/03/2025\", \"oil_bbl\": \"1,234.50\", \"gas_mcf\": \"1.0\",
                                      \"water_bbl\": \"1\"}'::jsonb FROM wellos_sync_rejects WHERE source_key = '402' LIMIT 1")" = t
# a NULL status: its reason must not read as if the source held the text 'NULL'
null_reason=$(pg eagle "SELECT reason FROM wellos_sync_rejects WHERE source_key = 'ef000000-0000-4000-a000-000000000042' LIMIT 1")
check eagle_null_status_is_rejected_with_a_reason_that_says_NULL "$null_reason" \
    bash -c "[[ \"\$1\" == 'status: '*NULL* && \"\$1\" != *\"'NULL'\"* ]]" _ "$null_reason"
check eagle_state_counts_the_first_sync "$(pg eagle "SELECT string_agg(entity || ' ' || rows_read || '/' || rows_written || '/' || rows_rejected || ' ' || status, ', ' ORDER BY entity) FROM wellos_sync_state")" \
    test "$(pg eagle "SELECT string_agg(entity || ' ' || rows_read || '/' || rows_written || '/' || rows_rejected || ' ' || status, ', ' ORDER BY entity) FROM wellos_sync_state")" \
         = "ProductionRecord 406/400/6 ok, Well 44/40/4 ok"
check eagle_watermark_is_the_largest_read "$(state eagle ProductionRecord watermark)" \
    test "$(state eagle ProductionRecord "watermark::timestamptz = '2025-03-01 00:06:44+00'")" = t

# the first sync was each table's initial load: every constraint and index
# the DDL made is there again (the unique one was dropped and built after)
objects() { pg eagle "SELECT string_agg(n, ',' ORDER BY n) FROM (SELECT conname AS n FROM pg_constraint WHERE conrelid IN ('wells'::regclass, 'production_data'::regclass)
                      UNION ALL SELECT indexname FROM pg_indexes WHERE tablename IN ('wells', 'production_data')) o"; }
check eagle_initial_load_leaves_every_constraint_and_index "$(objects)" \
    test "$(objects)" = "$(pg eagle_objects_ref "SELECT string_agg(n, ',' ORDER BY n) FROM (SELECT conname AS n FROM pg_constraint WHERE conrelid IN ('wells'::regclass, 'production_data'::regclass)
                                            UNION ALL SELECT indexname FROM pg_indexes WHERE tablename IN ('wells', 'production_data')) o")"
# The comparison reads the target in its key's order.  A uuid or integer
# key's index has that order: with sorts disabled the plan must not sort
# (an ORDER BY of the bare name sorted the select list's ::text instead,
# in the database's collation: at 1M uuid keys, a parallel sort).
scans=$("$wellosc" plan --tenant eagle_ford examples/eagle_ford.wmap | sed -n 's/^COPY (\(SELECT .*\)) TO STDOUT (FORMAT binary);$/\1/p')
sorts=$(while IFS= read -r scan; do
            psql -X -A -t -q -d eagle -c "SET enable_sort = off" -c "EXPLAIN $scan" | grep -c 'Sort' || true
        done <<<"$scans" | paste -sd' ')
check eagle_comparison_scans_walk_the_key_index "$(echo "$scans" | wc -l) scans, Sort nodes: $sorts" \
    test "$(echo "$scans" | grep -c '^SELECT')/$sorts" = "1/0"
before=$(snapshot eagle | grep -v wellos_sync)
rejects_before=$(pg eagle "SELECT count(*) FROM wellos_sync_rejects")
last=eagle_sync2; run eagle_sync2 "$eagle" --once
check eagle_resync_writes_nothing "exit $rc, rows_written $(written eagle)" \
    test "$rc/$(written eagle)/$(snapshot eagle | grep -v wellos_sync)" = "0/0/$before"
check eagle_resync_reads_the_lookback_only "$(state eagle ProductionRecord "rows_read || ' read'")" \
    test "$(state eagle ProductionRecord rows_read)" = "$(my eagle_src "SELECT COUNT(*) FROM daily_volumes
         WHERE last_modified >= TIMESTAMP '2025-03-01 00:06:44' - INTERVAL 15 MINUTE OR last_modified IS NULL")"
check eagle_resync_records_no_duplicate_rejects "$rejects_before rejects before, $(pg eagle "SELECT count(*) FROM wellos_sync_rejects") after" \
    test "$(pg eagle "SELECT count(*) FROM wellos_sync_rejects")" = "$rejects_before"

# inserts, updates, deletes
my eagle_src "INSERT INTO wells_master VALUES ('ef000000-0000-4000-a000-000000000050', ' New 50H ', '42280000005000',
                  28.9, -98.9, 'Producing', 'new lease', '2025-03-02 10:00:00');
              UPDATE wells_master SET lease_name = 'Renamed Lease', well_status = 'Shut In' WHERE well_uuid LIKE '%000000000002';
              DELETE FROM wells_master WHERE well_uuid LIKE '%000000000003';
              INSERT INTO daily_volumes VALUES (500, 'ef000000-0000-4000-a000-000000000050', '02/03/2025', '10.5', '20', '3',
                  '2025-03-02 00:00:00');
              UPDATE daily_volumes SET oil_bbl = '999.99', last_modified = '2025-03-02 00:00:01' WHERE volume_id = 10"
last=eagle_changes; run eagle_changes "$eagle" --once
check eagle_changes_exit_0 "exit $rc" test $rc -eq 0
exp_eagle_wells eagle_src >"$out/eagle_wells_after_changes.expected"; act_wells eagle >"$out/eagle_wells_after_changes.actual"
same eagle_wells_after_changes
exp_eagle_production eagle_src "$eagle_skip" >"$out/eagle_production_after_changes.expected"
act_production eagle >"$out/eagle_production_after_changes.actual"
same eagle_production_after_changes
check eagle_delete_sets_deleted_at "$(act_deleted eagle | tr '\n' ' ')" \
    test "$(act_deleted eagle)" = "ef000000-0000-4000-a000-000000000003"
check eagle_changes_write_exactly_the_changed_rows "$(pg eagle "SELECT string_agg(entity || ' ' || rows_written, ', ' ORDER BY entity) FROM wellos_sync_state")" \
    test "$(pg eagle "SELECT string_agg(entity || ' ' || rows_written, ', ' ORDER BY entity) FROM wellos_sync_state")" = "ProductionRecord 2, Well 2"
check eagle_delete_is_counted_in_the_log "$(grep -o '"rows_deleted":[0-9]*' "$out/eagle_changes.err" | head -1)" \
    grep -q '"entity":"Well".*"rows_deleted":1' "$out/eagle_changes.err"
my eagle_src "INSERT INTO wells_master SELECT CONCAT('ef000000-0000-4000-a000-', LPAD(3, 12, '0')), 'Kennedy 3H ', '42280000000300',
                  28.503, -98.203, 'plugged', 'BRISCOE unit', '2019-05-04 08:03:00'"
last=eagle_back; run eagle_back "$eagle" --once
check eagle_key_coming_back_clears_deleted_at "exit $rc, deleted: $(act_deleted eagle | tr '\n' ' ')" \
    test "$rc/$(act_deleted eagle | wc -l)/$(pg eagle "SELECT status || ' ' || lease FROM wells WHERE id = 'ef000000-0000-4000-a000-000000000003'")" \
         = "0/0/PLUGGED BRISCOE UNIT"
exp_eagle_wells eagle_src >"$out/eagle_wells_after_return.expected"; act_wells eagle >"$out/eagle_wells_after_return.actual"
same eagle_wells_after_return

# watermark: three rows share the largest value, across a batch boundary.
# With --batch-size 2 the extract (from the stored watermark minus 15
# minutes, NULL watermarks first) is 405 406 | 500 10 | 510 511 | 512 513:
# whatever the alignment, two of three consecutive tied rows fall into
# different batches.
my eagle_src "INSERT INTO daily_volumes VALUES
    (510, 'ef000000-0000-4000-a000-000000000001', '03/03/2025', '1.10', '1', '1', '2025-03-03 00:00:00'),
    (511, 'ef000000-0000-4000-a000-000000000001', '03/03/2025', '1.11', '1', '1', '2025-03-03 01:00:00'),
    (512, 'ef000000-0000-4000-a000-000000000002', '03/03/2025', '1.12', '1', '1', '2025-03-03 01:00:00'),
    (513, 'ef000000-0000-4000-a000-000000000004', '03/03/2025', '1.13', '1', '1', '2025-03-03 01:00:00')"
last=eagle_ties; run eagle_ties "$eagle" --once --entity ProductionRecord --batch-size 2
check eagle_ties_across_a_batch_boundary_all_land "exit $rc, $(pg eagle "SELECT count(*) FROM production_data WHERE id BETWEEN 510 AND 513") of 4" \
    test "$rc/$(pg eagle "SELECT string_agg(id || ':' || oil, ',' ORDER BY id) FROM production_data WHERE id BETWEEN 510 AND 513")" \
         = "0/510:1.10,511:1.11,512:1.12,513:1.13"
check eagle_watermark_is_the_tied_value "$(state eagle ProductionRecord watermark)" \
    test "$(state eagle ProductionRecord "watermark::timestamptz = '2025-03-03 01:00:00+00'")" = t
# a row committed later with the same watermark as the stored one
my eagle_src "INSERT INTO daily_volumes VALUES (514, 'ef000000-0000-4000-a000-000000000005', '03/03/2025', '1.14', '1', '1', '2025-03-03 01:00:00')"
last=eagle_tie_late; run eagle_tie_late "$eagle" --once --entity ProductionRecord --batch-size 2
check eagle_late_row_with_the_stored_watermark_is_read "exit $rc, written $(state eagle ProductionRecord rows_written)" \
    test "$rc/$(state eagle ProductionRecord rows_written)/$(pg eagle "SELECT oil FROM production_data WHERE id = 514")" = "0/1/1.14"
# committed late, 10 minutes older than the stored watermark: within the 15-minute lookback
my eagle_src "INSERT INTO daily_volumes VALUES (515, 'ef000000-0000-4000-a000-000000000006', '03/03/2025', '1.15', '1', '1', '2025-03-03 00:50:00')"
last=eagle_lookback; run eagle_lookback "$eagle" --once --entity ProductionRecord
check eagle_late_row_within_the_lookback_is_read "exit $rc, written $(state eagle ProductionRecord rows_written)" \
    test "$rc/$(state eagle ProductionRecord rows_written)/$(pg eagle "SELECT oil FROM production_data WHERE id = 515")" = "0/1/1.15"
# committed late, 20 minutes older: beyond the lookback, not read (the declared contract) until --full
my eagle_src "INSERT INTO daily_volumes VALUES (516, 'ef000000-0000-4000-a000-000000000008', '03/03/2025', '1.16', '1', '1', '2025-03-03 00:40:00')"
last=eagle_too_late; run eagle_too_late "$eagle" --once --entity ProductionRecord
check eagle_late_row_beyond_the_lookback_is_not_read "exit $rc, $(pg eagle "SELECT count(*) FROM production_data WHERE id = 516") rows of it" \
    test "$rc/$(state eagle ProductionRecord rows_written)/$(pg eagle "SELECT count(*) FROM production_data WHERE id = 516")" = "0/0/0"
exp_eagle_production eagle_src "$eagle_skip, 516" >"$out/eagle_production_watermark.expected"
act_production eagle >"$out/eagle_production_watermark.actual"
same eagle_production_watermark
last=eagle_full; run eagle_full "$eagle" --once --entity ProductionRecord --full
check eagle_full_reads_what_the_lookback_missed "exit $rc, written $(state eagle ProductionRecord rows_written), read $(state eagle ProductionRecord rows_read)" \
    test "$rc/$(state eagle ProductionRecord rows_written)/$(state eagle ProductionRecord rows_read)" \
         = "0/1/$(my eagle_src "SELECT COUNT(*) FROM daily_volumes")"
exp_eagle_production eagle_src "$eagle_skip" >"$out/eagle_production_after_full.expected"
act_production eagle >"$out/eagle_production_after_full.actual"
same eagle_production_after_full

# a production row whose well is rejected, or not in the source at all: the
# foreign key of production_data cannot hold it.  It belongs in the rejects
# with its reason; the rest of the batch must still land.
my eagle_fk "CREATE TABLE wells_master LIKE eagle_src.wells_master; CREATE TABLE daily_volumes LIKE eagle_src.daily_volumes;
    INSERT INTO wells_master VALUES
        ('ef000000-0000-4000-a000-0000000000f1', 'Good', '42280000000f10', 28.5, -98.5, 'producing', 'L', '2024-01-01 00:00:00'),
        ('ef000000-0000-4000-a000-0000000000f2', 'Rejected', '42280000000f20', 28.5, -98.5, 'drilling', 'L', '2024-01-01 00:00:00');
    INSERT INTO daily_volumes VALUES
        (1, 'ef000000-0000-4000-a000-0000000000f1', '01/03/2025', '1.00', '1', '1', '2025-03-01 00:00:01'),
        (2, 'ef000000-0000-4000-a000-0000000000f2', '01/03/2025', '2.00', '2', '2', '2025-03-01 00:00:02'),
        (3, 'ef000000-0000-4000-a000-0000000000f3', '01/03/2025', '3.00', '3', '3', '2025-03-01 00:00:03'),
        (4, 'ef000000-0000-4000-a000-0000000000f1', '02/03/2025', '4.00', '4', '4', '2025-03-01 00:00:04')"
fk() { EAGLE_SOURCE_DSN="$my_dsn dbname=eagle_fk" EAGLE_TARGET_DSN="$pg_dsn dbname=eagle_fk" run "$@"; }
last=fk_init; fk fk_init "$eagle" --init
last=fk_sync; fk fk_sync "$eagle" --once
check eagle_rows_of_a_missing_well_are_rejected_not_fatal "exit $rc, state: $(state eagle_fk ProductionRecord "status || ' ' || coalesce(last_error, '')" | cut -c1-160)" \
    test "$rc/$(state eagle_fk ProductionRecord status)" = "0/ok"
check eagle_rows_of_good_wells_land_beside_them "$(pg eagle_fk "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), 'none') FROM production_data")" \
    test "$(pg eagle_fk "SELECT string_agg(id::text, ',' ORDER BY id) FROM production_data")" = "1,4"
check eagle_rows_of_a_missing_well_have_a_reason_naming_well_id "$(pg eagle_fk "SELECT coalesce(string_agg(source_key || ': ' || reason, '; '), 'none') FROM wellos_sync_rejects WHERE entity = 'ProductionRecord'")" \
    test "$(pg eagle_fk "SELECT string_agg(source_key || ':' || (reason LIKE '%well_id%')::text, ',' ORDER BY source_key) FROM wellos_sync_rejects WHERE entity = 'ProductionRecord'")" = "2:true,3:true"

# two wells with the same API number: the unique key of wells cannot hold
# both.  One belongs in the rejects with its reason; the other wells land.
my eagle_fk "CREATE DATABASE eagle_uq; CREATE TABLE eagle_uq.wells_master LIKE eagle_src.wells_master;
    CREATE TABLE eagle_uq.daily_volumes LIKE eagle_src.daily_volumes;
    INSERT INTO eagle_uq.wells_master VALUES
        ('ef000000-0000-4000-a000-0000000000a1', 'Twin A', '42280000000999', 28.5, -98.5, 'producing', 'L', '2024-01-01 00:00:00'),
        ('ef000000-0000-4000-a000-0000000000a2', 'Twin B', '42280000000999', 28.5, -98.5, 'producing', 'L', '2024-01-01 00:00:00'),
        ('ef000000-0000-4000-a000-0000000000a3', 'Other', '42280000000888', 28.5, -98.5, 'producing', 'L', '2024-01-01 00:00:00')"
pg postgres "CREATE DATABASE eagle_uq"
uq() { EAGLE_SOURCE_DSN="$my_dsn dbname=eagle_uq" EAGLE_TARGET_DSN="$pg_dsn dbname=eagle_uq" run "$@"; }
last=uq_init; uq uq_init "$eagle" --init
last=uq_sync; uq uq_sync "$eagle" --once --entity Well
check eagle_duplicate_unique_value_is_rejected_not_fatal "exit $rc, wells $(pg eagle_uq "SELECT coalesce(string_agg(name, ', ' ORDER BY name), 'none') FROM wells"), rejects: $(pg eagle_uq "SELECT coalesce(string_agg(reason, '; '), 'none') FROM wellos_sync_rejects")" \
    test "$rc/$(pg eagle_uq "SELECT count(*) FILTER (WHERE name LIKE 'Twin%') || ' ' || count(*) FILTER (WHERE name = 'Other') FROM wells")/$(pg eagle_uq "SELECT count(*) FROM wellos_sync_rejects WHERE reason LIKE '%api_number%'")" = "0/1 1/1"

# into an empty table, the initial load builds the unique index after the
# rows: the duplicate fails that build, the load is rolled back and the
# batches reject it; the constraint is there afterwards
check eagle_duplicate_unique_value_rolls_the_initial_load_back "$(grep -o 'initial load was rolled back[^"]*' "$out/uq_sync.err" | head -1 | cut -c1-160)" \
    grep -q 'initial load was rolled back and runs again in batches: .*wells_api_number_key' "$out/uq_sync.err"
check eagle_unique_constraint_is_back_after_the_rollback "$(pg eagle_uq "SELECT count(*) FROM pg_constraint WHERE conname = 'wells_api_number_key' AND contype = 'u'") constraint" \
    test "$(pg eagle_uq "SELECT count(*) FROM pg_constraint WHERE conname = 'wells_api_number_key' AND contype = 'u'")" = 1

# ---- kill -9 during a large load ---------------------------------------------------------
big() { EAGLE_SOURCE_DSN="$my_dsn dbname=eagle_big" EAGLE_TARGET_DSN="$pg_dsn dbname=eagle_big" "$@"; }
last=big_init; big run big_init "$eagle" --init
last=big_wells; big run big_wells "$eagle" --once --entity Well
big_read() { [ "$(state eagle_big ProductionRecord "rows_read >= $1")" = t ]; }
last=big_kill
# env execs the agent: $! is the agent itself, not a subshell
env EAGLE_SOURCE_DSN="$my_dsn dbname=eagle_big" EAGLE_TARGET_DSN="$pg_dsn dbname=eagle_big" \
    "$eagle" --once --entity ProductionRecord --batch-size 5000 --no-bulk-load >"$out/big_kill.out" 2>"$out/big_kill.err" </dev/null &
bg=$!
if wait_until 60 big_read 20000; then
    kill -9 $bg
fi
{ wait $bg; } 2>/dev/null; rc=$?   # no "Killed" notice from bash
bg=""
wait_until 10 no_agent_lock   # the killed agent's session is gone, with anything it had sent
nw=$(pg eagle_big "SELECT (SELECT count(*) FROM production_data) || ' ' || (SELECT rows_written FROM wellos_sync_state WHERE entity = 'ProductionRecord')")
n=${nw% *} w=${nw#* }
echo "      (kill -9 came after $n of $N_BIG rows were committed)"
check eagle_kill9_exit_is_the_signal "exit $rc" test "$rc" = 137
check eagle_kill9_leaves_whole_committed_batches "$n rows, state says $w written" \
    test "$n/$((n % 5000))/$((n > 0 && n < N_BIG))" = "$w/0/1"
check eagle_kill9_watermark_matches_the_committed_rows "$(state eagle_big ProductionRecord watermark)" \
    test "$(state eagle_big ProductionRecord "watermark::timestamptz") " = "$(pg eagle_big "SELECT (timestamptz '2025-01-01 00:00:00+00' + max(id) * interval '1 second') FROM production_data") "
last=big_resume; big run big_resume "$eagle" --once --entity ProductionRecord --batch-size 5000
check eagle_run_after_kill9_resumes_from_the_watermark "exit $rc, read $(state eagle_big ProductionRecord rows_read)" \
    test "$rc/$(state eagle_big ProductionRecord "rows_read <= $N_BIG - $n + 1000")" = "0/t"
exp_eagle_production eagle_big >"$out/eagle_after_kill9.expected"; act_production eagle_big >"$out/eagle_after_kill9.actual"
same eagle_after_kill9

# ---- the initial load of an empty table: one transaction ----------------------------------------
# kill -9 in the middle of it leaves an empty table with every index and
# foreign key in place; SIGTERM commits what was loaded; the next run ends
# with exactly the source's rows either way.
pg eagle_big "TRUNCATE production_data; DELETE FROM wellos_sync_state WHERE entity = 'ProductionRecord'"
shape() {   # the table's indexes, constraints and column defaults
    pg eagle_big "SELECT (SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'production_data')
                  || ' ' || (SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'production_data'::regclass)
                  || ' defaults:' || (SELECT coalesce(string_agg(column_name || '=' || column_default, ',' ORDER BY column_name), 'none')
                                      FROM information_schema.columns WHERE table_name = 'production_data' AND column_default IS NOT NULL)"
}
shape_before=$(shape)
bulk_copying() { [ "$(pg postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = 'eagle_big' AND query LIKE 'COPY \"production_data\"%'")" != 0 ]; }
last=bulk_kill
env EAGLE_SOURCE_DSN="$my_dsn dbname=eagle_big" EAGLE_TARGET_DSN="$pg_dsn dbname=eagle_big" \
    "$eagle" --once --entity ProductionRecord --batch-size 5000 >"$out/bulk_kill.out" 2>"$out/bulk_kill.err" </dev/null &
bg=$!
# stopped (SIGSTOP) as soon as its COPY shows: the load is then surely
# unfinished, however fast it has become, when the signal lands
wait_until 60 bulk_copying && kill -STOP $bg && kill -9 $bg
{ wait $bg; } 2>/dev/null; rc=$?
bg=""
wait_until 10 no_agent_lock
check eagle_bulk_kill9_leaves_an_empty_table "exit $rc, $(pg eagle_big "SELECT count(*) FROM production_data") rows, $(pg eagle_big "SELECT count(*) FROM wellos_sync_state WHERE entity = 'ProductionRecord'") state rows" \
    test "$rc/$(pg eagle_big "SELECT count(*) FROM production_data")/$(pg eagle_big "SELECT count(*) FROM wellos_sync_state WHERE entity = 'ProductionRecord'")" = "137/0/0"
check eagle_bulk_kill9_keeps_indexes_and_keys "$(shape)" test "$(shape)" = "$shape_before"
last=bulk_term
env EAGLE_SOURCE_DSN="$my_dsn dbname=eagle_big" EAGLE_TARGET_DSN="$pg_dsn dbname=eagle_big" \
    "$eagle" --once --entity ProductionRecord --batch-size 5000 >"$out/bulk_term.out" 2>"$out/bulk_term.err" </dev/null &
bg=$!
wait_until 60 bulk_copying && kill -STOP $bg && kill -TERM $bg && kill -CONT $bg
wait $bg; rc=$?
bg=""
nw=$(pg eagle_big "SELECT (SELECT count(*) FROM production_data) || ' ' || (SELECT rows_written || ' ' || status FROM wellos_sync_state WHERE entity = 'ProductionRecord')")
echo "      (SIGTERM during the initial load: $nw)"
check eagle_bulk_sigterm_commits_whole_batches "exit $rc, rows, written, status: $nw" \
    test "$rc/$(echo "$nw" | awk '{ print ($1 == $2 && $1 % 5000 == 0 && $1 > 0 && $1 < '"$N_BIG"') ? "whole" : "not", $3 }')" = "0/whole stopped"
check eagle_bulk_sigterm_makes_indexes_and_keys_again "$(shape)" test "$(shape)" = "$shape_before"
pg eagle_big "TRUNCATE production_data; DELETE FROM wellos_sync_state WHERE entity = 'ProductionRecord'"
load_start=$(pg eagle_big "SELECT now()")
# a statement_timeout far shorter than the load's one COPY (a DBA's limit
# for interactive queries): the agent's sessions lift it
last=bulk_load
EAGLE_SOURCE_DSN="$my_dsn dbname=eagle_big" EAGLE_TARGET_DSN="$pg_dsn dbname=eagle_big options='-c statement_timeout=20'" \
    run bulk_load "$eagle" --once --entity ProductionRecord --batch-size 5000
check eagle_bulk_load_outlasts_a_20ms_statement_timeout "exit $rc, $(grep -o 'statement timeout[^"]*' "$out/bulk_load.err" | head -1)" \
    test "$rc/$(grep -c 'statement timeout' "$out/bulk_load.err")" = "0/0"
check eagle_bulk_load_exits_0_in_one_pass "exit $rc, written $(state eagle_big ProductionRecord rows_written)" \
    test "$rc/$(state eagle_big ProductionRecord rows_written)/$(grep -c 'initial load was rolled back' "$out/bulk_load.err")" = "0/$N_BIG/0"
check eagle_bulk_load_makes_indexes_and_keys_again "$(shape)" test "$(shape)" = "$shape_before"
check eagle_bulk_load_sets_updated_at "$(pg eagle_big "SELECT count(*) FILTER (WHERE updated_at IS NULL) || ' NULL, ' || count(DISTINCT updated_at) || ' distinct'
                                                       FROM production_data")" \
    test "$(pg eagle_big "SELECT count(*) FILTER (WHERE updated_at IS NULL) || ' ' || count(DISTINCT updated_at) FROM production_data")" = "0 1"
# COPY FREEZE: every page all-visible at the commit, so the first scan
# after the load (the next comparison) writes no hint bits
check eagle_bulk_load_leaves_pages_all_visible "$(pg eagle_big "SELECT relallvisible || ' of ' || relpages || ' pages all-visible' FROM pg_class WHERE oid = 'production_data'::regclass")" \
    test "$(pg eagle_big "SELECT relpages > 0 AND relallvisible = relpages FROM pg_class WHERE oid = 'production_data'::regclass")" = t
# ANALYZE by the load itself (last_analyze; autovacuum's is last_autoanalyze)
check eagle_bulk_load_analyzes_the_table "$(pg eagle_big "SELECT 'last_analyze ' || coalesce(last_analyze::text, 'never') FROM pg_stat_user_tables WHERE relname = 'production_data'")" \
    test "$(pg eagle_big "SELECT last_analyze >= '$load_start' FROM pg_stat_user_tables WHERE relname = 'production_data'")" = t
check eagle_bulk_load_watermark_is_the_last_row "$(state eagle_big ProductionRecord watermark)" \
    test "$(state eagle_big ProductionRecord "watermark::timestamptz") " = "$(pg eagle_big "SELECT (timestamptz '2025-01-01 00:00:00+00' + max(id) * interval '1 second') FROM production_data") "
exp_eagle_production eagle_big >"$out/eagle_after_bulk.expected"; act_production eagle_big >"$out/eagle_after_bulk.actual"
same eagle_after_bulk
# someone else's table points at the key, so the load can neither truncate
# the table nor drop the key and make it again: it loads in batches instead
pg eagle_big "TRUNCATE production_data; DELETE FROM wellos_sync_state WHERE entity = 'ProductionRecord';
              CREATE TABLE audit_notes (record_id bigint REFERENCES production_data (id))"
last=bulk_blocked; big run bulk_blocked "$eagle" --once --entity ProductionRecord --batch-size 50000
check eagle_unpreparable_table_loads_in_batches "exit $rc, written $(state eagle_big ProductionRecord rows_written), $(grep -o 'cannot be prepared[^"]*' "$out/bulk_blocked.err" | cut -c1-150)" \
    test "$rc/$(state eagle_big ProductionRecord rows_written)/$(grep -c 'cannot be prepared for an initial load, so it loads in batches: .*referenced in a foreign key' "$out/bulk_blocked.err")" = "0/$N_BIG/1"
exp_eagle_production eagle_big >"$out/eagle_after_batches.expected"; act_production eagle_big >"$out/eagle_after_batches.actual"
same eagle_after_batches
pg eagle_big "DROP TABLE audit_notes"
check eagle_fk_failure_rolls_the_initial_load_back "$(grep -o 'initial load was rolled back[^"]*' "$out/fk_sync.err" | head -1 | cut -c1-160)" \
    grep -q 'initial load was rolled back and runs again in batches: .*violates foreign key constraint' "$out/fk_sync.err"

# ---- a slow source under limits meant for applications -----------------------------------------
# An initial load's transaction is open (the table locked, its indexes
# dropped) before the source sends its first row, which can take minutes
# (a large sort), and the extract is one query as long as the table.  A
# target's idle_in_transaction_session_timeout, a source account's
# max_statement_time (MariaDB) or a source's statement_timeout (PostgreSQL)
# would end every run.  Here each source row takes 20 ms (a view that
# sleeps) against 5 ms limits.
my mysql "CREATE DATABASE eagle_slow CHARACTER SET utf8mb4;
          CREATE USER slow_reader@'%' WITH MAX_STATEMENT_TIME 0.005;
          GRANT SELECT ON eagle_slow.* TO slow_reader@'%'" || die "mariadb"
my eagle_slow "CREATE TABLE wells_master AS SELECT * FROM eagle_src.wells_master WHERE well_name LIKE 'Kennedy%';
               CREATE TABLE volumes AS SELECT v.* FROM eagle_src.daily_volumes v JOIN wells_master w ON w.well_uuid = v.well_uuid
                                       WHERE v.volume_id < 400 ORDER BY v.volume_id LIMIT 5;
               CREATE VIEW daily_volumes AS SELECT * FROM volumes WHERE SLEEP(0.02) = 0" || die "eagle_slow"
pg postgres "CREATE DATABASE eagle_slow" || die "createdb eagle_slow"
slow() { EAGLE_SOURCE_DSN="host=127.0.0.1 port=$WR_TEST_MYSQL_PORT user=slow_reader dbname=eagle_slow" \
         EAGLE_TARGET_DSN="$pg_dsn dbname=eagle_slow options='-c idle_in_transaction_session_timeout=5'" "$@"; }
last=slow_init; slow run slow_init "$eagle" --init
last=slow_sync; slow run slow_sync "$eagle" --once
check eagle_slow_source_outlasts_5ms_limits_on_both_sides \
    "exit $rc, $(pg eagle_slow "SELECT count(*) FROM production_data") of $(my eagle_slow "SELECT COUNT(*) FROM volumes") rows, $(grep -o '"error":"[^"]*' "$out/slow_sync.err" | grep -v null | head -1)" \
    test "$rc/$(pg eagle_slow "SELECT count(*) FROM production_data")" = "0/$(my eagle_slow "SELECT COUNT(*) FROM volumes")"
for db in bakken_slow_src bakken_slow; do pg postgres "CREATE DATABASE $db" || die "createdb $db"; done
psql -X -q -v ON_ERROR_STOP=1 -d bakken_slow_src -f tests/e2e/bakken_source.sql >/dev/null || die "bakken_slow_src"
pg bakken_slow_src "ALTER TABLE acct.monthly_allocations RENAME TO allocations;
                    DELETE FROM acct.allocations WHERE allocation_id > 5;
                    CREATE VIEW acct.monthly_allocations AS SELECT * FROM acct.allocations WHERE pg_sleep(0.02) IS NOT NULL"
bslow() { BAKKEN_SOURCE_DSN="$pg_dsn dbname=bakken_slow_src options='-c statement_timeout=5'" \
          BAKKEN_TARGET_DSN="$pg_dsn dbname=bakken_slow" "$@"; }
last=bakken_slow_init; bslow run bakken_slow_init "$bakken" --init
last=bakken_slow_sync; bslow run bakken_slow_sync "$bakken" --once
check bakken_slow_source_outlasts_a_5ms_statement_timeout \
    "exit $rc, $(pg bakken_slow "SELECT count(*) FROM production_data") of 5 rows, $(grep -o '"error":"[^"]*' "$out/bakken_slow_sync.err" | grep -v null | head -1)" \
    test "$rc/$(pg bakken_slow "SELECT count(*) FROM production_data")" = "0/5"

# A PostgreSQL source silent for longer than the DSN's read_timeout (its
# view sleeps 3 s before the first row, as a hung server would be silent):
# the run fails after read_timeout=1 (twice: the extract is tried again
# once on a new session) and says so, instead of waiting; the same view is
# read whole under the default (an hour).
pg bakken_slow_src "CREATE OR REPLACE VIEW acct.monthly_allocations AS
                    SELECT * FROM acct.allocations WHERE (SELECT pg_sleep(3)) IS NOT NULL"
pg bakken_slow "TRUNCATE production_data; DELETE FROM wellos_sync_state"
t0=$SECONDS
last=bakken_silent; BAKKEN_SOURCE_DSN="$pg_dsn dbname=bakken_slow_src read_timeout=1" BAKKEN_TARGET_DSN="$pg_dsn dbname=bakken_slow" \
    run bakken_silent "$bakken" --once --entity ProductionRecord
check bakken_silent_source_fails_the_run_after_its_read_timeout \
    "exit $rc after $((SECONDS - t0)) s, $(grep -o '"error":"[^"]*' "$out/bakken_silent.err" | grep -v null | head -1 | cut -c1-200)" \
    bash -c "[ $rc -eq 1 ] && [ $((SECONDS - t0)) -le 4 ] \
             && grep -q 'ProductionRecord.*source.*no answer from the server for 1 s' '$out/bakken_silent.err'"
last=bakken_silent_default; bslow run bakken_silent_default "$bakken" --once --entity ProductionRecord
check bakken_silent_source_is_read_whole_under_the_default "exit $rc, $(pg bakken_slow "SELECT count(*) FROM production_data") of 5 rows" \
    test "$rc/$(pg bakken_slow "SELECT count(*) FROM production_data")" = "0/5"

# ---- TLS to the source ----------------------------------------------------------------------
# The server refuses TCP without TLS (require_secure_transport, as cloud
# servers do); the DSN's ssl_mode asks for it, verify_identity checks the
# certificate against ssl_ca and the host.
my mysql "SET GLOBAL require_secure_transport = ON" || die "require_secure_transport"
tls_check() { # NAME EXPECTED_STATUS GREP DSN_EXTRA: --check with the source DSN plus DSN_EXTRA
    tls_log=$out/tls_$1 tls_want=$2 tls_pattern=$3   # not local: check's own locals would hide them
    EAGLE_SOURCE_DSN="$my_dsn dbname=eagle_src $4" run "tls_$1" "$eagle" --check
    check "tls_$1" "exit $rc: $(cat "$tls_log.out" "$tls_log.err" | grep -m1 '^source\|error' | cut -c1-220)" \
        eval 'test "$rc" = "$tls_want" && cat "$tls_log.out" "$tls_log.err" | grep -q -- "$tls_pattern"'
}
# (MariaDB says "Access denied" to a connection without TLS; the same DSN
# with ssl_mode=required is let in, next.)
tls_check without_tls_is_refused_by_the_server 1 "source (mysql, EAGLE_SOURCE_DSN): failed: .*cannot connect.*Access denied" ""
tls_check required_connects 0 "source (mysql, EAGLE_SOURCE_DSN): ok" "ssl_mode=required"
tls_check verify_identity_connects 0 "source (mysql, EAGLE_SOURCE_DSN): ok" "ssl_mode=verify_identity ssl_ca=$tls/ca.pem"
tls_check verify_identity_refuses_another_authority 1 "source (mysql, EAGLE_SOURCE_DSN): failed: .*cannot connect" \
    "ssl_mode=verify_identity ssl_ca=$tls/other.pem"
tls_check verify_identity_needs_ssl_ca 1 "ssl_mode=verify_identity needs ssl_ca" "ssl_mode=verify_identity"
tls_check bad_ssl_mode_says_what_it_takes 1 "ssl_mode must be disabled, required or verify_identity, not 'on'" "ssl_mode=on"
tls_check ssl_ca_without_ssl_mode_says_so 1 "ssl_ca, ssl_cert and ssl_key need ssl_mode" "ssl_ca=$tls/ca.pem"
pg postgres "CREATE DATABASE eagle_tls" || die "createdb eagle_tls"
tlsrun() { EAGLE_SOURCE_DSN="$my_dsn dbname=eagle_src ssl_mode=verify_identity ssl_ca=$tls/ca.pem" \
           EAGLE_TARGET_DSN="$pg_dsn dbname=eagle_tls" "$@"; }
last=tls_init; tlsrun run tls_init "$eagle" --init
last=tls_sync; tlsrun run tls_sync "$eagle" --once --entity Well
check tls_sync_reads_the_wells_over_tls "exit $rc, $(pg eagle_tls "SELECT count(*) FROM wells") wells" \
    test "$rc/$(pg eagle_tls "SELECT count(*) FROM wells")" = "0/$(pg eagle "SELECT count(*) FROM wells")"
my mysql "SET GLOBAL require_secure_transport = OFF" || die "require_secure_transport"

# ---- the source connection cut mid-extract ---------------------------------------------------
pg eagle_big "TRUNCATE production_data; DELETE FROM wellos_sync_state WHERE entity = 'ProductionRecord'"
my eagle_big "UPDATE daily_volumes SET water_bbl = CONCAT(water_bbl + 1)"
last=big_cut
env EAGLE_SOURCE_DSN="$my_dsn dbname=eagle_big" EAGLE_TARGET_DSN="$pg_dsn dbname=eagle_big" \
    "$eagle" --once --entity ProductionRecord --batch-size 5000 --no-bulk-load >"$out/big_cut.out" 2>"$out/big_cut.err" </dev/null &
bg=$!
conn=""
if wait_until 60 big_read 10000; then
    conn=$(my mysql "SELECT id FROM information_schema.processlist WHERE db = 'eagle_big' AND info LIKE 'SELECT \`volume_id\`%'")
    [ -n "$conn" ] && my mysql "KILL $conn"
fi
wait $bg; rc=$?
bg=""
nw=$(pg eagle_big "SELECT (SELECT count(*) FROM production_data) || ' ' || (SELECT rows_written FROM wellos_sync_state WHERE entity = 'ProductionRecord')")
n=${nw% *} w=${nw#* }
echo "      (the source session was killed after $n of $N_BIG rows were committed)"
check eagle_source_cut_fails_the_run "exit $rc, session ${conn:-not found}, state $(state eagle_big ProductionRecord status)" \
    test "$rc/$(state eagle_big ProductionRecord status)/${conn:+killed}" = "1/failed/killed"
check eagle_source_cut_says_so "$(grep -o '"error":"[^"]*' "$out/big_cut.err" | head -1 | cut -c1-200)" \
    bash -c "grep -q 'ProductionRecord: the extract failed after [0-9]* rows' '$out/big_cut.err' \
             && psql -XAtq -d eagle_big -c \"SELECT last_error FROM wellos_sync_state WHERE entity = 'ProductionRecord'\" | grep -q 'the extract failed after'"
check eagle_source_cut_keeps_only_committed_batches "$n rows, state says $w written" \
    test "$n/$((n % 5000))/$((n < N_BIG))" = "$w/0/1"
last=big_after_cut; big run big_after_cut "$eagle" --once --entity ProductionRecord --batch-size 5000
check eagle_run_after_the_cut_exits_0 "exit $rc" test $rc -eq 0
exp_eagle_production eagle_big >"$out/eagle_after_cut.expected"; act_production eagle_big >"$out/eagle_after_cut.actual"
same eagle_after_cut

# ---- the source server frozen mid-extract --------------------------------------------------
# A server that stops answering (SIGSTOP here; a paused VM, a storage hang)
# must fail the run after the DSN's read_timeout, not hang the agent.
pg eagle_big "TRUNCATE production_data; DELETE FROM wellos_sync_state WHERE entity = 'ProductionRecord'"
last=big_frozen
t0=$SECONDS
env EAGLE_SOURCE_DSN="$my_dsn dbname=eagle_big read_timeout=2 connect_timeout=2" EAGLE_TARGET_DSN="$pg_dsn dbname=eagle_big" \
    "$eagle" --once --entity ProductionRecord --batch-size 5000 --no-bulk-load >"$out/big_frozen.out" 2>"$out/big_frozen.err" </dev/null &
bg=$!
frozen=""
if wait_until 60 big_read 10000; then
    kill -STOP "$(cat "$tmp/mariadb/mariadb.pid")" && frozen=$SECONDS
fi
for _ in $(seq 1 300); do kill -0 $bg 2>/dev/null || break; sleep 0.1; done   # 30 s at most
kill -CONT "$(cat "$tmp/mariadb/mariadb.pid")"
if kill -0 $bg 2>/dev/null; then kill -9 $bg; fi
wait $bg; rc=$?
bg=""
check eagle_frozen_source_fails_the_run_after_its_read_timeout \
    "exit $rc $((SECONDS - ${frozen:-$t0})) s after the freeze, $(grep -o '"error":"[^"]*' "$out/big_frozen.err" | head -1 | cut -c1-160)" \
    test "$rc/${frozen:+frozen}/$(state eagle_big ProductionRecord status)" = "1/frozen/failed"
last=big_after_frozen; big run big_after_frozen "$eagle" --once --entity ProductionRecord --batch-size 5000
exp_eagle_production eagle_big >"$out/eagle_after_frozen.expected"; act_production eagle_big >"$out/eagle_after_frozen.actual"
same eagle_after_frozen

# ==== bakken_pg: PostgreSQL -> PostgreSQL ===============================================
echo "# bakken_pg (PostgreSQL -> PostgreSQL, examples/bakken_pg.wmap)"
src() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d bakken_src -c "SET TIME ZONE 'UTC'" -c "$1"; }
last=bakken_init; run bakken_init "$bakken" --init
last=bakken_sync1; run bakken_sync1 "$bakken" --once
check bakken_first_sync_exits_0 "exit $rc" test $rc -eq 0
exp_bakken_wells >"$out/bakken_wells_first_sync.expected"; act_wells bakken >"$out/bakken_wells_first_sync.actual"
same bakken_wells_first_sync
exp_bakken_production >"$out/bakken_production_first_sync.expected"; act_production bakken >"$out/bakken_production_first_sync.actual"
same bakken_production_first_sync
check bakken_arithmetic_rounds_half_even_into_decimal_12_2 "$(pg bakken "SELECT oil || ' ' || gas || ' ' || water FROM production_data WHERE id = 362")" \
    test "$(pg bakken "SELECT oil || ' ' || gas || ' ' || water FROM production_data WHERE id = 362")" = "3144.90 1765.74 3.14"
check bakken_concat_with_a_null_lease_number_is_null "$(pg bakken "SELECT coalesce(lease, 'NULL') FROM wells WHERE id = 'b0000000-0000-4000-b000-000000000009'")" \
    test "$(pg bakken "SELECT coalesce(lease, 'NULL') FROM wells WHERE id = 'b0000000-0000-4000-b000-000000000009'")" = NULL
printf '%s\n' "Well|b0000000-0000-4000-b000-000000000031|status: 'X' is not in the map" >"$out/bakken_rejects.expected"
act_rejects bakken >"$out/bakken_rejects.actual"
same bakken_rejects
wm=$(src "SELECT max(coalesce(revised_at, posted_at)) FROM acct.monthly_allocations")
check bakken_expression_watermark_is_its_largest_value "stored $(state bakken ProductionRecord watermark), source max $wm" \
    test "$(state bakken ProductionRecord "watermark::timestamptz = '$wm'")" = t

before=$(snapshot bakken | grep -v wellos_sync)
last=bakken_sync2; run bakken_sync2 "$bakken" --once
check bakken_resync_writes_nothing "exit $rc, rows_written $(written bakken)" \
    test "$rc/$(written bakken)/$(snapshot bakken | grep -v wellos_sync)" = "0/0/$before"
check bakken_resync_reads_the_lookback_and_the_null_watermarks "$(state bakken ProductionRecord rows_read) read" \
    test "$(state bakken ProductionRecord rows_read)" = "$(src "SELECT count(*) FROM acct.monthly_allocations
         WHERE coalesce(revised_at, posted_at) >= timestamptz '$wm' - interval '1 hour' OR coalesce(revised_at, posted_at) IS NULL")"

# inserts, updates, deletes of wells; a revision and new allocations
src "INSERT INTO acct.wells VALUES ('b0000000-0000-4000-b000-000000000040', 'Bakken 40', '33053000004000', 48.0, -103.2, 'A',
         'Tioga', 140, '2024-02-02 02:02:02+00');
     UPDATE acct.wells SET status_code = 'P', lease_number = 999 WHERE well_id = 'b0000000-0000-4000-b000-000000000005';
     DELETE FROM acct.monthly_allocations WHERE well_id = 'b0000000-0000-4000-b000-000000000006';
     DELETE FROM acct.wells WHERE well_id = 'b0000000-0000-4000-b000-000000000006';
     UPDATE acct.monthly_allocations SET oil_m3 = 111.111, revised_at = timestamptz '$wm' + interval '1 day' WHERE allocation_id = 8;
     INSERT INTO acct.monthly_allocations VALUES (400, 'b0000000-0000-4000-b000-000000000040', '2024-02-01', 10, 20, 30,
         timestamptz '$wm' + interval '1 day' - interval '30 minutes', NULL)"
last=bakken_changes; run bakken_changes "$bakken" --once
check bakken_changes_exit_0 "exit $rc" test $rc -eq 0
exp_bakken_wells >"$out/bakken_wells_after_changes.expected"; act_wells bakken >"$out/bakken_wells_after_changes.actual"
same bakken_wells_after_changes
check bakken_delete_sets_deleted_at "$(act_deleted bakken | tr '\n' ' ')" \
    test "$(act_deleted bakken)" = "b0000000-0000-4000-b000-000000000006"
bakken_skip="0"   # allocations of well 6 are gone from the source but stay in WellOS (ProductionRecord has no deletes)
exp_bakken_production >"$out/bakken_production_after_changes.expected"
pg bakken "SELECT concat_ws('|', id, well_id, to_char(date, 'YYYY-MM-DD'), coalesce(oil::text, '~'), coalesce(gas::text, '~'),
                 coalesce(water::text, '~')) FROM production_data WHERE well_id <> 'b0000000-0000-4000-b000-000000000006'" \
    >"$out/bakken_production_after_changes.actual"
same bakken_production_after_changes
check bakken_revision_moves_the_expression_watermark "$(state bakken ProductionRecord "rows_written || ' written, wm ' || watermark")" \
    test "$(state bakken ProductionRecord "rows_written || ' ' || (watermark::timestamptz = timestamptz '$wm' + interval '1 day')")" = "2 true"
src "INSERT INTO acct.wells VALUES ('b0000000-0000-4000-b000-000000000006', 'Bakken 6 again', '33053000000600', 47.906, -103.106,
         'I', 'Parshall', 106, '2018-06-19 06:00:42+00')"
last=bakken_back; run bakken_back "$bakken" --once
check bakken_key_coming_back_clears_deleted_at "exit $rc, deleted: $(act_deleted bakken | tr '\n' ' ')" \
    test "$rc/$(act_deleted bakken | wc -l)/$(pg bakken "SELECT name FROM wells WHERE id = 'b0000000-0000-4000-b000-000000000006'")" \
         = "0/0/Bakken 6 again"
exp_bakken_wells >"$out/bakken_wells_after_return.expected"; act_wells bakken >"$out/bakken_wells_after_return.actual"
same bakken_wells_after_return

# the expression watermark and late rows: revised_at NULL, posted_at late
wm=$(src "SELECT max(coalesce(revised_at, posted_at)) FROM acct.monthly_allocations")
src "INSERT INTO acct.monthly_allocations VALUES
         (401, 'b0000000-0000-4000-b000-000000000001', '2024-03-01', 1, 1, 1, timestamptz '$wm' - interval '50 minutes', NULL),
         (402, 'b0000000-0000-4000-b000-000000000001', '2024-04-01', 2, 2, 2, timestamptz '$wm' - interval '2 hours', NULL),
         (403, 'b0000000-0000-4000-b000-000000000001', '2024-05-01', 3, 3, 3, timestamptz '$wm' - interval '3 days',
             timestamptz '$wm' - interval '10 minutes')"
last=bakken_late; run bakken_late "$bakken" --once --entity ProductionRecord
check bakken_late_rows_within_the_lookback_are_read "exit $rc, $(pg bakken "SELECT string_agg(id::text, ',' ORDER BY id) FROM production_data WHERE id > 400")" \
    test "$rc/$(pg bakken "SELECT string_agg(id::text, ',' ORDER BY id) FROM production_data WHERE id > 400")" = "0/401,403"
bakken_skip="402"
exp_bakken_production >"$out/bakken_production_late_rows.expected"
pg bakken "SELECT concat_ws('|', id, well_id, to_char(date, 'YYYY-MM-DD'), coalesce(oil::text, '~'), coalesce(gas::text, '~'),
                 coalesce(water::text, '~')) FROM production_data WHERE well_id <> 'b0000000-0000-4000-b000-000000000006'" \
    >"$out/bakken_production_late_rows.actual"
same bakken_production_late_rows
last=bakken_full; run bakken_full "$bakken" --once --entity ProductionRecord --full
check bakken_full_reads_the_row_beyond_the_lookback "exit $rc, written $(state bakken ProductionRecord rows_written)" \
    test "$rc/$(state bakken ProductionRecord rows_written)/$(pg bakken "SELECT oil FROM production_data WHERE id = 402")" = "0/1/12.58"
bakken_skip="0"

# on error abort: a value that does not fit decimal(12,2) stops the run and rolls its batch back
src "UPDATE acct.monthly_allocations SET oil_m3 = 222.222, revised_at = timestamptz '$wm' + interval '1 hour' WHERE allocation_id = 7;
     INSERT INTO acct.monthly_allocations VALUES
         (410, 'b0000000-0000-4000-b000-000000000002', '2024-06-01', 99999999999, 1, 1, timestamptz '$wm' + interval '2 hours', NULL),
         (411, 'b0000000-0000-4000-b000-000000000002', '2024-07-01', 4, 4, 4, timestamptz '$wm' + interval '3 hours', NULL)"
before=$(snapshot bakken | grep -v wellos_sync)
rejects_before=$(pg bakken "SELECT count(*) FROM wellos_sync_rejects")
last=bakken_abort; run bakken_abort "$bakken" --once --entity ProductionRecord
check bakken_abort_exits_1 "exit $rc" test $rc -eq 1
check bakken_abort_rolls_the_whole_batch_back "$(pg bakken "SELECT count(*) FROM production_data WHERE id IN (410, 411)") of 410/411, oil of 7: $(pg bakken "SELECT oil FROM production_data WHERE id = 7")" \
    test "$(snapshot bakken | grep -v wellos_sync)" = "$before"
check bakken_abort_records_failed_state_and_the_culprit "$(state bakken ProductionRecord "status || ': ' || coalesce(last_error, '')" | cut -c1-200)" \
    bash -c "[ \"\$(psql -XAtq -d bakken -c \"SELECT status FROM wellos_sync_state WHERE entity = 'ProductionRecord'\")\" = failed ] \
             && psql -XAtq -d bakken -c \"SELECT last_error FROM wellos_sync_state WHERE entity = 'ProductionRecord'\" | grep -q 'on error abort' \
             && [ \"\$(psql -XAtq -d bakken -c \"SELECT count(*) FROM wellos_sync_rejects WHERE source_key = '410' AND reason LIKE 'oil: %'\")\" = 1 ] \
             && [ \"\$(psql -XAtq -d bakken -c 'SELECT count(*) FROM wellos_sync_rejects')\" = $((rejects_before + 1)) ]"
check bakken_abort_keeps_the_watermark "$(state bakken ProductionRecord watermark)" \
    test "$(state bakken ProductionRecord "watermark::timestamptz = '$wm'")" = t
src "UPDATE acct.monthly_allocations SET oil_m3 = 5 WHERE allocation_id = 410"
last=bakken_after_abort; run bakken_after_abort "$bakken" --once --entity ProductionRecord
check bakken_run_after_the_fix_lands_the_batch "exit $rc, $(state bakken ProductionRecord "status || ' ' || rows_written")" \
    test "$rc/$(state bakken ProductionRecord "status || ' ' || rows_written")" = "0/ok 3"
exp_bakken_production >"$out/bakken_production_after_abort.expected"
pg bakken "SELECT concat_ws('|', id, well_id, to_char(date, 'YYYY-MM-DD'), coalesce(oil::text, '~'), coalesce(gas::text, '~'),
                 coalesce(water::text, '~')) FROM production_data WHERE well_id <> 'b0000000-0000-4000-b000-000000000006'" \
    >"$out/bakken_production_after_abort.actual"
same bakken_production_after_abort

# ==== lone_star: the demo's tenant, a sliding window ==========================================
echo "# lone_star (MariaDB -> PostgreSQL, examples/lone_star.wmap on examples/demo/lone_star_source.sql)"
# The window is `ProductionDate >= now - 90 days`, now in UTC: the dates of
# the last 90 days, today included.  (A run within a second of midnight UTC
# could see one more day; the tests do not run that long.)
IN_WINDOW="ProductionDate > UTC_DATE() - INTERVAL 90 DAY"
last=lone_init; run lone_init "$lone" --init
last=lone_sync1; run lone_sync1 "$lone" --once
check lone_first_sync_exits_0 "exit $rc" test $rc -eq 0
same_as_lone_src() { # DB NAME: DB's wells, equipment and production (the window's) against lone_src
    exp_lone_wells >"$out/$2_wells.expected"; act_wells "$1" >"$out/$2_wells.actual"
    same "$2_wells"
    exp_lone_equipment >"$out/$2_equipment.expected"; act_equipment "$1" >"$out/$2_equipment.actual"
    same "$2_equipment"
    exp_lone_production "$IN_WINDOW" >"$out/$2_production.expected"; act_production "$1" >"$out/$2_production.actual"
    same "$2_production"
}
same_as_lone_src lone lone_first_sync
cat >"$out/lone_rejects.expected" <<'REJECTS'
Equipment|e0a1b2c3-0000-4000-9000-000000000064|installed_at: '13/45/2019' does not match the format "%m/%d/%Y": %m wants a month, 1 to 12, at byte 1
ProductionRecord|11711|well_id: 'TBD' is not a uuid (8-4-4-4-12 hex digits, optionally in braces)
Well|4c5e57a0-0000-4000-8000-000000000013|status: 'Temp Abandoned' is not in the map
Well|4c5e57a0-0000-4000-8000-000000000029|status: 'Temp Abandoned' is not in the map
REJECTS
act_rejects lone | grep -v '^Well|4c5e57a0-0000-4000-8000-000000000041|' >"$out/lone_rejects.actual"   # NULL: see eagle_ford
same lone_rejects
n_window=$(my lone_src "SELECT COUNT(*) FROM ProductionRecords WHERE $IN_WINDOW")
check lone_window_reads_only_the_last_90_days "read $(state lone ProductionRecord rows_read) of $(my lone_src "SELECT COUNT(*) FROM ProductionRecords"), $n_window in the window" \
    test "$(state lone ProductionRecord rows_read)" = "$n_window"

# the window slides: a row that leaves it is not read again, whatever changes
my lone_src "UPDATE ProductionRecords SET ProductionDate = UTC_DATE() - INTERVAL 95 DAY, OilVolume = 999 WHERE RecordID = 11901;
             UPDATE ProductionRecords SET OilVolume = 555 WHERE RecordID = 2002;
             UPDATE ProductionRecords SET OilVolume = 77.7 WHERE RecordID = 11802"
last=lone_slide; run lone_slide "$lone" --once --entity ProductionRecord
check lone_window_slid_past_a_row_it_no_longer_reads "exit $rc, 11901: $(pg lone "SELECT date || ' ' || oil FROM production_data WHERE id = 11901")" \
    test "$rc/$(pg lone "SELECT (date = current_date - 1) || ' ' || (oil <> 999) FROM production_data WHERE id = 11901")" = "0/true true"
check lone_window_does_not_read_older_rows "2002 in WellOS: $(pg lone "SELECT count(*) FROM production_data WHERE id = 2002")" \
    test "$(pg lone "SELECT count(*) FROM production_data WHERE id = 2002")" = 0
check lone_window_rereads_changes_inside_it "$(state lone ProductionRecord "rows_read || ' read, ' || rows_written || ' written'")" \
    test "$(state lone ProductionRecord "rows_read || ' ' || rows_written")/$(pg lone "SELECT oil FROM production_data WHERE id = 11802")" \
         = "$((n_window - 1)) 1/77.70"
last=lone_full; run lone_full "$lone" --once --entity ProductionRecord --full
check lone_full_reads_rows_older_than_the_window "exit $rc, read $(state lone ProductionRecord rows_read) of $(my lone_src "SELECT COUNT(*) FROM ProductionRecords")" \
    test "$rc/$(state lone ProductionRecord rows_read)" = "0/$(my lone_src "SELECT COUNT(*) FROM ProductionRecords")"
exp_lone_production "TRUE" >"$out/lone_production_after_full.expected"; act_production lone >"$out/lone_production_after_full.actual"
same lone_production_after_full

# comparing with the target (runtime/wr_diff.c): a re-sync stages nothing,
# and a row changed in the target behind the agent's back is put right
compare_line() { grep -o '"entity":"ProductionRecord","message":"compared with the target: [^"]*' "$out/$1.err" | sed 's/.*: //'; }
last=lone_compare; run lone_compare "$lone" --once --entity ProductionRecord --full
check lone_resync_stages_nothing "exit $rc, $(compare_line lone_compare), written $(state lone ProductionRecord rows_written)" \
    test "$rc/$(compare_line lone_compare)/$(state lone ProductionRecord rows_written)" \
         = "0/$(state lone ProductionRecord "rows_read - rows_rejected") rows as the agent last wrote them (not staged), 0 staged/0"
pg lone "UPDATE production_data SET oil = oil + 1 WHERE id = 11802"
last=lone_repair; run lone_repair "$lone" --once --entity ProductionRecord --full
check lone_target_edit_is_put_right "exit $rc, $(compare_line lone_repair), written $(state lone ProductionRecord rows_written)" \
    test "$rc/$(compare_line lone_repair | sed 's/.*, //')/$(state lone ProductionRecord rows_written)" = "0/1 staged/1"
act_production lone >"$out/lone_production_after_repair.actual"
cp "$out/lone_production_after_full.expected" "$out/lone_production_after_repair.expected"
same lone_production_after_repair
# The comparison reads each target row's stamp, not its values: the hash
# of what the agent wrote and the transaction that wrote it.  A row anyone
# else has written since (xmin no longer that transaction) is staged even
# when its values are the same, and stamped again; so is a row whose hash
# differs.
stamp_check() { # NAME SQL STAGED WRITTEN: SQL (if any) on the target, then a --full run
    [ -z "$2" ] || pg lone "$2"
    last=lone_$1; run "lone_$1" "$lone" --once --entity ProductionRecord --full
    check "$1" "exit $rc, $(compare_line "lone_$1"), written $(state lone ProductionRecord rows_written)" \
        test "$rc/$(compare_line "lone_$1" | sed 's/.*, //')/$(state lone ProductionRecord rows_written)" = "0/$3 staged/$4"
}
stamp_check target_update_to_the_same_values_is_stamped_again \
    "UPDATE production_data SET oil = oil WHERE id = 2002" 1 1
stamp_check then_it_is_unchanged "" 0 0
stamp_check target_row_inserted_by_hand_is_stamped \
    "CREATE TEMP TABLE keep AS SELECT * FROM production_data WHERE id = 2002;
     DELETE FROM production_data WHERE id = 2002;
     INSERT INTO production_data SELECT * FROM keep" 1 1
stamp_check stored_hash_that_differs_is_staged \
    "UPDATE production_data SET wellos_sync_hash = wellos_sync_hash + 1, wellos_sync_xid = pg_current_xact_id()::xid
     WHERE id = 2002" 1 1
stamp_check after_the_stamps_nothing_is_staged "" 0 0
# The server's own maintenance keeps a row's xmin as it reads (the raw
# xid, since PostgreSQL 9.4): freezing (autovacuum does it to every old
# row) and rewriting the table must not make a whole window look changed.
stamp_check vacuum_freeze_stages_nothing "VACUUM (FREEZE) production_data" 0 0
stamp_check vacuum_full_stages_nothing "VACUUM FULL production_data" 0 0
stamp_check cluster_stages_nothing "CLUSTER production_data USING production_data_id_pkey" 0 0
check stamped_rows_are_the_agents "$(pg lone "SELECT count(*) FILTER (WHERE xmin <> wellos_sync_xid OR wellos_sync_hash IS NULL) FROM production_data")" \
    test "$(pg lone "SELECT count(*) FILTER (WHERE xmin <> wellos_sync_xid OR wellos_sync_hash IS NULL) FROM production_data")" = 0
act_production lone >"$out/lone_production_after_stamps.actual"
cp "$out/lone_production_after_full.expected" "$out/lone_production_after_stamps.expected"
same lone_production_after_stamps
# A stamp column altered by hand: the run fails and says what it must be.
pg lone "ALTER TABLE production_data ALTER COLUMN wellos_sync_hash TYPE integer USING 0"
run lone_altered "$lone" --once --entity ProductionRecord --full
check altered_stamp_says_its_type "exit $rc" \
    eval 'test $rc -ne 0 && grep -q "wellos_sync_hash must be bigint" "$out/lone_altered.err"'
# A target made by an agent from before the stamps: the run says to run
# --init, which adds the columns; the next run stamps every row once.
pg lone "ALTER TABLE production_data DROP COLUMN wellos_sync_hash, DROP COLUMN wellos_sync_xid"
run lone_unstamped "$lone" --once --entity ProductionRecord --full
check table_without_stamps_says_run_init "exit $rc" \
    eval 'test $rc -ne 0 && grep -q "wellos_sync_hash.*run the agent with --init once" "$out/lone_unstamped.err"'
run lone_init_again "$lone" --init
check init_adds_the_stamps "exit $rc" test $rc = 0
stamp_check rows_are_stamped_once_after_init "" "$(pg lone "SELECT count(*) FROM production_data")" \
    "$(pg lone "SELECT count(*) FROM production_data")"
stamp_check and_then_unchanged "" 0 0

check_run() { # NAME AGENT STATUS PATTERN: AGENT --check exits STATUS, its output matches PATTERN
    cr_out=$out/$1.out cr_status=$3 cr_pattern=$4   # not local: check's own locals would hide them
    last=$1; run "$1" "$2" --check
    check "$1" "exit $rc, $(grep '^source\|^target' "$cr_out" | cut -c1-220 | paste -sd'|')" \
        eval 'test "$rc" = "$cr_status" && grep -q -- "$cr_pattern" "$cr_out"'
}

# The least a role needs on the target, as README.md ("What the agent's
# roles need") lists it, after an owner ran --init: the run works (an empty
# table it does not own loads in batches, and says so) and writes what an
# owner's run writes.  Without one of the grants it fails with a hint.
pg postgres "CREATE DATABASE lone_lp" || die "createdb lone_lp"
pg postgres "CREATE ROLE wellos_agent LOGIN" || die "create role"
lp() { LONE_STAR_TARGET_DSN="$pg_dsn dbname=lone_lp" "$@"; }
last=lp_init; lp run lp_init "$lone" --init
pg lone_lp "GRANT SELECT, INSERT, UPDATE ON wells, production_data, equipment TO wellos_agent;
            GRANT SELECT, INSERT, UPDATE ON wellos_sync_state, wellos_sync_rejects TO wellos_agent;
            GRANT SELECT ON wellos_tenant TO wellos_agent"
lpa() { LONE_STAR_TARGET_DSN="host=$PGHOST port=$PGPORT user=wellos_agent dbname=lone_lp" "$@"; }
lpa check_run least_privilege_check_names_what_is_missing "$lone" 1 \
    "^target (postgres, LONE_STAR_TARGET_DSN): failed: the agent's role lacks wellos_sync_rejects_id_seq: USAGE (README.md"
last=lp_no_seq; lpa run lp_no_seq "$lone" --once
check least_privilege_missing_grant_fails_with_a_hint "exit $rc, $(grep -o 'permission denied[^"]*' "$out/lp_no_seq.err" | head -1)" \
    eval 'test $rc -ne 0 && grep -q "permission denied for sequence wellos_sync_rejects_id_seq (SQLSTATE 42501) (the agent.s role lacks a privilege on the target: README.md" "$out/lp_no_seq.err"'
pg lone_lp "GRANT USAGE ON SEQUENCE wellos_sync_rejects_id_seq TO wellos_agent"
lpa check_run least_privilege_check_passes_with_the_grants "$lone" 0 \
    "^target (postgres, LONE_STAR_TARGET_DSN): ok, marked for tenant lone_star, with the privileges a run needs; its [0-9]* statements prepare$"
last=lp_sync; lpa run lp_sync "$lone" --once
check least_privilege_run_exits_0 "exit $rc, $(grep -c 'loads in batches' "$out/lp_sync.err") tables loaded in batches" \
    test "$rc/$(grep -c 'cannot be prepared for an initial load, so it loads in batches' "$out/lp_sync.err")" = "0/3"
same_as_lone_src lone_lp lp
last=lp_resync; lpa run lp_resync "$lone" --once
check least_privilege_resync_writes_nothing "exit $rc, written $(written lone_lp)" test "$rc/$(written lone_lp)" = "0/0"

# ---- the target over TLS -------------------------------------------------------------------
# PostgreSQL offers TLS with the test authority's certificate; verify-full
# against it means no session of the agent's can be plaintext.  Its waits
# (wr_pg_io.c) then go through OpenSSL: the initial load's COPY, the
# comparison's scan and the upserts.
cp "$tls/server.pem" "$tls/server.key" "$tmp/pg/data/" && chmod 600 "$tmp/pg/data/server.key" \
    && { [ "$(id -u)" -ne 0 ] || chown postgres "$tmp/pg/data/server.pem" "$tmp/pg/data/server.key"; } || die "pg tls files"
for setting in "ssl_cert_file = 'server.pem'" "ssl_key_file = 'server.key'" "ssl = on"; do
    pg postgres "ALTER SYSTEM SET $setting" || die "ALTER SYSTEM SET $setting"
done
pg postgres "SELECT pg_reload_conf()" >/dev/null || die "pg_reload_conf"
pg postgres "CREATE DATABASE lone_tls" || die "createdb lone_tls"
tlspg() { LONE_STAR_TARGET_DSN="host=127.0.0.1 port=$PGPORT user=postgres dbname=lone_tls sslmode=verify-full sslrootcert=$tls/ca.pem read_timeout=30" "$@"; }
last=tlspg_init; tlspg run tlspg_init "$lone" --init
last=tlspg_sync; tlspg run tlspg_sync "$lone" --once
check tls_target_first_sync_exits_0 "exit $rc" test $rc -eq 0
same_as_lone_src lone_tls tlspg
pg lone_tls "UPDATE production_data SET oil = oil + 1 WHERE id % 10 = 0"
last=tlspg_resync; tlspg run tlspg_resync "$lone" --once
check tls_target_resync_puts_back_only_the_edited_rows "exit $rc, written $(written lone_tls) of $(pg lone_tls "SELECT count(*) FROM production_data WHERE id % 10 = 0") edited" \
    test "$rc/$(written lone_tls)" = "0/$(pg lone_tls "SELECT count(*) FROM production_data WHERE id % 10 = 0")"
same_as_lone_src lone_tls tlspg_resync
last=tlspg_again; tlspg run tlspg_again "$lone" --once
check tls_target_resync_then_writes_nothing "exit $rc, written $(written lone_tls)" test "$rc/$(written lone_tls)" = "0/0"

# ==== a watermark the transform reads too ===================================================
# `incremental on prod_date` where `date <- prod_date`: the extract selects
# the column once and the agent takes the watermark from its place in the
# row (compiler/sync_sql.c, wm_sync_watermark_column).  The stored watermark must
# be that column's largest value, and the next run must read from it.
echo "# a watermark on a mapped column (MariaDB -> PostgreSQL)"
mkdir -p "$tmp/wm/specs"
cp specs/wellos.wmap "$tmp/wm/specs/"
cat >"$tmp/wm/wm.wmap" <<'SPEC'
import "specs/wellos.wmap"
tenant wm_reuse {
  strategy etl
  source mysql    dsn env WM_REUSE_SOURCE_DSN
  target postgres dsn env WM_REUSE_TARGET_DSN
  every 15 minutes
  sync Well from wells {
    id     <- well_uuid
    name   <- well_name
    status <- status_code map { "PROD" => ACTIVE } else reject
  }
  sync ProductionRecord from production incremental on prod_date {
    id      <- id
    well_id <- well_uuid
    gas     <- gas_mcf
    date    <- prod_date
    oil     <- oil_bbl
  }
}
SPEC
wm_agent=$tmp/wellos-sync-wm_reuse
last=wm_build
"$wellosc" build -o "$wm_agent" --tenant wm_reuse "$tmp/wm/wm.wmap" >"$out/wm_build.err" 2>&1
"$wellosc" plan --tenant wm_reuse "$tmp/wm/wm.wmap" >"$out/wm_plan.sql" 2>&1
check wm_extract_selects_the_watermark_column_once "$(grep -m1 'FROM `production`' "$out/wm_plan.sql")" \
    grep -qF 'SELECT `id`, `well_uuid`, `prod_date`, `oil_bbl`, `gas_mcf` FROM `production` WHERE (`prod_date` >= ?' "$out/wm_plan.sql"
my mysql "CREATE DATABASE wm_src CHARACTER SET utf8mb4" && pg postgres "CREATE DATABASE wm_tgt" || die "wm databases"
my wm_src "CREATE TABLE wells (well_uuid CHAR(36) PRIMARY KEY, well_name VARCHAR(50), status_code VARCHAR(8));
           INSERT INTO wells VALUES ('3a000000-0000-4000-8000-000000000001', 'Reuse 1H', 'PROD');
           CREATE TABLE production (id INT PRIMARY KEY, well_uuid CHAR(36), prod_date DATE, oil_bbl DECIMAL(12,2), gas_mcf DECIMAL(12,2));
           INSERT INTO production VALUES (1, '3a000000-0000-4000-8000-000000000001', '2025-03-01', 10, 100),
             (2, '3a000000-0000-4000-8000-000000000001', '2025-03-04', 11, 110),
             (3, '3a000000-0000-4000-8000-000000000001', '2025-03-02', 12, 120),
             (4, '3a000000-0000-4000-8000-000000000001', '2025-03-05', 13, 130),
             (5, '3a000000-0000-4000-8000-000000000001', '2025-03-03', 14, 140)" || die "wm source"
export WM_REUSE_SOURCE_DSN="$my_dsn dbname=wm_src" WM_REUSE_TARGET_DSN="$pg_dsn dbname=wm_tgt"
last=wm_init; run wm_init "$wm_agent" --init
last=wm_sync1; run wm_sync1 "$wm_agent" --once
check wm_first_sync_stores_the_largest_date "exit $rc, watermark $(state wm_tgt ProductionRecord watermark), $(pg wm_tgt "SELECT count(*) FROM production_data") rows" \
    test "$rc/$(state wm_tgt ProductionRecord watermark)/$(pg wm_tgt "SELECT count(*) FROM production_data")" = "0/2025-03-05/5"
# a tie with the watermark is read; an older date (a new row, a changed row) is not
my wm_src "INSERT INTO production VALUES (6, '3a000000-0000-4000-8000-000000000001', '2025-03-05', 15, 150),
                                         (7, '3a000000-0000-4000-8000-000000000001', '2025-03-04', 16, 160);
           UPDATE production SET oil_bbl = 99 WHERE id = 1"
last=wm_sync2; run wm_sync2 "$wm_agent" --once
check wm_next_sync_reads_from_the_stored_watermark \
    "exit $rc, read $(state wm_tgt ProductionRecord rows_read), ids $(pg wm_tgt "SELECT string_agg(id::text || ':' || oil, ' ' ORDER BY id) FROM production_data")" \
    test "$rc/$(state wm_tgt ProductionRecord rows_read)/$(pg wm_tgt "SELECT string_agg(id::text || ':' || oil, ' ' ORDER BY id) FROM production_data")" \
         = "0/2/1:10.00 2:11.00 3:12.00 4:13.00 5:14.00 6:15.00"

# ==== a text key, compared in byte order ===================================================
# The comparison walks source and target in the same key order; a text key
# is compared byte by byte.  MariaDB's default utf8mb4_general_ci sorts
# 'a1' before 'B2' and an ICU collation in PostgreSQL sorts by language,
# so the extract asks each for its binary order (compiler/sync_sql.c,
# key_order_by).  Without it half of these rows were staged again on every
# re-sync, with a warning that source rows came out of order.
echo "# a text key with mixed case (MariaDB and PostgreSQL -> PostgreSQL)"
mkdir -p "$tmp/tk"
for d in mysql postgres; do
    cat >"$tmp/tk/tk_$d.wmap" <<SPEC
entity Lease table leases {
  code  text(20)  key
  name  text(100)
}
tenant tk_$d {
  strategy etl
  source $d dsn env TK_SOURCE_DSN
  target postgres dsn env TK_TARGET_DSN
  every 15 minutes
  sync Lease from src_leases {
    code <- lease_code
    name <- lease_name
  }
}
SPEC
    last=tk_build_$d
    "$wellosc" build -o "$tmp/tk/agent_$d" --tenant "tk_$d" "$tmp/tk/tk_$d.wmap" >"$out/tk_build_$d.err" 2>&1 \
        || die "building the text-key agent ($d): $(head -3 "$out/tk_build_$d.err")"
done
# 2,000 keys: a, B, c, D, é and digits in turn, so that case, accents and
# digits interleave differently in each order
tk_rows="SELECT concat(ELT(1 + seq % 6, 'a', 'B', 'c', 'D', 'é', '7'), seq), concat('lease ', seq) FROM seq_1_to_2000"
my mysql "CREATE DATABASE tk_src CHARACTER SET utf8mb4" && pg postgres "CREATE DATABASE tk_src" \
    && pg postgres "CREATE DATABASE tk_my" && pg postgres "CREATE DATABASE tk_pg" || die "text-key databases"
my tk_src "CREATE TABLE src_leases (lease_code VARCHAR(20) PRIMARY KEY, lease_name VARCHAR(100));
           INSERT INTO src_leases $tk_rows" || die "text-key source (MariaDB)"
pg tk_src "CREATE TABLE src_leases (lease_code text COLLATE \"und-x-icu\" PRIMARY KEY, lease_name text);
           INSERT INTO src_leases SELECT (ARRAY['a','B','c','D','é','7'])[1 + g % 6] || g, 'lease ' || g
           FROM generate_series(1, 2000) g" || die "text-key source (PostgreSQL)"
for d in mysql postgres; do
    if [ $d = mysql ]; then src="$my_dsn dbname=tk_src" tgt=tk_my; else src="$pg_dsn dbname=tk_src" tgt=tk_pg; fi
    export TK_SOURCE_DSN="$src" TK_TARGET_DSN="$pg_dsn dbname=$tgt"
    run "tk_init_$d" "$tmp/tk/agent_$d" --init
    run "tk_sync1_$d" "$tmp/tk/agent_$d" --once
    check "tk_${d}_first_sync_loads_every_key" "exit $rc, $(pg $tgt "SELECT count(*) FROM leases") rows" \
        test "$rc/$(pg $tgt "SELECT count(*) FROM leases")" = "0/2000"
    run "tk_resync_$d" "$tmp/tk/agent_$d" --once
    compared=$(grep -o 'compared with the target: [^"]*' "$out/tk_resync_$d.err")
    check "tk_${d}_resync_stages_no_row_and_writes_none" \
        "exit $rc, written $(written $tgt), $compared; $(grep -o 'came out of[^"]*' "$out/tk_resync_$d.err")" \
        test "$rc/$(written $tgt)/$compared" = "0/0/compared with the target: 2000 rows as the agent last wrote them (not staged), 0 staged"
    check "tk_${d}_resync_says_nothing_came_out_of_order" "$(grep -c 'out of the target' "$out/tk_resync_$d.err") warnings" \
        test "$(grep -c 'out of the target' "$out/tk_resync_$d.err")" = 0
done
# and the target's scan walks the key's index: --init made the key column
# COLLATE "C" (compiler/emit_ddl.c), so ORDER BY key COLLATE "C" needs no sort
tk_scan=$("$wellosc" plan --tenant tk_mysql "$tmp/tk/tk_mysql.wmap" | sed -n 's/^COPY (\(SELECT .*\)) TO STDOUT (FORMAT binary);$/\1/p')
tk_sorts=$(psql -X -A -t -q -d tk_my -c "SET enable_sort = off" -c "EXPLAIN $tk_scan" | grep -c 'Sort' || true)
check tk_comparison_scan_walks_the_key_index \
    "collation $(pg tk_my "SELECT collation_name FROM information_schema.columns WHERE table_name = 'leases' AND column_name = 'code'"), $tk_sorts Sort nodes" \
    test "$(pg tk_my "SELECT collation_name FROM information_schema.columns WHERE table_name = 'leases' AND column_name = 'code'")/$tk_sorts" = "C/0"
# a changed row and a new one, in the middle of the byte order, still land
my tk_src "UPDATE src_leases SET lease_name = 'renamed' WHERE lease_code = 'c2'; INSERT INTO src_leases VALUES ('C0', 'new')"
export TK_SOURCE_DSN="$my_dsn dbname=tk_src" TK_TARGET_DSN="$pg_dsn dbname=tk_my"
run tk_change_mysql "$tmp/tk/agent_mysql" --once
check tk_mysql_a_change_and_an_insert_land \
    "exit $rc, written $(state tk_my Lease rows_written), $(pg tk_my "SELECT string_agg(code || '=' || name, ' ' ORDER BY code COLLATE \"C\") FROM leases WHERE code IN ('c2', 'C0')")" \
    test "$rc/$(state tk_my Lease rows_written)/$(pg tk_my "SELECT string_agg(code || '=' || name, ' ' ORDER BY code COLLATE \"C\") FROM leases WHERE code IN ('c2', 'C0')")" \
         = "0/2/C0=new c2=renamed"

# A table made before its key was declared COLLATE "C" still compares
# right, and the agent says why its scan sorts and what would stop it.
pg tk_my 'ALTER TABLE leases ALTER COLUMN code TYPE varchar(20) COLLATE "default"'
run tk_legacy_collation_mysql "$tmp/tk/agent_mysql" --once
check tk_a_key_in_another_collation_is_named_in_a_warning "exit $rc, written $(written tk_my): $(grep -o 'key column [^"]*' "$out/tk_legacy_collation_mysql.err" | head -1)" \
    bash -c "[ $rc -eq 0 ] && [ $(written tk_my) -eq 0 ] && grep -q 'key column code of .*leases.* is character varying(20) COLLATE .*default.*: the comparison.s scan sorts the window' '$out/tk_legacy_collation_mysql.err'"
pg tk_my 'ALTER TABLE leases ALTER COLUMN code TYPE varchar(20) COLLATE "C"'
run tk_c_collation_mysql "$tmp/tk/agent_mysql" --once
check tk_a_key_in_collation_c_draws_no_warning "exit $rc, $(grep -c 'key column' "$out/tk_c_collation_mysql.err") warnings" \
    bash -c "[ $rc -eq 0 ] && ! grep -q 'key column' '$out/tk_c_collation_mysql.err'"

# A batch is --batch-size rows that need work, and at most ten times that
# read (runtime/wr_sync.c, is_diff_batch_full): ten changed rows, 200 apart
# in key order among 2,001, go in two transactions with --batch-size 100
# (1,000 rows read each), not in ten.  Rows written together share their
# wellos_sync_xid.
tk_keys=$(pg tk_my "SELECT string_agg(quote_literal(code), ',') FROM (SELECT code, row_number() OVER (ORDER BY code COLLATE \"C\") n
                    FROM leases) k WHERE n % 200 = 100")
my tk_src "UPDATE src_leases SET lease_name = concat(lease_name, '+') WHERE lease_code IN ($tk_keys)"
run tk_batches_mysql "$tmp/tk/agent_mysql" --once --batch-size 100
tk_xids=$(pg tk_my "SELECT count(DISTINCT wellos_sync_xid::text) FROM leases WHERE name LIKE '%+'")
check tk_mysql_a_batch_counts_the_rows_to_write \
    "exit $rc, written $(state tk_my Lease rows_written), in $tk_xids transactions" \
    test "$rc/$(state tk_my Lease rows_written)/$tk_xids" = "0/10/2"

# ==== wellosc introspect, then check --schema =============================================
echo "# introspect a source, check a spec against the snapshot (MariaDB, PostgreSQL)"
# snapshot_rows FILE: one line per column, schema|table|column|type|nullable
snapshot_rows() {
    sed -n -e 's/^    {"schema": \(".*"\), "name": \(".*"\), "columns": \[$/T \1|\2/p' \
           -e 's/^      {"name": \(".*"\), "type": \(".*"\), "nullable": \(true\|false\)},\{0,1\}$/C \1|\2|\3/p' "$1" |
        awk '/^T /{t=substr($0, 3); next} {print t "|" substr($0, 3)}'
}
intro() {   # NAME ARGS...: wellosc introspect, output in $out/NAME.{out,err}
    local name=$1; shift
    last=$name
    "$wellosc" introspect "$@" >"$out/$name.out" 2>"$out/$name.err" </dev/null
    rc=$?
}
schema_check() {   # NAME SNAPSHOT SPEC: wellosc check --schema
    last=$1
    "$wellosc" check --schema "$2" "$3" >"$out/$1.out" 2>"$out/$1.err" </dev/null
    rc=$?
}

intro intro_eagle -o "$tmp/eagle.json" examples/eagle_ford.wmap
check introspect_reads_a_mariadb_source "exit $rc" \
    bash -c "[ $rc -eq 0 ] && grep -q '^wellosc: $tmp/eagle.json: 15 columns of tenant eagle_ford.s mysql\$' '$out/intro_eagle.err'"
schema_check check_eagle "$tmp/eagle.json" examples/eagle_ford.wmap
check the_example_matches_its_mariadb_source "exit $rc: $(head -1 "$out/check_eagle.err")" \
    bash -c "[ $rc -eq 0 ] && [ ! -s '$out/check_eagle.err' ]"
# Only the connection's database: eagle_big, on the same server, is not in it.
check introspect_keeps_to_the_connections_database "$(snapshot_rows "$tmp/eagle.json" | cut -d'|' -f1 | sort -u | tr '\n' ' ')" \
    test "$(snapshot_rows "$tmp/eagle.json" | cut -d'|' -f1 | sort -u)" = '"eagle_src"'

# Every column exactly as the catalog has it, JSON escapes included.
my eagle_src 'CREATE TABLE intro_types (i INT NOT NULL PRIMARY KEY, d DECIMAL(12,2), v VARCHAR(20) NOT NULL,
    t DATETIME(3), b TINYINT(1), x TEXT, `odd "q" \ name` DATE, u INT UNSIGNED, e ENUM('"'"'a'"'"', '"'"'b'"'"'))'
intro intro_types -o "$tmp/types.json" examples/eagle_ford.wmap
cat >"$out/mariadb_column_types.expected" <<'ROWS'
"eagle_src"|"intro_types"|"i"|"int(11)"|false
"eagle_src"|"intro_types"|"d"|"decimal(12,2)"|true
"eagle_src"|"intro_types"|"v"|"varchar(20)"|false
"eagle_src"|"intro_types"|"t"|"datetime(3)"|true
"eagle_src"|"intro_types"|"b"|"tinyint(1)"|true
"eagle_src"|"intro_types"|"x"|"text"|true
"eagle_src"|"intro_types"|"odd \"q\" \\ name"|"date"|true
"eagle_src"|"intro_types"|"u"|"int(10) unsigned"|true
"eagle_src"|"intro_types"|"e"|"enum('a','b')"|true
ROWS
snapshot_rows "$tmp/types.json" | grep '|"intro_types"|' >"$out/mariadb_column_types.actual"
same mariadb_column_types
my eagle_src "DROP TABLE intro_types"

# A source that drifted from the spec: a column renamed, another retyped.
my mysql "CREATE DATABASE intro_src CHARACTER SET utf8mb4" || die "mariadb"
my intro_src "CREATE TABLE wells_master LIKE eagle_src.wells_master; CREATE TABLE daily_volumes LIKE eagle_src.daily_volumes;
              ALTER TABLE wells_master RENAME COLUMN api_no TO api_number;
              ALTER TABLE daily_volumes MODIFY prod_day DATE"
EAGLE_SOURCE_DSN="$my_dsn dbname=intro_src" intro intro_drift -o "$tmp/drift.json" examples/eagle_ford.wmap
schema_check check_drift "$tmp/drift.json" examples/eagle_ford.wmap
check check_finds_a_renamed_column_at_its_line "exit $rc" \
    bash -c "[ $rc -eq 1 ] && grep -q \"^examples/eagle_ford.wmap:15:19: error: no column 'api_no' in table 'wells_master'\$\" '$out/check_drift.err' \
             && grep -q \"hint: its columns: well_uuid, well_name, api_number, lat_deg,\" '$out/check_drift.err'"
check check_finds_a_retyped_column_at_its_line "$(grep -m1 ':29:' "$out/check_drift.err")" \
    grep -q "^examples/eagle_ford.wmap:29:27: error: parse_date() parses text; column 'prod_day' is date\$" "$out/check_drift.err"
check check_counts_both "$(tail -1 "$out/check_drift.err")" grep -q '^2 errors, 0 warnings$' "$out/check_drift.err"

# A failed introspect leaves the snapshot it would have replaced.
cp "$tmp/drift.json" "$tmp/drift.keep"
EAGLE_SOURCE_DSN="$my_dsn dbname=intro_src password=wrong-secret-1" intro intro_denied -o "$tmp/drift.json" examples/eagle_ford.wmap
check introspect_fails_on_a_refused_login "exit $rc: $(head -1 "$out/intro_denied.err")" \
    bash -c "[ $rc -eq 1 ] && grep -q 'tenant eagle_ford source' '$out/intro_denied.err' && ! grep -q wrong-secret-1 '$out/intro_denied.err' \
             && cmp -s '$tmp/drift.json' '$tmp/drift.keep'"

# PostgreSQL: the catalog's own type names, schema-qualified tables.
intro intro_bakken -o "$tmp/bakken.json" examples/bakken_pg.wmap
schema_check check_bakken "$tmp/bakken.json" examples/bakken_pg.wmap
check the_example_matches_its_postgresql_source "exit $rc: $(head -1 "$out/check_bakken.err")" \
    bash -c "[ $rc -eq 0 ] && [ ! -s '$out/check_bakken.err' ]"
pg bakken_src 'CREATE TABLE acct.intro_types (i integer NOT NULL, d numeric(12,2), v varchar(20), t timestamptz(3),
    u uuid NOT NULL, j jsonb, "Odd ""q"" \ name" date)'
intro intro_pg_types -o "$tmp/bakken.json" examples/bakken_pg.wmap
cat >"$out/postgresql_column_types.expected" <<'ROWS'
"acct"|"intro_types"|"i"|"integer"|false
"acct"|"intro_types"|"d"|"numeric(12,2)"|true
"acct"|"intro_types"|"v"|"character varying(20)"|true
"acct"|"intro_types"|"t"|"timestamp(3) with time zone"|true
"acct"|"intro_types"|"u"|"uuid"|false
"acct"|"intro_types"|"j"|"jsonb"|true
"acct"|"intro_types"|"Odd \"q\" \\ name"|"date"|true
ROWS
snapshot_rows "$tmp/bakken.json" | grep '|"intro_types"|' >"$out/postgresql_column_types.actual"
same postgresql_column_types
schemas=$(snapshot_rows "$tmp/bakken.json" | cut -d'|' -f1 | sort -u | tr '\n' ' ')
check introspect_reads_no_system_schema "$schemas" \
    bash -c "[[ '$schemas' == *'\"acct\"'* ]] && [[ '$schemas' != *'\"pg_'* ]] && [[ '$schemas' != *information_schema* ]]"
pg bakken_src "DROP TABLE acct.intro_types"

# Adapter tenants: the client's tables as their generated DDL makes them
# match their specs; a column changed afterwards is found, read and written.
pg postgres "CREATE DATABASE anadarko_src" || die "createdb anadarko_src"
pg anadarko_src "CREATE SCHEMA field; $(grep -v '^--' generated/anadarko_pg/anadarko_pg_schema.sql)" || die "anadarko schema"
ANADARKO_DSN="$pg_dsn dbname=anadarko_src" intro intro_anadarko -o "$tmp/anadarko.json" examples/anadarko_pg.wmap
schema_check check_anadarko "$tmp/anadarko.json" examples/anadarko_pg.wmap
check an_adapters_generated_tables_match_its_spec "exit $rc: $(head -1 "$out/check_anadarko.err")" \
    bash -c "[ $rc -eq 0 ] && [ ! -s '$out/check_anadarko.err' ]"
pg anadarko_src "ALTER TABLE field.well_header ALTER COLUMN api_14 TYPE varchar(10);
                 ALTER TABLE field.well_header ALTER COLUMN lease TYPE integer USING NULL;
                 ALTER TABLE field.daily_volume ALTER COLUMN oil_bbl TYPE uuid USING NULL"
ANADARKO_DSN="$pg_dsn dbname=anadarko_src" intro intro_anadarko2 -o "$tmp/anadarko.json" examples/anadarko_pg.wmap
schema_check check_anadarko2 "$tmp/anadarko.json" examples/anadarko_pg.wmap
check an_adapter_column_narrower_than_its_field_warns "$(grep -m1 ':12:' "$out/check_anadarko2.err")" \
    grep -q "^examples/anadarko_pg.wmap:12:21: warning: field 'api_number' (text(14)) is written back to column 'api_14' (character varying(10)): a longer value fails the write\$" "$out/check_anadarko2.err"
check an_adapter_column_of_another_type_is_an_error_once "$(grep -m1 ':26:' "$out/check_anadarko2.err")" \
    bash -c "[ $rc -eq 1 ] && grep -q \"^examples/anadarko_pg.wmap:26:20: error: cannot convert uuid to decimal(12,2) for field 'oil'; column 'oil_bbl' is uuid\$\" '$out/check_anadarko2.err' \
             && [ \$(grep -c '^examples/anadarko_pg.wmap:26:' '$out/check_anadarko2.err') -eq 1 ]"
check a_text_field_written_into_a_number_column_warns "$(grep -m1 ':16:' "$out/check_anadarko2.err")" \
    grep -q "^examples/anadarko_pg.wmap:16:21: warning: field 'lease' (text(100)) is written back to column 'lease' (integer): the database parses it, and fails a value it cannot read\$" "$out/check_anadarko2.err"
my mysql "CREATE DATABASE permian_src CHARACTER SET utf8mb4" || die "mariadb"
my permian_src "$(grep -v '^--' generated/permian_ops/permian_ops_schema.sql)" || die "permian schema"
PERMIAN_DSN="$my_dsn dbname=permian_src" intro intro_permian -o "$tmp/permian.json" examples/permian_ops.wmap
schema_check check_permian "$tmp/permian.json" examples/permian_ops.wmap
check a_mysql_adapters_generated_tables_match_its_spec "exit $rc: $(head -1 "$out/check_permian.err")" \
    bash -c "[ $rc -eq 0 ] && [ ! -s '$out/check_permian.err' ]"

# ==== every agent ========================================================================
echo "# refusals, versions, depfiles"
before=$(snapshot bakken)
last=foreign_run; EAGLE_TARGET_DSN="$pg_dsn dbname=bakken" run foreign_run "$eagle" --once
rc_run=$rc
last=foreign_init; EAGLE_TARGET_DSN="$pg_dsn dbname=bakken" run foreign_init "$eagle" --init
check agent_refuses_another_tenants_target_with_exit_3 "run exit $rc_run, --init exit $rc" \
    bash -c "[ $rc_run -eq 3 ] && [ $rc -eq 3 ] \
             && grep -q \"marked for tenant 'bakken_pg', not 'eagle_ford'\" '$out/foreign_run.err' \
             && grep -q \"marked for tenant 'bakken_pg', not 'eagle_ford'\" '$out/foreign_init.err'"
check refused_agent_wrote_nothing "$(snapshot bakken | md5sum | cut -c1-8) vs $(echo "$before" | md5sum | cut -c1-8)" \
    test "$(snapshot bakken)" = "$before"

# --check prepares every source statement of the spec, running none: a
# column renamed in the client's schema is found before a run is.
check_run check_prepares_the_mysql_extracts "$eagle" 0 "^source (mysql, EAGLE_SOURCE_DSN): ok, its 3 statements prepare$"
my eagle_src "ALTER TABLE daily_volumes RENAME COLUMN oil_bbl TO oil_volume"
check_run check_finds_a_column_the_mysql_source_renamed "$eagle" 1 \
    "^source (mysql, EAGLE_SOURCE_DSN): failed: tenant eagle_ford: ProductionRecord.extract: mysql: Unknown column .oil_bbl."
my eagle_src "ALTER TABLE daily_volumes RENAME COLUMN oil_volume TO oil_bbl"
check_run check_prepares_the_postgres_extracts "$bakken" 0 "^source (postgres, BAKKEN_SOURCE_DSN): ok, its [0-9]* statements prepare$"
pg bakken_src "ALTER TABLE acct.monthly_allocations RENAME COLUMN oil_m3 TO oil"
check_run check_finds_a_column_the_postgres_source_renamed "$bakken" 1 \
    "^source (postgres, BAKKEN_SOURCE_DSN): failed: tenant bakken_pg: ProductionRecord.extract: postgres: column \"oil_m3\" does not exist"
pg bakken_src "ALTER TABLE acct.monthly_allocations RENAME COLUMN oil TO oil_m3"
# PostgreSQL checks privileges only when a plan starts, not when it
# prepares: a source role without SELECT on a table must be found too.
pg bakken_src "CREATE ROLE bakken_reader LOGIN; GRANT USAGE ON SCHEMA acct TO bakken_reader;
               GRANT SELECT ON acct.wells TO bakken_reader"
BAKKEN_SOURCE_DSN="host=$PGHOST port=$PGPORT user=bakken_reader dbname=bakken_src" \
    check_run check_finds_a_table_the_postgres_source_role_cannot_read "$bakken" 1 \
    "^source (postgres, BAKKEN_SOURCE_DSN): failed: tenant bakken_pg: ProductionRecord.extract: postgres: permission denied for table monthly_allocations"

# On the target, --check prepares what a batch runs on each table (in a
# transaction it rolls back): a column renamed in the WellOS database, or
# a key left without the unique index the upsert needs, is named.
lone_before_check=$(snapshot lone)
check_run check_prepares_the_target_statements "$lone" 0 \
    "^target (postgres, LONE_STAR_TARGET_DSN): ok, marked for tenant lone_star, with the privileges a run needs; its [0-9]* statements prepare$"
pg lone "ALTER TABLE production_data RENAME COLUMN oil TO oil_bbl"
check_run check_finds_a_column_renamed_on_the_target "$lone" 1 \
    "^target (postgres, LONE_STAR_TARGET_DSN): failed: .*ProductionRecord.upsert: postgres: column \"oil\" of relation \"production_data\" does not exist"
pg lone "ALTER TABLE production_data RENAME COLUMN oil_bbl TO oil;
         ALTER TABLE production_data DROP CONSTRAINT production_data_id_pkey"
check_run check_finds_a_target_key_without_its_unique_index "$lone" 1 \
    "^target (postgres, LONE_STAR_TARGET_DSN): failed: .*ProductionRecord.upsert: postgres: there is no unique or exclusion constraint matching the ON CONFLICT"
pg lone "ALTER TABLE production_data ADD CONSTRAINT production_data_id_pkey PRIMARY KEY (id)"
check_run check_passes_once_the_target_is_mended "$lone" 0 "statements prepare$"
check target_check_wrote_nothing "$(snapshot lone | md5sum | cut -c1-8) vs $(echo "$lone_before_check" | md5sum | cut -c1-8)" \
    test "$(snapshot lone)" = "$lone_before_check"

compiler_version=$("$wellosc" --version | sed -n 's/^wellosc \([^ ]*\).*/\1/p')
last=version; run version "$eagle" --version
check version_prints_the_compiler_version_and_a_spec_hash "$(cat "$out/version.out")" \
    grep -Eqx "wellos-sync-eagle_ford $compiler_version spec [0-9a-f]{16}" "$out/version.out"
hash=$(sed -n 's/.* spec //p' "$out/version.out")
check version_hash_is_in_the_agents_start_log "$(grep -o 'spec [0-9a-f]*' "$out/eagle_sync1.err" | head -1)" \
    grep -q "(spec $hash, runtime " "$out/eagle_sync1.err"
mkdir -p "$tmp/tree/examples" "$tmp/tree/specs"
cp examples/eagle_ford.wmap "$tmp/tree/examples/"
cp specs/wellos.wmap "$tmp/tree/specs/"
(cd "$tmp/tree" && "$wellosc" build -o same examples/eagle_ford.wmap && ./same --version >same.version)
echo "# a comment" >>"$tmp/tree/specs/wellos.wmap"
(cd "$tmp/tree" && "$wellosc" build -o changed examples/eagle_ford.wmap && ./changed --version >changed.version)
check version_hash_is_stable_and_follows_every_spec_file "same files: $(cat "$tmp/tree/same.version"), imported file changed: $(cat "$tmp/tree/changed.version")" \
    bash -c "[ \"\$(cat '$tmp/tree/same.version')\" = \"\$(cat '$out/version.out')\" ] \
             && [ \"\$(cat '$tmp/tree/changed.version')\" != \"\$(cat '$out/version.out')\" ]"

mkdir -p "$tmp/dep"
"$wellosc" build -M -o "$tmp/dep/wellos-sync-eagle_ford" examples/eagle_ford.wmap
check build_M_writes_a_depfile_naming_every_spec "$(tr '\n' ' ' <"$tmp/dep/wellos-sync-eagle_ford.d" 2>/dev/null)" \
    bash -c "[ -x '$tmp/dep/wellos-sync-eagle_ford' ] \
             && head -1 '$tmp/dep/wellos-sync-eagle_ford.d' | grep -qx '$tmp/dep/wellos-sync-eagle_ford: examples/eagle_ford.wmap specs/wellos.wmap' \
             && grep -qx 'examples/eagle_ford.wmap:' '$tmp/dep/wellos-sync-eagle_ford.d' \
             && grep -qx 'specs/wellos.wmap:' '$tmp/dep/wellos-sync-eagle_ford.d'"
# make, given the depfile, rebuilds the agent when the imported spec changes
(cd "$tmp/tree" && "$wellosc" build -o agent --depfile agent.d examples/eagle_ford.wmap)
printf 'agent:\n\t@echo rebuild\ninclude agent.d\n' >"$tmp/tree/Makefile"
(cd "$tmp/tree" && make -q agent); up_to_date=$?
touch -d '1 minute ago' "$tmp/tree/agent"
touch "$tmp/tree/specs/wellos.wmap"
(cd "$tmp/tree" && make -q agent); after_touch=$?
check depfile_makes_make_rebuild_when_the_import_changes "make -q: $up_to_date before, $after_touch after touching specs/wellos.wmap" \
    test "$up_to_date/$after_touch" = "0/1"

echo "$passed passed, $failed failed ($((SECONDS - t_start)) s)"
[ "$failed" -eq 0 ]
