#!/usr/bin/env bash
# examples/demo/run.sh - the demo of `make demo`: the sync agent of Lone
# Star Energy (examples/lone_star.wmap), from its spec to the rows in the
# tenant's WellOS PostgreSQL.
#
# Starts a private MariaDB (the client's legacy database, loaded from
# examples/demo/lone_star_source.sql) and a private PostgreSQL (the
# tenant's WellOS database) in a temporary directory, builds the agent with
# `wellosc build`, checks the spec against a snapshot of the client's
# schema (`wellosc introspect`, `check --schema`), and runs the agent:
# --init, a first run, a second run that writes nothing, and a third after
# two rows changed in the source.  The
# servers are always stopped and the directory removed at the end.
#
# Needs ./wellosc and build/libwellosrt.a (`make wellosc runtime`), and
# PostgreSQL 15 and MariaDB (`bash tests/install-deps.sh servers`).
# Run from anywhere; exits non-zero if a step fails.
set -eu
cd "$(dirname "$0")/../.."
root=$PWD

if [ ! -x ./wellosc ] || [ ! -f build/libwellosrt.a ]; then
    echo "demo: ./wellosc or build/libwellosrt.a is missing: run 'make wellosc runtime' first" >&2
    exit 2
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/wellos-demo.XXXXXX")
agent=$dir/wellos-sync-lone_star
stop_servers() {
    bash tests/servers/pg.sh stop "$dir/pg" >/dev/null 2>&1 || true
    bash tests/servers/mariadb.sh stop "$dir/mariadb" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- output helpers --------------------------------------------------------------
bold=; off=
if [ -t 1 ]; then bold=$(printf '\033[1m'); off=$(printf '\033[0m'); fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
say() { printf '%s\n' "$*"; }
cmd() { printf '$ %s\n' "$*"; }
indent() { sed 's/^./    &/'; }

# The agent logs one JSON object per line when stderr is not a terminal:
# shown here as one short line per event.
show_log() {
    sed -E \
        -e '/"event":"entity"/{
              s/^\{.*"level":"([a-z]+)".*"entity":"([^"]*)",(.*)$/\1 \2: \3/
              s/"rows_read":([0-9]+),"rows_written":([0-9]+),"rows_unchanged":([0-9]+),"rows_rejected":([0-9]+),"rows_deleted":([0-9]+),/\1 read, \2 written, \3 unchanged, \4 rejected, \5 deleted/
              s/"duration_ms":([0-9]+),"status":"([a-z-]+)","error":null\}$/ in \1 ms (\2)/
              s/"duration_ms":([0-9]+),"status":"([a-z-]+)","error":"(.*)"\}$/ in \1 ms (\2): \3/
            }' \
        -e 's/^\{.*"level":"([a-z]+)".*"message":"(.*)"\}$/\1 \2/' \
        -e 's/^info //; s/^warn /warning: /; s/^error /error: /; s/\\"/"/g' "$1" | indent
}

# runs the agent: LOGNAME ARGS...; shows its log; fails the demo if it fails
run_agent() {
    local name=$1; shift
    cmd "wellos-sync-lone_star $*"
    local rc=0
    "$agent" "$@" >"$dir/$name.out" 2>"$dir/$name.err" </dev/null || rc=$?
    [ -s "$dir/$name.out" ] && indent <"$dir/$name.out"
    show_log "$dir/$name.err"
    if [ $rc -ne 0 ]; then
        echo "demo: the agent exited with status $rc" >&2
        exit 1
    fi
}

# psql on the tenant's database, aligned tables
wellos() { psql -X -q -P pager=off -P footer=off -d lone_star_wellos "$@" | indent; }
# the client's MariaDB, as its administrator
legacy() { mariadb --no-defaults -uroot --socket="$MYSQL_UNIX_PORT" lone_star "$@"; }

state_sql="SELECT entity, rows_read AS read, rows_written AS written, rows_unchanged AS unchanged,
                  rows_rejected AS rejected, status, to_char(last_synced_at, 'HH24:MI:SS') AS synced_at
           FROM wellos_sync_state WHERE tenant = 'lone_star' ORDER BY entity"

# ---- the two databases ---------------------------------------------------------------
step "Lone Star Energy: a legacy MariaDB, synced into WellOS PostgreSQL"
say "Spec: examples/lone_star.wmap (tenant lone_star, strategy etl, mysql -> postgres every 15 minutes)"
say "Scratch directory: $dir (removed at the end)"
started=$SECONDS
bash tests/servers/mariadb.sh start "$dir/mariadb" | indent
bash tests/servers/pg.sh start "$dir/pg" | indent
. "$dir/mariadb/env"
. "$dir/pg/env"
export PGTZ=UTC

step "The client's database: loading examples/demo/lone_star_source.sql into MariaDB"
mariadb --no-defaults -uroot --socket="$MYSQL_UNIX_PORT" -e "
    CREATE DATABASE lone_star CHARACTER SET utf8mb4;
    CREATE USER wellos_reader@'127.0.0.1' IDENTIFIED BY 'demo-reader-pw';
    GRANT SELECT ON lone_star.* TO wellos_reader@'127.0.0.1';"
legacy <examples/demo/lone_star_source.sql
say "WellOS reads it as wellos_reader, who may only SELECT.  What it holds:"
legacy -t -e "
    SELECT 'WellMaster' AS \`table\`, COUNT(*) AS \`rows\` FROM WellMaster
    UNION ALL SELECT 'ProductionRecords', COUNT(*) FROM ProductionRecords
    UNION ALL SELECT 'EquipmentMaster', COUNT(*) FROM EquipmentMaster" | indent
say "Some of its wells, as the legacy system keeps them (note the blanks and the case):"
legacy -t -e "
    SELECT CONCAT('''', WellName, '''') AS WellName, CONCAT('''', LeaseName, '''') AS LeaseName,
           COALESCE(Status, 'NULL') AS Status
    FROM WellMaster WHERE RIGHT(WellID, 2) IN ('01', '05', '08', '12', '13', '16', '24', '41')
    ORDER BY WellID" | indent

step "Building the agent"
cmd "./wellosc build -o \$dir/wellos-sync-lone_star examples/lone_star.wmap"
./wellosc build -o "$agent" examples/lone_star.wmap
cmd "wellos-sync-lone_star --version"
"$agent" --version | indent
say "Its connection strings come from the environment, never from the command line:"
export LONE_STAR_SOURCE_DSN="host=127.0.0.1 port=$WR_TEST_MYSQL_PORT user=wellos_reader password=demo-reader-pw dbname=lone_star"
export LONE_STAR_TARGET_DSN="host=$PGHOST port=$PGPORT user=postgres dbname=lone_star_wellos"
say "    LONE_STAR_SOURCE_DSN=host=127.0.0.1 port=$WR_TEST_MYSQL_PORT user=wellos_reader password=**** dbname=lone_star"
say "    LONE_STAR_TARGET_DSN=$LONE_STAR_TARGET_DSN"
psql -X -q -d postgres -c "CREATE DATABASE lone_star_wellos"

step "The spec against the client's schema, before anything runs"
cmd "./wellosc introspect -o \$dir/lone_star.schema.json examples/lone_star.wmap"
said=$(./wellosc introspect -o "$dir/lone_star.schema.json" examples/lone_star.wmap 2>&1)
echo "${said//$dir/\$dir}" | indent
cmd "./wellosc check --schema \$dir/lone_star.schema.json examples/lone_star.wmap"
./wellosc check --schema "$dir/lone_star.schema.json" examples/lone_star.wmap
say "No output: every table and column the spec reads exists, and each type converts."
say "Had the client renamed LeaseName (the snapshot, edited to say so), the build would stop here:"
sed 's/"LeaseName"/"Lease_Name"/' "$dir/lone_star.schema.json" >"$dir/renamed.schema.json"
./wellosc check --schema "$dir/renamed.schema.json" examples/lone_star.wmap 2>&1 | grep -v '^wellosc: note' | indent || true

step "1. --init: the WellOS tables, marked as tenant lone_star's"
run_agent init --init
wellos -c "SELECT tenant, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS') AS marked_at FROM wellos_tenant"

step "2. The first run"
run_agent run1 --once
say "Rows in the tenant's WellOS tables:"
wellos -c "SELECT 'wells' AS \"table\", count(*) AS rows FROM wells
           UNION ALL SELECT 'production_data', count(*) FROM production_data
           UNION ALL SELECT 'equipment', count(*) FROM equipment"
in_window=$(psql -X -A -t -d lone_star_wellos -c "SELECT rows_read FROM wellos_sync_state WHERE entity = 'ProductionRecord'")
all_rows=$(legacy -N -e "SELECT COUNT(*) FROM ProductionRecords")
say "ProductionRecord reads a 90-day window: $in_window of the source's $all_rows production rows are"
say "in it (the older ones are settled and never read again; one in it is rejected below)."
say ""
say "The same wells, in WellOS: names trimmed, one spelling per lease, status words mapped:"
wellos -c "SELECT name, lease, status, api_number, to_char(created_at, 'YYYY-MM-DD HH24:MI') AS created_at
           FROM wells WHERE right(id::text, 2) IN ('01', '05', '08', '12', '16', '24') ORDER BY id"
say "Leases: $(legacy -N -e "SELECT COUNT(DISTINCT BINARY LeaseName) FROM WellMaster") spellings in the source, one each in WellOS:"
wellos -c "SELECT lease, count(*) AS wells FROM wells GROUP BY lease ORDER BY lease"
say "Production: the last reports of two Caprock wells (each well reports every other day):"
wellos -c "SELECT w.name, p.date, p.oil, p.gas, p.water FROM production_data p JOIN wells w ON w.id = p.well_id
           WHERE p.date >= current_date - 6 AND w.name IN ('Caprock 3H', 'Caprock 11') ORDER BY w.name, p.date"
say "NULL volumes in the source are 0 in WellOS (coalesce), for example:"
wellos -c "SELECT p.id, w.name, p.date, p.oil, p.gas, p.water FROM production_data p JOIN wells w ON w.id = p.well_id
           WHERE 0 IN (p.oil, p.gas, p.water) ORDER BY p.date DESC, p.id LIMIT 4"
say "Equipment types mapped (Heater Treater and VRU are not in the map: OTHER):"
wellos -c "SELECT type, count(*) AS pieces FROM equipment GROUP BY type ORDER BY type"
say "The rows WellOS refused, with the reason (wellos_sync_rejects; raw holds every source value):"
wellos -c "SELECT entity, source_key, reason FROM wellos_sync_rejects ORDER BY id"
say "The raw source values of the Equipment reject:"
wellos -c "SELECT jsonb_pretty(raw) AS raw FROM wellos_sync_rejects WHERE entity = 'Equipment' ORDER BY id LIMIT 1"
say "The sync state:"
wellos -c "$state_sql"

step "3. A second run: the source did not change, so nothing is written"
run_agent run2 --once
wellos -c "$state_sql"
written=$(psql -X -A -t -d lone_star_wellos -c "SELECT sum(rows_written) FROM wellos_sync_state")
say "Rows written by this run: $written (every row read was compared, none differed)."

step "4. Two rows change in the source"
change1="UPDATE WellMaster SET Status = 'Active' WHERE WellID = '4c5e57a0-0000-4000-8000-000000000007'"
change2="UPDATE ProductionRecords SET OilVolume = OilVolume + 12.5 WHERE RecordID = 11901"
say "    $change1;   -- Comanche Draw 7 is back on production"
say "    $change2;   -- yesterday's oil, corrected"
legacy -e "$change1; $change2"
run_agent run3 --once
wellos -c "$state_sql"
written=$(psql -X -A -t -d lone_star_wellos -c "SELECT sum(rows_written) FROM wellos_sync_state")
say "Rows written by this run: $written.  The two rows, in WellOS:"
wellos -c "SELECT name, status, to_char(updated_at, 'HH24:MI:SS') AS updated_at FROM wells
           WHERE id = '4c5e57a0-0000-4000-8000-000000000007'"
wellos -c "SELECT id, date, oil, to_char(updated_at, 'HH24:MI:SS') AS updated_at FROM production_data WHERE id = 11901"

step "Stopping the servers"
stop_servers
say "Done in $((SECONDS - started)) s."
