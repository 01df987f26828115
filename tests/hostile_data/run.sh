#!/usr/bin/env bash
# tests/hostile_data/run.sh [WELLOSC] - hostile values in a client's rows,
# through the sync agents that `wellosc build` makes of
# tests/hostile_data/hostile.wmap, on a private MariaDB and PostgreSQL 15
# started for the run (tests/servers/) and always stopped:
#
#   hostile_my  MariaDB (my_schema.sql, my_rows.sql)   -> PostgreSQL
#   hostile_pg  PostgreSQL, a SQL_ASCII database        -> PostgreSQL
#               (pg_schema.sql, pg_rows.sql)
#
# The values: quotes, backslashes, tabs, newlines, carriage returns, a
# "\." line, "\N", NUL bytes, bytes that are not UTF-8, 1 MB texts, NaN and
# infinities, zero dates, 9999-12-31, decimals too large or too precise for
# decimal(12,2), duplicate keys within and across batches, a NULL key.
# README.md has one row per value with what it must become.
#
# Every entity of both tenants is synced, `on error reject`, into three
# targets: "empty" (an empty table, --batch-size 3), "seeded" (a table that
# already holds a row of a first run, --batch-size 3: always the batched
# path) and "onebatch" (an empty table, the default batch size); then a
# second time into each (a re-sync).  The source rows come in threes with
# the hostile one in the middle, so with --batch-size 3 each sits between
# two clean rows of its batch.  After every run:
#   exit     the agent exits 0 and the entity's state is 'ok'
#   rows     the target's rows, as canonical lines, equal expected/TENANT/TABLE
#            exactly (plus the seed row in "seeded"): every value exact, no
#            row lost, moved, shifted or doubled
#   rejects  one reject per bad row, with the reason of expected/TENANT/rejects
#            (it names the field) and times_seen = the run's number
#   counts   wellos_sync_state's rows_read, rows_written, rows_unchanged,
#            rows_rejected are those of the run (a re-sync writes nothing)
#   sum      rows_read = rows_written + rows_unchanged + rows_rejected
# and once per tenant, `raw` keeps a rejected row's source values.
#
# A check that fails because of a known bug that this branch does not fix
# (README.md, "Known bugs") prints XFAIL and does not fail the run; if it
# passes, the bug is gone: it prints XPASS and fails, so that the check and
# the README are updated.  Prints one line per check and
# "hostile-data: N passed, M failed, K known bugs (xfail) in S s"; exits 1
# if any failed.  HOSTILE_DATA_KEEP=DIR keeps the agents' logs, expected and
# actual dumps and diffs in DIR.
set -Eeu
trap 'echo "hostile-data: FAIL: aborted at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/../.."
here=tests/hostile_data
wellosc=${1:-./wellosc}
wellosc=$(cd "$(dirname "$wellosc")" && pwd)/$(basename "$wellosc")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wellos-hostile-data.XXXXXX")
out=$tmp/out
mkdir -p "$out"
passed=0
failed=0
xfailed=0
t_start=$SECONDS
pg_pid=""
my_pid=""

stop_all() {
    if [ -n "$pg_pid$my_pid" ]; then wait $pg_pid $my_pid 2>/dev/null || true; fi
    if [ -n "${HOSTILE_DATA_KEEP:-}" ]; then mkdir -p "$HOSTILE_DATA_KEEP" && cp -r "$out"/. "$HOSTILE_DATA_KEEP"/; fi
    bash tests/servers/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
    bash tests/servers/mariadb.sh stop "$tmp/mariadb" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { echo "hostile-data: $*" >&2; exit 1; }

# ---- servers and agents -------------------------------------------------------------
# start_server pg|mariadb: tests/servers/KIND.sh start, tried 3 times: the
# free port it picks can be taken by another server (other test runs share
# this machine) before its own binds it.
start_server() {
    local kind=$1
    for attempt in 1 2 3; do
        if bash "tests/servers/$kind.sh" start "$tmp/$kind" >>"$tmp/$kind.log" 2>&1; then return 0; fi
        bash "tests/servers/$kind.sh" stop "$tmp/$kind" >/dev/null 2>&1 || true
        rm -rf "${tmp:?}/$kind"
        echo "($kind: start attempt $attempt failed)" >>"$tmp/$kind.log"
    done
    return 1
}
start_server pg &
pg_pid=$!
start_server mariadb &
my_pid=$!
for t in my pg; do
    "$wellosc" build --tenant "hostile_$t" -o "$tmp/wellos-sync-hostile_$t" "$here/hostile.wmap" \
        || die "wellosc build failed for hostile_$t"
done
wait $pg_pid || { pg_pid=""; cat "$tmp/pg.log" >&2; die "postgres did not start"; }
wait $my_pid || { my_pid=""; cat "$tmp/mariadb.log" >&2; die "mariadb did not start"; }
pg_pid="" my_pid=""
. "$tmp/pg/env"
. "$tmp/mariadb/env"
export PGTZ=UTC PGDATESTYLE=ISO PGCLIENTENCODING=UTF8

# my DB SQL: MariaDB as root, tab-separated, no escaping
my() { local db=$1; shift; mariadb --no-defaults -uroot --socket="$MYSQL_UNIX_PORT" -N -B -r "$db" -e "$*"; }
# pg DB SQL: one value per line
pg() { local db=$1; shift; psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$db" -c "$*"; }

# The entities, their target tables and their source tables in each tenant.
ENTITIES="Note Reading Stamp Amount Dup RawText Keyless"
table_of() {
    case $1 in
    Note) echo notes ;; Reading) echo readings ;; Stamp) echo stamps ;; Amount) echo amounts ;;
    Dup) echo dups ;; RawText) echo raw_texts ;; Keyless) echo keyless ;;
    esac
}
source_table() {   # TENANT ENTITY
    local t; t=$(table_of "$2")
    if [ "$1" = my ]; then
        case $t in raw_texts) echo src_raw ;; *) echo "src_$t" ;; esac
    else
        echo "src.$t"
    fi
}
source_count() {   # TENANT ENTITY: rows in the source table
    if [ "$1" = my ]; then my hd_src "SELECT COUNT(*) FROM $(source_table my "$2")"
    else pg hd_src "SELECT count(*) FROM $(source_table pg "$2")"; fi
}

# The sources.  MariaDB's session of the load allows zero dates
# (my_rows.sql); the PostgreSQL source is SQL_ASCII, so its text can hold
# any bytes, as legacy databases' often does.
my mysql "CREATE DATABASE hd_src CHARACTER SET utf8mb4" || die "mariadb: create database"
my hd_src "$(cat "$here/my_schema.sql")" || die "loading $here/my_schema.sql"
pg postgres "CREATE DATABASE hd_src ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0" \
    || die "postgres: create database"
PGCLIENTENCODING=SQL_ASCII psql -X -q -v ON_ERROR_STOP=1 -d hd_src -f "$here/pg_schema.sql" >/dev/null \
    || die "loading $here/pg_schema.sql"
TARGETS="empty seeded onebatch"
for t in my pg; do
    for target in $TARGETS; do pg postgres "CREATE DATABASE ${t}_$target" || die "createdb ${t}_$target"; done
done
my_dsn="host=127.0.0.1 port=$WR_TEST_MYSQL_PORT user=root dbname=hd_src"
pg_dsn="host=$PGHOST port=$PGPORT user=postgres"
export HOSTILE_MY_SOURCE_DSN="$my_dsn" HOSTILE_PG_SOURCE_DSN="$pg_dsn dbname=hd_src"

# ---- checks -------------------------------------------------------------------------
known=""        # the known bug of the checks being made, if any
known_seen=0    # checks of it that failed
last=none       # the agent run whose output a failure shows
pass() { passed=$((passed + 1)); echo "PASS  $1"; }
fail_or_xfail() {   # NAME DETAIL
    if [ -n "$known" ]; then
        xfailed=$((xfailed + 1))
        known_seen=$((known_seen + 1))
        echo "XFAIL $1: known bug $known${2:+ ($2)}"
        return
    fi
    failed=$((failed + 1))
    echo "FAIL  $1${2:+: $2}"
    if [ -s "$out/$last.err" ]; then sed 's/^/      | /' "$out/$last.err" | tail -4 | cut -c1-300; fi
}
# check NAME "what it got" COMMAND...
check() {
    local name=$1 got=$2; shift 2
    if "$@"; then pass "$name"; else fail_or_xfail "$name" "$got"; fi
}
# same NAME FILE: diffs $out/FILE.expected and $out/FILE.actual, both sorted
same() {
    local name=$1 f=$out/$2
    LC_ALL=C sort -o "$f.expected" "$f.expected"
    LC_ALL=C sort -o "$f.actual" "$f.actual"
    if diff "$f.expected" "$f.actual" >"$f.diff"; then
        pass "$name ($(wc -l <"$f.expected") rows)"
    else
        fail_or_xfail "$name" "$(grep -c '^<' "$f.diff" || true) expected rows missing or different, $(grep -c '^>' "$f.diff" || true) unexpected"
        head -6 "$f.diff" | cut -c1-200 | sed 's/^/      | /'
    fi
}
# begin_known BUG / end_known: checks in between may fail because of BUG;
# if none of them does, the bug is gone and that is a failure.
begin_known() { known=$1; known_seen=0; }
end_known() {   # NAME
    if [ "$known_seen" -eq 0 ]; then
        failed=$((failed + 1))
        echo "XPASS $1: known bug $known no longer shows: turn these checks into plain ones and update README.md"
    fi
    known=""
}

# A text value as one canonical token: ~ for NULL, the JSON string
# (to_json escapes quotes, backslashes and control characters; DEL too,
# here), or the length and md5 of a text longer than 100 characters.
canon() {
    echo "CASE WHEN $1 IS NULL THEN '~' WHEN length($1) > 100 THEN 'len=' || length($1) || ' md5=' || md5($1)
               ELSE replace(to_json($1)::text, chr(127), '\\u007f') END"
}
num() { echo "coalesce($1::text, '~')"; }
actual_rows() {   # DB TABLE: the target's rows, one canonical line each
    local cols
    case $2 in
    notes) cols="id, $(canon body), $(canon label), $(canon bin), $(canon lat)" ;;
    readings) cols="id, $(num val), $(num pct), $(num txt_val), $(num num_val)" ;;
    stamps) cols="id, $(num day), $(num at)" ;;
    amounts) cols="id, $(num amount)" ;;
    *) cols="id, $(canon body)" ;;
    esac
    pg "$1" "SELECT concat_ws('|', $cols) FROM $2"
}
seed_row() {   # TENANT TABLE: the canonical line of the seed row
    case $2 in
    notes) if [ "$1" = my ]; then echo '0|"seed"|"seed"|"seed"|"seed"'; else echo '0|"seed"|"seed"|"\\x73656564"|"seed"'; fi ;;
    readings) echo '0|0.5|0|0.5|0.5' ;;
    stamps) echo '0|2000-01-01|2000-01-01 00:00:00+00' ;;
    amounts) echo '0|0.50' ;;
    *) echo '0|"seed"' ;;
    esac
}
state() { pg "$1" "SELECT concat_ws('|', rows_read, rows_written, rows_unchanged, rows_rejected, status, coalesce(last_error, '~'))
                   FROM wellos_sync_state WHERE entity = '$2'"; }

# run_agent TENANT TARGET NAME ARGS...: the agent's stdout and stderr in
# $out/NAME.{out,err}, its exit status in $rc
run_agent() {
    local t=$1 target=$2 name=$3; shift 3
    last=$name
    rc=0
    if [ "$t" = my ]; then
        HOSTILE_MY_TARGET_DSN="$pg_dsn dbname=${t}_$target" "$tmp/wellos-sync-hostile_$t" "$@" \
            >"$out/$name.out" 2>"$out/$name.err" </dev/null || rc=$?
    else
        HOSTILE_PG_TARGET_DSN="$pg_dsn dbname=${t}_$target" "$tmp/wellos-sync-hostile_$t" "$@" \
            >"$out/$name.out" 2>"$out/$name.err" </dev/null || rc=$?
    fi
}

# The known bugs (README.md): which runs they spoil.
known_bug_of() {   # TENANT TARGET ENTITY RUN
    : "$@"   # none left: the three found were fixed (README.md)
}

# ---- 1. the seed: one clean row (id 0) per table, synced into "seeded" ----------------
echo "# seed: one row per table in the targets \"seeded\""
my hd_src "INSERT INTO src_notes VALUES (0, 'seed', 'seed', 'seed', 'seed');
           INSERT INTO src_readings VALUES (0, 0.5, 0, '0.5', '0.5');
           INSERT INTO src_stamps VALUES (0, '2000-01-01', '2000-01-01 00:00:00');
           INSERT INTO src_amounts VALUES (0, 0.5);
           INSERT INTO src_dups VALUES (0, 'seed');
           INSERT INTO src_raw VALUES (0, 'seed');
           INSERT INTO src_keyless VALUES (0, 'seed')" || die "seed rows (mariadb)"
pg hd_src "INSERT INTO src.notes VALUES (0, 'seed', 'seed', 'seed', 'seed');
           INSERT INTO src.readings VALUES (0, 0.5, 0, '0.5', '0.5');
           INSERT INTO src.stamps VALUES (0, '2000-01-01', '2000-01-01 00:00:00+00');
           INSERT INTO src.amounts VALUES (0, 0.5);
           INSERT INTO src.dups VALUES (0, 'seed');
           INSERT INTO src.raw_texts VALUES (0, 'seed');
           INSERT INTO src.keyless VALUES (0, 'seed')" >/dev/null || die "seed rows (postgres)"
for t in my pg; do
    for target in $TARGETS; do
        run_agent "$t" "$target" "${t}_${target}_init" --init
        check "$t/$target: --init" "exit $rc" test "$rc" -eq 0
    done
    for e in $ENTITIES; do
        table=$(table_of "$e")
        run_agent "$t" seeded "${t}_seeded_${e}_seed" --once --entity "$e" --batch-size 3
        seed_row "$t" "$table" >"$out/${t}_seeded_${e}_seed.expected"
        actual_rows "${t}_seeded" "$table" >"$out/${t}_seeded_${e}_seed.actual"
        if [ "$rc" -eq 0 ]; then
            same "$t/seeded/$e/seed: exit 0, the seed row" "${t}_seeded_${e}_seed"
        else
            fail_or_xfail "$t/seeded/$e/seed: exit 0, the seed row" "exit $rc"
        fi
    done
done
my hd_src "DELETE FROM src_notes; DELETE FROM src_readings; DELETE FROM src_stamps; DELETE FROM src_amounts;
           DELETE FROM src_dups; DELETE FROM src_raw; DELETE FROM src_keyless" || die "mariadb: delete seed"
pg hd_src "TRUNCATE src.notes, src.readings, src.stamps, src.amounts, src.dups, src.raw_texts, src.keyless" \
    || die "postgres: delete seed"

# ---- 2. the hostile rows ------------------------------------------------------------
my hd_src "$(cat "$here/my_rows.sql")" || die "loading $here/my_rows.sql"
PGCLIENTENCODING=SQL_ASCII psql -X -q -v ON_ERROR_STOP=1 -d hd_src -f "$here/pg_rows.sql" >/dev/null \
    || die "loading $here/pg_rows.sql"

declare -A n_source   # by TENANT/ENTITY: the rows of its source table
for t in my pg; do
    for e in $ENTITIES; do n_source["$t/$e"]=$(source_count "$t" "$e"); done
done

# expected_counts TENANT TARGET ENTITY RUN: the state line(s) the run may
# leave: rows_read|rows_written|rows_unchanged|rows_rejected|ok|~
expected_counts() {
    local t=$1 target=$2 e=$3 run=$4 n r w
    n=${n_source["$t/$e"]}
    r=$(grep -c "^$e|" "$here/expected/$t/rejects" || true)
    if [ "$run" = 2 ]; then
        echo "$n|0|$((n - r))|$r|ok|~"
    elif [ "$e" != Dup ]; then
        echo "$n|$((n - r))|0|$r|ok|~"
    else
        # 8 keys, read in key order.  In batches of 3 a batch does not end
        # between two rows of one key ([1 2 3 3] [4 4 5 5] [6 7 8]), and in
        # one batch neither: 8 writes, and the rows a batch holds twice
        # count as unchanged.  (An empty target's initial load meets the
        # duplicate keys and falls back to those batches.)
        echo "$n|8|$((n - 8))|0|ok|~"
    fi
}

declare -A lost extra   # by TENANT/ENTITY: expected rows missing from a target, rows it should not hold
for run in 1 2; do
    for t in my pg; do
        echo "# hostile_$t, run $run$([ "$run" = 2 ] && echo ': a re-sync' || true)"
        for target in $TARGETS; do
            for e in $ENTITIES; do
                table=$(table_of "$e")
                name="${t}_${target}_${e}_run$run"
                label="$t/$target/$e/run$run"
                bug=$(known_bug_of "$t" "$target" "$e" "$run")
                if [ -n "$bug" ]; then begin_known "$bug"; fi
                if [ "$target" = onebatch ]; then
                    run_agent "$t" "$target" "$name" --once --entity "$e"
                else
                    run_agent "$t" "$target" "$name" --once --entity "$e" --batch-size 3
                fi
                st=$(state "${t}_$target" "$e")
                check "$label: exit" "exit $rc, state $st" \
                    test "$rc/$(echo "$st" | cut -d'|' -f5-)" = "0/ok|~"

                cp "$here/expected/$t/$table" "$out/$name.expected"
                if [ "$target" = seeded ]; then seed_row "$t" "$table" >>"$out/$name.expected"; fi
                actual_rows "${t}_$target" "$table" >"$out/$name.actual"
                same "$label: rows" "$name"
                lost["$t/$e"]=$(( ${lost["$t/$e"]:-0} + $(LC_ALL=C comm -23 "$out/$name.expected" "$out/$name.actual" | wc -l) ))
                extra["$t/$e"]=$(( ${extra["$t/$e"]:-0} + $(LC_ALL=C comm -13 "$out/$name.expected" "$out/$name.actual" | wc -l) ))

                { grep "^$e|" "$here/expected/$t/rejects" || true; } | sed "s/\$/|$run/" >"$out/$name.rejects.expected"
                pg "${t}_$target" "SELECT concat_ws('|', entity, coalesce(source_key, '~'), reason, times_seen)
                                   FROM wellos_sync_rejects WHERE entity = '$e'" >"$out/$name.rejects.actual"
                same "$label: rejects" "$name.rejects"

                expected_counts "$t" "$target" "$e" "$run" >"$out/$name.counts"
                check "$label: counts $st" "expected $(tr '\n' ' ' <"$out/$name.counts")" grep -qxF "$st" "$out/$name.counts"
                IFS='|' read -r n_read n_written n_unchanged n_rejected _ <<<"$st"
                check "$label: read = written + unchanged + rejected" "$st" \
                    test -n "$n_read" -a "${n_read:-x}" = "$(( ${n_written:-0} + ${n_unchanged:-0} + ${n_rejected:-0} ))"
                if [ -n "$bug" ]; then end_known "$label"; fi
            done
        done
    done
done

# ---- 3. raw: a rejected row keeps its source values ----------------------------------
echo "# raw values of rejects"
for t in my pg; do
    check "$t: the reject of Note 41 keeps every source value in raw" \
        "$(pg "${t}_empty" "SELECT raw FROM wellos_sync_rejects WHERE entity = 'Note' AND source_key = '41'")" \
        test "$(pg "${t}_empty" "SELECT raw = '{\"id\": \"41\", \"body\": \"label of 21\", \"label\": \"abcdefghijklmnopqrstu\",
                                               \"bin\": null, \"lat\": null}'::jsonb
                                 FROM wellos_sync_rejects WHERE entity = 'Note' AND source_key = '41'")" = t
    check "$t: the reject of Note 38 keeps its 1 MB label in raw, exactly" \
        "$(pg "${t}_empty" "SELECT length(raw ->> 'label') || ' ' || md5(raw ->> 'label') FROM wellos_sync_rejects
                            WHERE entity = 'Note' AND source_key = '38'")" \
        test "$(pg "${t}_empty" "SELECT md5(raw ->> 'label') FROM wellos_sync_rejects
                                 WHERE entity = 'Note' AND source_key = '38'")" = 7cedb6db94e4baf013b10a8754efdd01
done
# a NUL cannot be in jsonb: raw shows each byte of it as U+FFFD
check "my: the reject of Note 20 shows its NUL byte in raw as U+FFFD" \
    "$(pg my_empty "SELECT raw ->> 'body' FROM wellos_sync_rejects WHERE entity = 'Note' AND source_key = '20'")" \
    test "$(pg my_empty "SELECT raw ->> 'body' FROM wellos_sync_rejects WHERE entity = 'Note' AND source_key = '20'")" = "a��b"

echo "# rows lost and rows extra (changed, duplicated or unexpected) per entity, summed over its 6 runs"
for t in my pg; do
    line="$t:"
    for e in $ENTITIES; do line="$line $e ${lost["$t/$e"]}/${extra["$t/$e"]}"; done
    echo "$line"
done

echo "hostile-data: $passed passed, $failed failed, $xfailed known bugs (xfail) in $((SECONDS - t_start)) s"
if [ "$failed" -ne 0 ]; then exit 1; fi
