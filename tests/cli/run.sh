#!/usr/bin/env bash
# tests/cli/run.sh WELLOSC - the command line as a user meets it: exit
# statuses (0 clean, 1 spec errors, 2 bad usage), gcc-style output byte for
# byte, help, version and the man page.  Run from the repository root.
set -u
wellosc=${1:-./wellosc}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_status STATUS DESCRIPTION -- COMMAND...
expect_status() {
    local want=$1 what=$2; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, expected $want"; sed 's/^/    /' "$tmp/err" | head -5; fi
}

for f in specs/*.wmap examples/*.wmap; do
    expect_status 0 "check $f" -- "$wellosc" check "$f"
    [ -s "$tmp/err" ] && bad "check $f printed: $(head -1 "$tmp/err")" || ok
done
expect_status 0 "check all examples in one run" -- "$wellosc" check examples/*.wmap

expect_status 1 "a spec with errors" -- "$wellosc" check tests/cli/typo.wmap
if diff -u tests/cli/typo.expected "$tmp/err" >"$tmp/diff"; then ok; else bad "diagnostics differ from tests/cli/typo.expected:"; cat "$tmp/diff"; fi

expect_status 0 "--help" -- "$wellosc" --help
grep -q '^usage: wellosc' "$tmp/out" && ok || bad "--help prints no usage"
expect_status 0 "check --help" -- "$wellosc" check --help
expect_status 0 "--version" -- "$wellosc" --version
grep -Eq '^wellosc [0-9]+\.[0-9]+\.[0-9]+$' "$tmp/out" && ok || bad "--version prints '$(cat "$tmp/out")'"

expect_status 2 "no command" -- "$wellosc"
expect_status 2 "unknown command" -- "$wellosc" frobnicate
expect_status 2 "check without files" -- "$wellosc" check
expect_status 2 "unknown option" -- "$wellosc" check --frob specs/wellos.wmap
expect_status 2 "missing file" -- "$wellosc" check "$tmp/no-such.wmap"
grep -q "cannot read '$tmp/no-such.wmap': No such file or directory" "$tmp/err" && ok || bad "missing file message: $(cat "$tmp/err")"
expect_status 2 "a directory" -- "$wellosc" check "$tmp"
expect_status 2 "bad --max-errors" -- "$wellosc" check --max-errors x specs/wellos.wmap

# --max-errors bounds the output; every error is still counted.
for i in $(seq 1 30); do printf 'entity E%d { id uuid }\n' "$i"; done >"$tmp/many.wmap"
expect_status 1 "many errors" -- "$wellosc" check --max-errors 5 "$tmp/many.wmap"
[ "$(grep -c ': error: ' "$tmp/err")" -eq 5 ] && ok || bad "--max-errors 5 printed $(grep -c ': error: ' "$tmp/err") errors"
grep -q '^30 errors, 0 warnings$' "$tmp/err" && ok || bad "summary: $(tail -1 "$tmp/err")"

# An import is relative to the importing file, whatever the working directory.
(cd /tmp && "$OLDPWD/$wellosc" check "$OLDPWD/examples/texas_energy.wmap") >/dev/null 2>&1 && ok || bad "check from another directory"

# Warnings alone do not fail a check.
cat >"$tmp/warn.wmap" <<'SPEC'
entity W table w {
  id uuid key
  s enum(A, B) required
}
tenant t {
  strategy etl
  source mysql dsn env S
  target postgres dsn env T
  sync W from w_src {
    id <- Id
    s  <- S map { "a" => A } else reject
  }
}
SPEC
expect_status 0 "warnings only" -- "$wellosc" check "$tmp/warn.wmap"
grep -q "warning: enum value 'B' of field 's' is never produced by this map" "$tmp/err" && ok || bad "warning text: $(cat "$tmp/err")"

# gen: usage errors, spec errors write nothing, output is deterministic.
expect_status 2 "gen without -o" -- "$wellosc" gen examples/gulf_native.wmap
expect_status 1 "gen of a spec with errors" -- "$wellosc" gen -o "$tmp/bad" tests/cli/typo.wmap
[ ! -e "$tmp/bad" ] && ok || bad "gen wrote files for a spec with errors"
expect_status 0 "gen" -- "$wellosc" gen -o "$tmp/g1" examples/permian_ops.wmap
expect_status 0 "gen again" -- "$wellosc" gen -o "$tmp/g2" examples/permian_ops.wmap
diff -r "$tmp/g1" "$tmp/g2" >/dev/null && ok || bad "gen is not deterministic"
for f in well.h well.c repos.h repos.c permian_ops_well.c ddl_postgres.sql permian_ops_schema.sql; do
    [ -s "$tmp/g1/$f" ] && ok || bad "gen did not write $f"
done
# No limit on the number of files: 2,500 entities are 5,006 of them.
for i in $(seq 2500); do echo "entity E$i table t$i { id int key }"; done >"$tmp/many.wmap"
expect_status 0 "gen of 2,500 entities" -- "$wellosc" gen -o "$tmp/many" "$tmp/many.wmap"
n=$(ls "$tmp/many" 2>/dev/null | wc -l)
[ "$n" = 5006 ] && ok || bad "gen of 2,500 entities wrote $n files, not 5,006"

# Generated code built against another runtime version fails to compile,
# saying which side to update.
mkdir -p "$tmp/rt-new" "$tmp/rt-old"
sed 's/^#define WR_VERSION_NUMBER .*/#define WR_VERSION_NUMBER 99/' runtime/wr.h >"$tmp/rt-old/wr.h"
sed 's/^#define WR_MIN_COMPILER_VERSION .*/#define WR_MIN_COMPILER_VERSION 99999/' runtime/wr.h >"$tmp/rt-new/wr.h"
echo '#include "well.h"' >"$tmp/use.c"
cc -std=c11 -fsyntax-only -I"$tmp/rt-old" -I"$tmp/g1" "$tmp/use.c" 2>"$tmp/err" && bad "old runtime accepted"
grep -q 'newer than this runtime: update libwellosrt' "$tmp/err" && ok || bad "old runtime: $(head -2 "$tmp/err")"
cc -std=c11 -fsyntax-only -I"$tmp/rt-new" -I"$tmp/g1" "$tmp/use.c" 2>"$tmp/err" && bad "newer runtime accepted"
grep -q 'older than this runtime accepts: regenerate' "$tmp/err" && ok || bad "new runtime: $(head -2 "$tmp/err")"
cc -std=c11 -fsyntax-only -Iruntime -I"$tmp/g1" "$tmp/use.c" && ok || bad "the matching runtime was refused"

# A text key is extracted in byte order, the order the agent compares keys
# in: each source's usual collation sorts otherwise (runtime/wr_diff.c).
# An integer key keeps its plain ORDER BY (the source's index order).
for d in mysql postgres sqlserver oracle; do
    cat >"$tmp/tk_$d.wmap" <<SPEC
entity Lease table leases { code text(20) key  name text(100) }
entity Unit table units { id bigint key  name text(100) }
tenant tk_$d {
  strategy etl
  source $d dsn env TK_SOURCE_DSN
  target postgres dsn env TK_TARGET_DSN
  every 15 minutes
  sync Lease from src_leases { code <- lease_code  name <- lease_name }
  sync Unit from src_units { id <- unit_id  name <- unit_name }
}
SPEC
    "$wellosc" plan --tenant "tk_$d" "$tmp/tk_$d.wmap" >"$tmp/plan_$d.sql" 2>"$tmp/err" || bad "plan of a text key ($d): $(head -1 "$tmp/err")"
done
expect_order() { # DIALECT TEXT: the plan has TEXT
    grep -qF -- "$2" "$tmp/plan_$1.sql" && ok || bad "$1 extract: no '$2' in: $(grep -m2 'ORDER BY' "$tmp/plan_$1.sql")"
}
expect_order mysql 'FROM `src_leases` ORDER BY CONVERT(`lease_code` USING utf8mb4) COLLATE utf8mb4_bin;'
expect_order postgres 'FROM "src_leases" ORDER BY "lease_code"::text COLLATE "C";'
expect_order sqlserver 'FROM [src_leases] ORDER BY CAST([lease_code] AS nvarchar(4000)) COLLATE Latin1_General_BIN2;'
expect_order oracle 'FROM "src_leases" ORDER BY NLSSORT("lease_code", '"'"'NLS_SORT=BINARY'"'"');'
expect_order mysql 'FROM `src_units` ORDER BY `unit_id`;'
expect_order sqlserver 'FROM [src_units] ORDER BY [unit_id];'

if [ -f wellosc.1 ]; then
    if command -v groff >/dev/null; then
        out=$(groff -man -Tutf8 -ww wellosc.1 2>&1 >/dev/null)
        [ -z "$out" ] && ok || bad "man page warnings: $out"
    fi
else
    bad "wellosc.1 is missing"
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
