#!/usr/bin/env bash
# tests/agent/run.sh AGENT - the sync engine held to the run-time guarantees
# of ARCHITECTURE.md, through the hand-written agent of hand_spec.c (tenant
# `toy`): starts a private PostgreSQL (target, and a second source) and
# MariaDB (source, root with a password), and checks, each test named
# after what it proves:
#   usage (bad --lock-timeout values too) and --version; refusing an
#   uninitialised or foreign target; --init twice; first sync; a resync
#   writes nothing; updates, soft deletes and returns; rejects with reason
#   and raw JSON; `on error abort` rolls back; --dry-run writes nothing;
#   --check; --config modes; one agent per tenant; SIGTERM stops between
#   whole batches; kill -9 then a run ends with exactly the source's rows;
#   the PostgreSQL source with a watermark; JSON logs; no password in any
#   output.
# Prints "N passed, N failed"; exits 1 if any failed.  Run from the
# repository root.
set -u
agent=${1:?usage: run.sh AGENT}
agent=$(cd "$(dirname "$agent")" && pwd)/$(basename "$agent")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wellos-agent-test.XXXXXX")
out=$tmp/out
mkdir -p "$out"
passed=0
failed=0
bg=""

stop_all() {
    [ -n "$bg" ] && kill -9 $bg 2>/dev/null
    # AGENT_TEST_KEEP=DIR keeps every output of the agent for reading
    [ -n "${AGENT_TEST_KEEP:-}" ] && mkdir -p "$AGENT_TEST_KEEP" && cp -r "$out"/. "$AGENT_TEST_KEEP"/
    bash tests/servers/pg.sh stop "$tmp/pg" || true
    bash tests/servers/mariadb.sh stop "$tmp/mariadb" || true
    rm -rf "$tmp"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bash tests/servers/pg.sh start "$tmp/pg" >/dev/null || exit 1
bash tests/servers/mariadb.sh start "$tmp/mariadb" >/dev/null || exit 1
. "$tmp/pg/env"
. "$tmp/mariadb/env"

MY_PW='Wr0ngHorse_Battery42'
PG_PW='PgSecretZeta77'      # trust authentication ignores it; it must never show
mariadb --no-defaults -uroot -h127.0.0.1 -P"$WR_TEST_MYSQL_PORT" \
    -e "ALTER USER root@localhost IDENTIFIED BY '$MY_PW'; CREATE DATABASE toysrc" || exit 1

my() { mariadb --no-defaults -uroot -p"$MY_PW" -h127.0.0.1 -P"$WR_TEST_MYSQL_PORT" -N -B toysrc -e "$1"; }
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "${DB:-toy}" -c "$1"; }

for db in toy toy_other toy_pg toysrc; do psql -X -q -d postgres -c "CREATE DATABASE $db" || exit 1; done

export TOY_SOURCE_DSN="host=127.0.0.1 port=$WR_TEST_MYSQL_PORT user=root password=$MY_PW dbname=toysrc"
export TOY_TARGET_DSN="host=$PGHOST port=$PGPORT user=postgres password=$PG_PW dbname=toy"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1

# runs the agent: NAME ARGS...; stdout and stderr kept in $out/NAME.{out,err},
# exit status in $rc
n_runs=0
run() {
    local name=$1; shift
    n_runs=$((n_runs + 1))
    "$agent" "$@" >"$out/$name.out" 2>"$out/$name.err" </dev/null
    rc=$?
}

ok() { passed=$((passed + 1)); echo "ok    $1"; }
not_ok() {
    failed=$((failed + 1))
    echo "FAIL  $1${2:+: $2}"
    for f in "$out/$last.out" "$out/$last.err"; do [ -s "$f" ] && sed 's/^/      | /' "$f" | tail -8; done
}
# check NAME "what it got" CONDITION...
check() {
    local name=$1 got=$2; shift 2
    if "$@"; then ok "$name"; else not_ok "$name" "$got"; fi
}
last=none
state() { q "SELECT $1 FROM wellos_sync_state WHERE tenant = 'toy' AND entity = '$2'"; }
wait_until() {   # SECONDS CONDITION...
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do [ $SECONDS -ge $deadline ] && return 1; sleep 0.05; done
}

# ---- source data ---------------------------------------------------------------
my "CREATE TABLE wells (id INT PRIMARY KEY, name VARCHAR(100), status VARCHAR(20), depth VARCHAR(20),
        modified_at DATETIME(6) NOT NULL);
    CREATE TABLE readings (id BIGINT PRIMARY KEY, well_id INT, value DECIMAL(12,3), recorded_at DATETIME(6),
        KEY (recorded_at));
    INSERT INTO wells SELECT seq, CONCAT('  Well ', seq, ' '), ELT(1 + seq % 3, 'A', 'S', 'P'),
        CONCAT(seq * 10, '.5'), TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq MINUTE FROM seq_1_to_50;
    INSERT INTO wells VALUES (51, 'Tab\there \\\\ back\nslash', 'A', NULL, NOW(6));" || exit 1
N_WELLS=51

# ---- usage ------------------------------------------------------------------------
last=version; run version --version
check version_prints_tenant_compiler_and_spec "$(cat "$out/version.out")" \
    grep -qx 'wellos-sync-toy 0.1.0-hand spec hand0000' "$out/version.out"
last=usage; run usage --frobnicate
check unknown_option_is_a_usage_error "exit $rc" test $rc -eq 2
last=usage_entity; run usage_entity --entity Nope --once
check unknown_entity_is_a_usage_error "exit $rc" \
    bash -c "[ $rc -eq 2 ] && grep -q \"unknown entity 'Nope'\" '$out/usage_entity.err'"
bad_lt=""
for v in -1 -60 abc 1.5 10s "" 2147484; do
    last=usage_lock_timeout; run usage_lock_timeout --once --lock-timeout "$v"
    [ $rc -eq 2 ] && grep -q -- "--lock-timeout takes a whole number of seconds" "$out/usage_lock_timeout.err" \
        || bad_lt="$bad_lt '$v' (exit $rc)"
done
last=usage_lock_timeout; run usage_lock_timeout --once --lock-timeout
[ $rc -eq 2 ] || bad_lt="$bad_lt none (exit $rc)"
check lock_timeout_refuses_bad_values_with_status_2 "accepted or wrong status:$bad_lt" test -z "$bad_lt"
last=lock_timeout_ok; run lock_timeout_ok --lock-timeout 0 --version
rc0=$rc
last=lock_timeout_ok; run lock_timeout_ok --lock-timeout=2147483 --version
check lock_timeout_takes_0_to_2147483_seconds "exit $rc0 for 0, $rc for 2147483" test "$rc0/$rc" = 0/0
last=usage_dsn; run usage_dsn "host=x password=$MY_PW"
check dsn_on_the_command_line_is_refused_and_masked "exit $rc" \
    bash -c "[ $rc -eq 2 ] && ! grep -q '$MY_PW' '$out/usage_dsn.err'"

# ---- marker ---------------------------------------------------------------------------
last=uninit; run uninit --once
check run_without_init_refuses "exit $rc" \
    bash -c "[ $rc -eq 3 ] && grep -q 'run with --init' '$out/uninit.err'"
check refused_run_wrote_nothing "tables: $(q "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" \
    test "$(q "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" -eq 0

last=init1; run init1 --init
rc1=$rc
last=init2; run init2 --init
markers=$(q "SELECT string_agg(tenant, ',') FROM wellos_tenant")
check init_twice_is_idempotent "exit $rc1 then $rc, markers '$markers'" \
    test "$rc1/$rc/$markers" = "0/0/toy"

DB=toy_other q "CREATE TABLE wellos_tenant (tenant text PRIMARY KEY); INSERT INTO wellos_tenant VALUES ('permian_ops')"
last=foreign; TOY_TARGET_DSN="host=$PGHOST port=$PGPORT user=postgres dbname=toy_other" run foreign --once
rcrun=$rc
last=foreign_init; TOY_TARGET_DSN="host=$PGHOST port=$PGPORT user=postgres dbname=toy_other" run foreign_init --init
check another_tenants_target_is_refused "run exit $rcrun, init exit $rc" \
    bash -c "[ $rcrun -eq 3 ] && [ $rc -eq 3 ] && grep -q \"marked for tenant 'permian_ops', not 'toy'\" '$out/foreign.err' \
             && [ \"\$(psql -XAtq -d toy_other -c \"SELECT count(*) FROM pg_tables WHERE tablename = 'well'\")\" = 0 ]"

# ---- first sync, resync -------------------------------------------------------------
last=sync1; run sync1 --once --entity Well
check first_sync_writes_every_row "exit $rc, $(q "SELECT count(*) FROM well") rows" \
    bash -c "[ $rc -eq 0 ] && [ \"\$(psql -XAtq -d toy -c 'SELECT count(*) FROM well')\" = $N_WELLS ] \
             && [ \"\$(psql -XAtq -d toy -c \"SELECT rows_written || '/' || status FROM wellos_sync_state WHERE entity = 'Well'\")\" = '$N_WELLS/ok' ]"
check transform_output_lands "$(q "SELECT name || '|' || status || '|' || depth_m FROM well WHERE id = 3")" \
    test "$(q "SELECT name || '|' || status || '|' || depth_m FROM well WHERE id = 3")" = 'Well 3|ACTIVE|30.50'
check copy_escapes_tab_backslash_newline "$(q "SELECT name FROM well WHERE id = 51")" \
    test "$(q "SELECT name = E'Tab\\there \\\\ back\\nslash' FROM well WHERE id = 51")" = t

last=sync2; run sync2 --once --entity Well
check resync_writes_nothing "exit $rc, state $(state "rows_written || '/' || rows_unchanged" Well)" \
    test "$rc/$(state "rows_written || '/' || rows_unchanged" Well)" = "0/0/$N_WELLS"

# ---- updates, soft deletes, returns -----------------------------------------------
saved51=$(my "SELECT CONCAT_WS(',', id, QUOTE(name)) FROM wells WHERE id = 51")
my "UPDATE wells SET name = 'Renamed', modified_at = NOW(6) WHERE id = 7; DELETE FROM wells WHERE id = 8"
last=sync3; run sync3 --once --entity Well
check update_propagates "$(q "SELECT name FROM well WHERE id = 7")" \
    test "$rc/$(q "SELECT name FROM well WHERE id = 7")/$(state rows_written Well)" = "0/Renamed/1"
check delete_sets_deleted_at "$(q "SELECT deleted_at IS NOT NULL FROM well WHERE id = 8")" \
    test "$(q "SELECT count(*) FROM well WHERE deleted_at IS NOT NULL")/$(q "SELECT deleted_at IS NOT NULL FROM well WHERE id = 8")" = "1/t"
check entity_log_counts_deletes "$(grep -o '"rows_deleted":[0-9]*' "$out/sync3.err")" \
    grep -q '"rows_deleted":1' "$out/sync3.err"
my "INSERT INTO wells VALUES (8, 'Well 8', 'P', '80.5', NOW(6))"
last=sync4; run sync4 --once --entity Well
check row_coming_back_clears_deleted_at "$(q "SELECT coalesce(deleted_at::text, 'NULL') FROM well WHERE id = 8")" \
    test "$rc/$(q "SELECT count(*) FROM well WHERE deleted_at IS NOT NULL")" = "0/0"

# ---- rejects ------------------------------------------------------------------------
my "INSERT INTO wells VALUES (60, 'Bad status', 'X', '1.0', NOW(6)), (61, 'Bad depth', 'A', 'deep', NOW(6)),
        (62, 'Fine', 'S', '2.25', NOW(6))"
last=rejects; run rejects --once --entity Well
check bad_rows_go_to_rejects_the_rest_lands "exit $rc" \
    test "$rc/$(q "SELECT count(*) FROM wellos_sync_rejects")/$(q "SELECT count(*) FROM well WHERE id = 62")" = "0/2/1"
check reject_has_reason_key_and_raw_json "$(q "SELECT source_key || ' ' || reason || ' ' || raw::text FROM wellos_sync_rejects WHERE source_key = '60'")" \
    test "$(q "SELECT reason || '|' || (raw->>'status') || '|' || (raw->>'depth') || '|' || (raw ? 'modified_at')::text
               FROM wellos_sync_rejects WHERE source_key = '60'")" = "status: 'X' is not in the map (A, S, P)|X|1.0|true"
check reject_reason_names_the_field "$(q "SELECT reason FROM wellos_sync_rejects WHERE source_key = '61'")" \
    test "$(q "SELECT reason FROM wellos_sync_rejects WHERE source_key = '61'")" = "depth_m: 'deep' is not a number"
check state_counts_rejects "$(state "rows_rejected || '/' || status" Well)" \
    test "$(state "rows_rejected || '/' || status" Well)" = "2/ok"

# a BLOB column hands the transform raw bytes: invalid UTF-8, and values
# larger than the COPY buffer (200,000 backslashes escape to 400 KB)
my "ALTER TABLE wells MODIFY name LONGBLOB;
    INSERT INTO wells VALUES (63, X'41FF42', 'A', '1', NOW(6)), (64, REPEAT('\\\\', 200000), 'S', '2', NOW(6))"
last=utf8; run utf8 --once --entity Well
check invalid_utf8_is_rejected_not_fatal "exit $rc, $(q "SELECT reason FROM wellos_sync_rejects WHERE source_key = '63'")" \
    test "$rc/$(q "SELECT reason FROM wellos_sync_rejects WHERE source_key = '63'")" = "0/name: the value is not valid UTF-8"
check raw_json_replaces_invalid_bytes "$(q "SELECT raw->>'name' FROM wellos_sync_rejects WHERE source_key = '63'")" \
    test "$(q "SELECT raw->>'name' = E'A\\uFFFDB' FROM wellos_sync_rejects WHERE source_key = '63'")" = t
check value_larger_than_the_copy_buffer_lands "$(q "SELECT length(name) FROM well WHERE id = 64")" \
    test "$(q "SELECT name = repeat(E'\\\\', 200000) FROM well WHERE id = 64")" = t
my "DELETE FROM wells WHERE id IN (63, 64)"

# ---- on error abort ------------------------------------------------------------------
my "UPDATE wells SET name = 'Changed in an aborted batch' WHERE id = 1"
before=$(q "SELECT count(*) FROM wellos_sync_rejects")
last=abort; TOY_ABORT=1 run abort --once --entity Well
check abort_on_error_exits_1 "exit $rc" test $rc -eq 1
check abort_on_error_rolls_the_batch_back "$(q "SELECT name FROM well WHERE id = 1")" \
    test "$(q "SELECT name FROM well WHERE id = 1")" = "Well 1"
check abort_on_error_records_failed_state "$(state "status || ': ' || last_error" Well)" \
    bash -c "[ \"\$(psql -XAtq -d toy -c \"SELECT status FROM wellos_sync_state WHERE entity = 'Well'\")\" = failed ] \
             && psql -XAtq -d toy -c \"SELECT last_error FROM wellos_sync_state WHERE entity = 'Well'\" | grep -q 'on error abort'"
check abort_on_error_records_the_culprit "$before -> $(q "SELECT count(*) FROM wellos_sync_rejects")" \
    test "$(q "SELECT count(*) FROM wellos_sync_rejects")" -eq $((before + 1))
my "DELETE FROM wells WHERE id IN (60, 61)"
last=after_abort; run after_abort --once --entity Well
check sync_after_abort_lands "$(q "SELECT name FROM well WHERE id = 1")" \
    test "$rc/$(q "SELECT name FROM well WHERE id = 1")/$(state status Well)" = "0/Changed in an aborted batch/ok"

# ---- dry run ----------------------------------------------------------------------------
my "UPDATE wells SET name = 'Dry', modified_at = NOW(6) WHERE id = 2;
    INSERT INTO wells VALUES (70, 'Would reject', 'Q', '1', NOW(6))"
snap() { q "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM (SELECT * FROM well) t" ; \
         q "SELECT md5(string_agg(s::text, ',' ORDER BY s::text)) FROM wellos_sync_state s"; \
         q "SELECT count(*) FROM wellos_sync_rejects"; }
before=$(snap)
last=dry; TOY_TARGET_DSN= run dry --dry-run --entity Well
check dry_run_writes_nothing "exit $rc" test "$rc/$(snap)" = "0/$before"
check dry_run_reports_counts_and_rejects "$(grep -c . "$out/dry.err") lines" \
    bash -c "grep -q 'would reject key 70' '$out/dry.err' && grep -q '1 would be rejected' '$out/dry.err'"
my "DELETE FROM wells WHERE id = 70"

# ---- --check, --config ------------------------------------------------------------------
last=check; run check --check
check check_reports_both_ok "exit $rc" \
    bash -c "[ $rc -eq 0 ] && grep -q '^source (mysql, TOY_SOURCE_DSN): ok' '$out/check.out' \
             && grep -q '^target (postgres, TOY_TARGET_DSN): ok, marked for tenant toy' '$out/check.out'"
last=check_bad; TOY_SOURCE_DSN="host=127.0.0.1 port=$WR_TEST_MYSQL_PORT user=root password=${MY_PW}x dbname=toysrc" \
    run check_bad --check
check check_reports_a_failed_source "exit $rc" \
    bash -c "[ $rc -eq 1 ] && grep -q '^source (mysql, TOY_SOURCE_DSN): failed: .*Access denied' '$out/check_bad.out' \
             && grep -q '^target (postgres, TOY_TARGET_DSN): ok' '$out/check_bad.out'"

cfg=$tmp/toy.env
printf '# toy agent\nTOY_SOURCE_DSN=%s\nTOY_TARGET_DSN="%s"\n' "$TOY_SOURCE_DSN" "$TOY_TARGET_DSN" >"$cfg"
chmod 0644 "$cfg"
last=config644; TOY_SOURCE_DSN= TOY_TARGET_DSN= run config644 --config "$cfg" --check
check config_readable_by_others_is_refused "exit $rc" \
    bash -c "[ $rc -eq 2 ] && grep -q -- '--config $cfg: mode 0644' '$out/config644.err'"
chmod 0600 "$cfg"
last=config600; env -u TOY_SOURCE_DSN -u TOY_TARGET_DSN "$agent" --config "$cfg" --check \
    >"$out/config600.out" 2>"$out/config600.err"; rc=$?
check config_0600_is_accepted "exit $rc" test $rc -eq 0
last=config600_sync; env -u TOY_SOURCE_DSN -u TOY_TARGET_DSN "$agent" --config "$cfg" --once --entity Well \
    >"$out/config600_sync.out" 2>"$out/config600_sync.err"; rc=$?
check config_0600_syncs "exit $rc" test $rc -eq 0

# ---- long syncs: lock, SIGTERM, kill -9 -----------------------------------------------
my "INSERT INTO readings SELECT seq, seq % 50 + 1, seq * 0.001, TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq SECOND
    FROM seq_1_to_200000" || exit 1
N_READINGS=200000
has_progress() { [ "$(q "SELECT coalesce(max(rows_read), 0) >= $1 FROM wellos_sync_state WHERE entity = 'Reading'")" = t ]; }

last=sigterm
"$agent" --once --entity Reading --batch-size 1000 >"$out/sigterm.out" 2>"$out/sigterm.err" </dev/null &
bg=$!
if wait_until 120 has_progress 5000; then
    kill -TERM $bg
    wait $bg; rc=$?
else
    kill -9 $bg; wait $bg; rc=timeout
fi
bg=""
n=$(q "SELECT count(*) FROM reading")
w=$(state rows_written Reading)
check sigterm_exits_0 "exit $rc" test "$rc" = 0
check sigterm_leaves_whole_batches "$n rows, state says $w written, status $(state status Reading)" \
    bash -c "[ $n -eq $w ] && [ $((n % 1000)) -eq 0 ] && [ $n -lt $N_READINGS ] && [ $n -gt 0 ] \
             && [ \"\$(psql -XAtq -d toy -c \"SELECT status FROM wellos_sync_state WHERE entity = 'Reading'\")\" = stopped ]"

last=lock1
"$agent" --once --entity Reading --batch-size 1000 >"$out/lock1.out" 2>"$out/lock1.err" </dev/null &
bg=$!
locked() { [ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" -ge 1 ]; }
wait_until 60 locked
last=lock2; run lock2 --once --entity Well
check second_agent_stops_on_the_lock "exit $rc" \
    bash -c "[ $rc -eq 1 ] && grep -q 'another agent of this tenant is running' '$out/lock2.err'"
has_rows() { [ "$(q "SELECT count(*) >= $1 FROM reading")" = t ]; }
wait_until 120 has_rows $((n + 20000))
n9=$(q "SELECT count(*) FROM reading")
kill -9 $bg 2>/dev/null; wait $bg 2>/dev/null
bg=""
echo "      (SIGTERM left $n of $N_READINGS rows; kill -9 came at about $n9)"
last=after_kill; run after_kill --once --entity Reading
check kill9_then_run_ends_with_exactly_the_source_rows "exit $rc, $(q "SELECT count(*) FROM reading") rows" \
    test "$rc/$(q "SELECT count(*) || '/' || sum(id) || '/' || sum(value) FROM reading")" = \
         "0/$(my "SELECT CONCAT(COUNT(*), '/', SUM(id), '/', SUM(value)) FROM readings")"
check watermark_reaches_the_last_row "$(state watermark Reading)" \
    bash -c "psql -XAtq -d toy -c \"SELECT watermark FROM wellos_sync_state WHERE entity = 'Reading'\" | grep -q '^2024-01-03 07:33:20'"
last=incremental; run incremental --once --entity Reading
check incremental_run_reads_only_the_lookback "read $(state rows_read Reading), written $(state rows_written Reading)" \
    test "$rc/$(state "rows_read || '/' || rows_written" Reading)" = "0/61/0"

my "UPDATE readings SET value = value + 1 WHERE id <= 200000"
q "TRUNCATE reading; DELETE FROM wellos_sync_state WHERE entity = 'Reading'"
last=cut
"$agent" --once --entity Reading --batch-size 1000 >"$out/cut.out" 2>"$out/cut.err" </dev/null &
bg=$!
wait_until 60 has_rows 5000
conn=$(my "SELECT id FROM information_schema.processlist WHERE info LIKE 'SELECT id, well_id%'")
[ -n "$conn" ] && my "KILL $conn"
wait $bg; rc=$?
bg=""
n=$(q "SELECT count(*) FROM reading")
check source_cut_midway_fails_the_run "exit $rc, $(state "status || ': ' || last_error" Reading)" \
    test "$rc/$(state status Reading)/${conn:+killed}" = "1/failed/killed"
check source_cut_midway_keeps_only_committed_batches "$n rows, state says $(state rows_written Reading) written" \
    test "$n/$((n % 1000))" = "$(state rows_written Reading)/0"
last=after_cut; run after_cut --once --entity Reading
check run_after_cut_ends_with_exactly_the_source_rows "exit $rc, $(q "SELECT count(*) FROM reading") rows" \
    test "$rc/$(q "SELECT count(*) || '/' || sum(id) || '/' || sum(value) FROM reading")" = \
         "0/$(my "SELECT CONCAT(COUNT(*), '/', SUM(id), '/', SUM(value)) FROM readings")"

# a number watermark: compared as numbers ("1000000" > "200000"), and no lookback
psql -X -q -d postgres -c "CREATE DATABASE toy_num"
numwm() { TOY_WATERMARK=id TOY_TARGET_DSN="host=$PGHOST port=$PGPORT user=postgres dbname=toy_num" run "$@"; }
numstate() { DB=toy_num q "SELECT $1 FROM wellos_sync_state WHERE entity = 'Reading'"; }
last=num_init; numwm num_init --init
last=num1; numwm num1 --once --entity Reading
my "INSERT INTO readings VALUES (1000000, 1, 1, NULL)"
last=num2; numwm num2 --once --entity Reading
check number_watermark_compares_as_numbers "$(numstate "rows_read || '/' || rows_written || ' wm ' || watermark")" \
    test "$rc/$(numstate "rows_read || '/' || rows_written || '/' || watermark")" = "0/2/1/1000000"
last=num_lookback; TOY_LOOKBACK=60 numwm num_lookback --once --entity Reading
check lookback_on_a_number_watermark_fails_clearly "exit $rc" \
    bash -c "[ $rc -eq 1 ] && grep -q \"the stored watermark '1000000' is not a timestamp, so a lookback of 60 s cannot apply\" '$out/num_lookback.err'"
my "DELETE FROM readings WHERE id = 1000000"

# ---- the loop -------------------------------------------------------------------------
has_line() { grep -q "$2" "$out/$1.err"; }
last=loop
"$agent" --entity Well >"$out/loop.out" 2>"$out/loop.err" </dev/null &
bg=$!
wait_until 60 has_line loop '"event":"entity"'
sleep 0.3
t0=$SECONDS
kill -TERM $bg; wait $bg; rc=$?
bg=""
check loop_stops_on_sigterm_while_waiting "exit $rc after $((SECONDS - t0)) s" \
    bash -c "[ $rc -eq 0 ] && [ $((SECONDS - t0)) -le 3 ] && grep -q 'stopping on a signal, exit status 0' '$out/loop.err'"
last=loop_retry
TOY_SOURCE_DSN="host=127.0.0.1 port=$WR_TEST_MYSQL_PORT user=root password=${MY_PW}x dbname=toysrc" \
    "$agent" --entity Well >"$out/loop_retry.out" 2>"$out/loop_retry.err" </dev/null &
bg=$!
wait_until 60 has_line loop_retry '"event":"retry"'
kill -TERM $bg; wait $bg; rc=$?
bg=""
check loop_retries_after_a_failure_with_backoff "exit $rc" \
    bash -c "[ $rc -eq 0 ] && grep -q 'Access denied' '$out/loop_retry.err' && grep -q 'next try in [0-9.]* s' '$out/loop_retry.err'"
# The loop keeps its target session between runs; a server may end it
# meanwhile (idle_session_timeout, a restart, a firewall that forgets idle
# connections).  The next run must connect again, not fail on it.  Here
# the first run fails (its source table is away), the session is ended
# after 1 s idle, and the retry (2.5 s or more later) must succeed.
last=loop_idle
my "RENAME TABLE wells TO wells_away"
TOY_TARGET_DSN="$TOY_TARGET_DSN options='-c idle_session_timeout=1000'" \
    "$agent" --entity Well >"$out/loop_idle.out" 2>"$out/loop_idle.err" </dev/null &
bg=$!
wait_until 60 has_line loop_idle '"event":"retry"'
my "RENAME TABLE wells_away TO wells"
wait_until 60 has_line loop_idle '"entity":"Well",.*"status":"ok"'
kill -TERM $bg; wait $bg; rc=$?
bg=""
check loop_reconnects_a_target_session_ended_while_waiting \
    "exit $rc, $(grep -c '"event":"retry"' "$out/loop_idle.err") retries, $(grep -o 'idle-session timeout' "$out/loop_idle.err" | head -1)" \
    bash -c "[ $rc -eq 0 ] && [ \$(grep -c '\"event\":\"retry\"' '$out/loop_idle.err') = 1 ] && grep -q '\"entity\":\"Well\",.*\"status\":\"ok\"' '$out/loop_idle.err'"

# ---- logs -----------------------------------------------------------------------------
last=sync1
check log_lines_are_json_with_the_fields "$(grep '"event":"entity"' "$out/sync1.err" | head -1)" \
    bash -c "jq -e -s 'all(.[]; .ts and .level and .tenant == \"toy\") and
             (map(select(.event == \"entity\"))[0] | .entity == \"Well\" and .rows_read == $N_WELLS and
              .rows_written == $N_WELLS and .rows_unchanged == 0 and .rows_rejected == 0 and .duration_ms >= 0
              and .error == null and (.ts | test(\"^[0-9-]{10}T[0-9:]{8}[.][0-9]{3}Z$\")))' '$out/sync1.err' >/dev/null"

# ---- PostgreSQL source ----------------------------------------------------------------
DB=toysrc q "CREATE TABLE wells (id int PRIMARY KEY, name text, status text, depth text, modified_at timestamptz NOT NULL);
    CREATE TABLE readings (id bigint PRIMARY KEY, well_id int, value numeric(12,3), recorded_at timestamptz);
    INSERT INTO wells SELECT g, 'PG well ' || g, 'A', g || '.0', now() FROM generate_series(1, 30) g;
    INSERT INTO readings SELECT g, 1, g * 0.5, timestamptz '2024-06-01 00:00:00+00' + g * interval '1 second'
        FROM generate_series(1, 500) g;
    INSERT INTO readings VALUES (9999, 1, 1, NULL)"
pgsrc() { TOY_SOURCE=pg TOY_SOURCE_DSN="host=$PGHOST port=$PGPORT user=postgres password=$PG_PW dbname=toysrc" \
          TOY_TARGET_DSN="host=$PGHOST port=$PGPORT user=postgres password=$PG_PW dbname=toy_pg" run "$@"; }
last=pg_init; pgsrc pg_init --init
last=pg_sync1; pgsrc pg_sync1 --once --batch-size 100
check pg_source_first_sync "exit $rc" \
    test "$rc/$(DB=toy_pg q "SELECT count(*) FROM well")/$(DB=toy_pg q "SELECT count(*) FROM reading")" = "0/30/500"
check pg_source_null_watermark_is_rejected "$(DB=toy_pg q "SELECT source_key || ': ' || reason FROM wellos_sync_rejects")" \
    test "$(DB=toy_pg q "SELECT source_key || ': ' || reason FROM wellos_sync_rejects")" = "9999: the watermark is NULL"
DB=toysrc q "INSERT INTO readings VALUES (501, 2, 7.5, timestamptz '2024-06-01 00:08:21+00')"
last=pg_sync2; pgsrc pg_sync2 --once --batch-size 100
check pg_source_watermark_reads_from_the_lookback "$(DB=toy_pg q "SELECT rows_read || '/' || rows_written || ' ' || watermark FROM wellos_sync_state WHERE entity = 'Reading'")" \
    test "$rc/$(DB=toy_pg q "SELECT rows_read || '/' || rows_written FROM wellos_sync_state WHERE entity = 'Reading'")/$(DB=toy_pg q "SELECT count(*) FROM reading")" = "0/63/1/501"
check pg_source_resync_of_full_entity_writes_nothing "$(DB=toy_pg q "SELECT rows_written || '/' || rows_unchanged FROM wellos_sync_state WHERE entity = 'Well'")" \
    test "$(DB=toy_pg q "SELECT rows_written || '/' || rows_unchanged FROM wellos_sync_state WHERE entity = 'Well'")" = "0/30"
last=pg_full; pgsrc pg_full --once --full --entity Reading
check full_ignores_the_watermark "$(DB=toy_pg q "SELECT rows_read FROM wellos_sync_state WHERE entity = 'Reading'")" \
    test "$rc/$(DB=toy_pg q "SELECT rows_read || '/' || rows_written FROM wellos_sync_state WHERE entity = 'Reading'")" = "0/502/0"

# ---- secrets -----------------------------------------------------------------------
last=none
leaks=$(grep -l -F -e "$MY_PW" -e "$PG_PW" "$out"/* 2>/dev/null)
check no_password_in_any_output "$(ls "$out" | wc -l) files checked; leaked in: $leaks" test -z "$leaks"
check asan_reported_nothing "$(grep -l 'Sanitizer' "$out"/*.err 2>/dev/null)" \
    bash -c "! grep -q 'Sanitizer' '$out'/*.err"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
