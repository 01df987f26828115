#!/usr/bin/env bash
# bench/repo_bench.sh BIN - the repository benchmark
# (issue: typed repositories), run by `make bench-repo`, which builds BIN
# ($(B)/bench/repo_bench) first.  It starts a private PostgreSQL 15
# (tests/servers/pg.sh) under build/bench/repo-pg, creates the tables from
# generated/gulf_native/ddl_postgres.sql, seeds wells, measures, prints a
# markdown table, and stops the server (also on failure).
#
#   find_all     10,000 and then 100,000 rows in the table: rows per second
#                and peak RSS (getrusage ru_maxrss of the benchmark process)
#   find_by_id   REPO_BENCH_CALLS (100,000) calls
#   save         REPO_BENCH_CALLS (100,000) upserts of existing wells (the
#                ON CONFLICT DO UPDATE path; each run changes the status and
#                name of every row it writes; VACUUM before each run)
#
# Each is run REPO_BENCH_RUNS (5) times per implementation, the
# implementations alternating (and their order swapped every other run),
# after one warm-up run each; the table gives medians, min-max, and the ratio
# generated / hand-written of the medians.
#
# CPU placement: on this kind of machine (a 2-vCPU virtual machine) a round
# trip between two processes on different CPUs costs about 80 us (cross-CPU
# wake-ups), against about 13 us on one CPU, and an unpinned run flips
# between the two at random.  So the server is started on CPU 0 and the
# benchmark process runs on CPU 0 too: stable, and the strictest setting for
# client overhead, since nothing hides it.  With 2 or more CPUs,
# find_by_id and save are run again with the client on CPU 1 ("split";
# REPO_BENCH_SPLIT=0 skips that).
set -eu
cd "$(dirname "$0")/.."
bin=${1:?usage: repo_bench.sh BIN}
runs=${REPO_BENCH_RUNS:-5}
calls=${REPO_BENCH_CALLS:-100000}
work=build/bench/repo-pg
results=build/bench/repo-results.txt

# The baseline must run the very SQL the generated code runs: compare the
# statements of bench/repo_bench.c with generated/gulf_native/gulf_native_well.c.
perl -e '
    sub sql {
        my ($file, $re) = @_;
        open(my $f, "<", $file) or die "$file: $!\n";
        local $/; my $t = <$f>;
        $t =~ $re or die "repo_bench.sh: no statement matches $re in $file\n";
        my $lits = $1; my $s = "";
        $s .= $1 while $lits =~ /"((?:[^"\\]|\\.)*)"/g;
        return $s;
    }
    my $lit = qr/((?:\s*"(?:[^"\\]|\\.)*")+)/;
    for my $op (["FIND_BY_ID", "SQL_FIND_BY_ID"], ["FIND_ALL", "SQL_FIND_ALL"], ["SAVE", "SQL_SAVE"]) {
        my $g = sql("generated/gulf_native/gulf_native_well.c", qr/\[$op->[0]\] = \{.*?\.sql = $lit/s);
        my $h = sql("bench/repo_bench.c", qr/static const char $op->[1]\[\] =$lit;/s);
        die "repo_bench.sh: $op->[1] in bench/repo_bench.c is no longer the SQL of generated/gulf_native: copy it again\n"
            if $g ne $h;
    }'

bash tests/servers/pg.sh stop "$work/pg" >/dev/null 2>&1 || true
rm -rf "$work"
mkdir -p "$work"
trap 'bash tests/servers/pg.sh stop "$work/pg" >/dev/null 2>&1 || true' EXIT
taskset -c 0 bash tests/servers/pg.sh start "$work/pg" >/dev/null
. "$work/pg/env"
export GULF_DSN=$WR_TEST_PG_DSN

sql() { psql -X -q -v ON_ERROR_STOP=1 "$@" >/dev/null; }
sql -f generated/gulf_native/ddl_postgres.sql

# Wells FROM..TO: the ids and api numbers repo_bench.c computes.
seed() {
    sql -c "INSERT INTO wells (id, name, api_number, latitude, longitude, status, lease, created_at, updated_at)
            SELECT (lpad(to_hex(i), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
                   'Well ' || i, lpad(i::text, 14, '0'),
                   27 + (i % 1000) / 1000.0, -98 - (i % 1000) / 1000.0,
                   (ARRAY['ACTIVE', 'INACTIVE', 'PLUGGED'])[1 + i % 3], 'Lease ' || (i % 100),
                   timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second'
                       + (i % 1000000) * interval '1 microsecond',
                   now()
            FROM generate_series($1, $2) AS i"
    sql -c "VACUUM ANALYZE wells"
}

: >"$results"
save_run=0
# measure LABEL CPU OP N IMPL...: warm-up, then RUNS alternating runs.
measure() {
    local label=$1 cpu=$2 op=$3 n=$4
    shift 4
    local impls=("$@") order
    local warm=$n # find_all must read every row; the others warm up on 10,000 calls
    [ "$op" != find_all ] && [ "$n" -gt 10000 ] && warm=10000
    for impl in "${impls[@]}"; do
        save_run=$((save_run + 1))
        [ "$op" = save ] && sql -c "VACUUM wells"
        taskset -c "$cpu" "$bin" "$op" "$impl" "$warm" "$save_run" >/dev/null
    done
    for r in $(seq 1 "$runs"); do
        if [ $((r % 2)) -eq 1 ]; then order=("${impls[@]}"); else order=($(printf '%s\n' "${impls[@]}" | tac)); fi
        for impl in "${order[@]}"; do
            save_run=$((save_run + 1))
            [ "$op" = save ] && sql -c "VACUUM wells"
            echo "label=$label run=$r $(taskset -c "$cpu" "$bin" "$op" "$impl" "$n" "$save_run")" >>"$results"
        done
    done
}

echo "repo_bench: PostgreSQL on CPU 0; $runs runs each; this takes a few minutes" >&2
seed 1 10000
measure find_all_10k 0 find_all 10000 gen hand hand-whole
seed 10001 100000
measure find_all_100k 0 find_all 100000 gen hand hand-whole
measure find_by_id 0 find_by_id "$calls" gen hand
measure save 0 save "$calls" gen hand
if [ "${REPO_BENCH_SPLIT:-1}" = 1 ] && [ "$(nproc)" -ge 2 ]; then
    measure find_by_id_split 1 find_by_id "$calls" gen hand
    measure save_split 1 save "$calls" gen hand
fi

# ---- the table ---------------------------------------------------------------
awk -v runs="$runs" -v calls="$calls" '
function kv(line, key,   i, n, parts, p) {
    n = split(line, parts, " ")
    for (i = 1; i <= n; i++) { split(parts[i], p, "="); if (p[1] == key) return p[2] }
    return ""
}
function median(key,   n, i, j, t, a) {
    n = split(vals[key], a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    lo[key] = a[1]; hi[key] = a[n]
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function commas(x,   s, r) {
    s = sprintf("%.0f", x); r = ""
    while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
    return s r
}
function rate(label, impl,   k, m) {
    k = label SUBSEP impl SUBSEP "per_second"
    if (!(k in vals)) return "-"
    m = median(k)
    return sprintf("%s/s (%s-%s)", commas(m), commas(lo[k]), commas(hi[k]))
}
function med(label, impl, what,   k) {
    k = label SUBSEP impl SUBSEP what
    return (k in vals) ? median(k) : 0
}
function ratio(label,   g, h) {
    g = med(label, "gen", "per_second"); h = med(label, "hand", "per_second")
    return h ? sprintf("%.2f", g / h) : "-"
}
# The median of the per-run ratios: run r of gen against run r of hand,
# which ran right before or after it (robust to drift in the machine).
function paired(label,   r, n, list, a, i, j, t) {
    n = 0; list = ""
    for (r = 1; r <= runs; r++)
        if ((label, r, "gen") in persec && (label, r, "hand") in persec && persec[label, r, "hand"] > 0) {
            list = list " " persec[label, r, "gen"] / persec[label, r, "hand"]; n++
        }
    if (!n) return "-"
    split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return sprintf("%.2f", n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
}
function mib(kb) { return sprintf("%.1f MiB", kb / 1024) }
{
    label = kv($0, "label"); impl = kv($0, "impl")
    persec[label, kv($0, "run"), impl] = kv($0, "per_second")
    for (f = 1; f <= NF; f++) {
        split($f, p, "=")
        if (p[1] == "per_second" || p[1] == "maxrss_kb") vals[label, impl, p[1]] = vals[label, impl, p[1]] " " p[2]
    }
}
END {
    printf "| measurement (median of %d runs, min-max) | generated repository | hand-written libpq | ratio generated / hand-written (of the medians) | median of the per-run ratios |\n", runs
    print "|---|---|---|---|---|"
    printf "| find_by_id, %s calls | %s | %s | **%s** | %s |\n", commas(calls), rate("find_by_id", "gen"), rate("find_by_id", "hand"), ratio("find_by_id"), paired("find_by_id")
    printf "| save (upsert of an existing row), %s calls | %s | %s | **%s** | %s |\n", commas(calls), rate("save", "gen"), rate("save", "hand"), ratio("save"), paired("save")
    printf "| find_all, 10,000 rows (rows/s) | %s | %s | %s | %s |\n", rate("find_all_10k", "gen"), rate("find_all_10k", "hand"), ratio("find_all_10k"), paired("find_all_10k")
    printf "| find_all, 100,000 rows (rows/s) | %s | %s | %s | %s |\n", rate("find_all_100k", "gen"), rate("find_all_100k", "hand"), ratio("find_all_100k"), paired("find_all_100k")
    if (("find_by_id_split", "gen", "per_second") in vals) {
        printf "| find_by_id, %s calls, client on another CPU than the server | %s | %s | %s | %s |\n", commas(calls), rate("find_by_id_split", "gen"), rate("find_by_id_split", "hand"), ratio("find_by_id_split"), paired("find_by_id_split")
        printf "| save, %s calls, client on another CPU than the server | %s | %s | %s | %s |\n", commas(calls), rate("save_split", "gen"), rate("save_split", "hand"), ratio("save_split"), paired("save_split")
    }
    print ""
    print "| find_all: peak RSS of the process (median) | 10,000 rows | 100,000 rows | growth |"
    print "|---|---|---|---|"
    split("gen hand hand-whole", impls, " ")
    names["gen"] = "generated repository (rows streamed)"
    names["hand"] = "hand-written, single-row mode (streamed)"
    names["hand-whole"] = "hand-written, whole result at once (PQexecPrepared), for reference"
    for (i = 1; i <= 3; i++) {
        a = med("find_all_10k", impls[i], "maxrss_kb"); b = med("find_all_100k", impls[i], "maxrss_kb")
        g = sprintf("%+.1f", (b - a) / 1024)
        if (g == "-0.0" || g == "+0.0") g = "0.0"
        printf "| %s | %s | %s | %s MiB |\n", names[impls[i]], mib(a), mib(b), g
    }
}' "$results"

