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

# ---- check --schema: a tenant against a snapshot of its own database --------
sd=tests/cli/schema
expect_status 1 "check --schema with errors" -- "$wellosc" check --schema $sd/fieldco.json $sd/fieldco.wmap
if diff -u $sd/fieldco.expected "$tmp/err" >"$tmp/diff"; then ok; else bad "diagnostics differ from $sd/fieldco.expected:"; cat "$tmp/diff"; fi
expect_status 0 "check --schema, clean" -- "$wellosc" check --schema $sd/texas_energy.json examples/texas_energy.wmap
[ -s "$tmp/err" ] && bad "a clean --schema check printed: $(head -1 "$tmp/err")" || ok

# PostgreSQL names are exact: a name in another case is named in the hint.
cat >"$tmp/pgsrc.wmap" <<SPEC
import "$PWD/specs/wellos.wmap"
tenant pgsrc {
  strategy etl
  source postgres dsn env PGSRC_SOURCE_DSN
  target postgres dsn env PGSRC_TARGET_DSN
  sync Well from Wells { id <- wellid  name <- Name  status <- Status map { "A" => ACTIVE } else keep }
  sync ProductionRecord from acct.production { id <- id  well_id <- well  date <- day }
}
SPEC
cat >"$tmp/pgsrc.json" <<'JSON'
{"wellosc_schema": 1, "tenant": "pgsrc", "dialect": "postgres", "default_schema": "public",
 "tables": [
  {"schema": "public", "name": "wells", "columns": [{"name": "WellID", "type": "uuid"}, {"name": "Name", "type": "character varying(255)"},
                                                   {"name": "Status", "type": "character varying(8)"}]},
  {"schema": "acct", "name": "production", "columns": [{"name": "id", "type": "bigint", "nullable": false},
      {"name": "well", "type": "uuid"}, {"name": "day", "type": "timestamp(3) with time zone"}]}]}
JSON
expect_status 1 "check --schema, PostgreSQL case" -- "$wellosc" check --schema "$tmp/pgsrc.json" "$tmp/pgsrc.wmap"
grep -q "error: no table 'Wells' in the schema snapshot of tenant pgsrc" "$tmp/err" && ok || bad "PostgreSQL table case: $(cat "$tmp/err")"
grep -q "hint: table names are case-sensitive in this database: did you mean 'wells'?" "$tmp/err" && ok || bad "table case hint: $(cat "$tmp/err")"
grep -q '^1 error, 0 warnings$' "$tmp/err" && ok || bad "a missing table hides its columns' errors: $(tail -1 "$tmp/err")"
sed -i 's/"name": "wells"/"name": "Wells"/' "$tmp/pgsrc.json"
expect_status 1 "check --schema, PostgreSQL column case" -- "$wellosc" check --schema "$tmp/pgsrc.json" "$tmp/pgsrc.wmap"
grep -q ":6:32: error: no column 'wellid' in table 'Wells'" "$tmp/err" && ok || bad "PostgreSQL column case: $(cat "$tmp/err")"
grep -q "hint: column names are case-sensitive in this database: did you mean 'WellID'?" "$tmp/err" && ok || bad "column case hint: $(cat "$tmp/err")"
grep -q '^1 error, 0 warnings$' "$tmp/err" && ok || bad "timestamptz into a date, qualified table: $(tail -1 "$tmp/err")"

# Whose snapshot, of what: refused with the reason.
expect_status 1 "a snapshot of another tenant" -- "$wellosc" check --schema $sd/fieldco.json examples/texas_energy.wmap
grep -q "error: the schema snapshot $sd/fieldco.json is of tenant fieldco, which these specs do not define" "$tmp/err" && ok || bad "other tenant: $(cat "$tmp/err")"
sed 's/"tenant": "fieldco"/"tenant": "anadarko_pg"/' $sd/fieldco.json >"$tmp/anadarko.json"
expect_status 1 "a snapshot of another dialect" -- "$wellosc" check --schema "$tmp/anadarko.json" examples/anadarko_pg.wmap
grep -q "tenant anadarko_pg's database is postgres, but the schema snapshot $tmp/anadarko.json is of a sqlserver database" "$tmp/err" && ok || bad "dialect: $(cat "$tmp/err")"
sed 's/"tenant": "fieldco"/"tenant": "gulf_native"/' $sd/fieldco.json >"$tmp/native.json"
expect_status 1 "a snapshot of a native tenant" -- "$wellosc" check --schema "$tmp/native.json" examples/gulf_native.wmap
grep -q "tenant gulf_native is native" "$tmp/err" && ok || bad "native: $(cat "$tmp/err")"

# A table recorded without its schema (a snapshot written by hand) is found
# whatever schema the spec names.
cat >"$tmp/noschema.json" <<'JSON'
{"wellosc_schema": 1, "tenant": "texas_energy", "dialect": "sqlserver", "tables": [
 {"name": "WellMaster", "columns": [{"name": "WellID", "type": "uniqueidentifier"}]}]}
JSON
expect_status 1 "a snapshot without schemas" -- "$wellosc" check --schema "$tmp/noschema.json" examples/texas_energy.wmap
grep -q "texas_energy.wmap:14:24: error: no column 'WellName' in table 'dbo.WellMaster'" "$tmp/err" && ok || bad "no schema: $(head -3 "$tmp/err")"
grep -q "no table 'dbo.WellMaster'" "$tmp/err" && bad "a table without its schema was not found" || ok

# A file that is not a snapshot: exit 2, with the place where JSON has one.
expect_status 2 "--schema without a file" -- "$wellosc" check examples/texas_energy.wmap --schema
expect_status 2 "--schema, no such file" -- "$wellosc" check --schema "$tmp/none.json" examples/texas_energy.wmap
bad_snapshot() {   # WHAT JSON EXPECTED-MESSAGE
    printf '%s\n' "$2" >"$tmp/bad.json"
    expect_status 2 "snapshot: $1" -- "$wellosc" check --schema "$tmp/bad.json" examples/texas_energy.wmap
    grep -qF -- "$3" "$tmp/err" && ok || bad "snapshot: $1: $(cat "$tmp/err")"
}
bad_snapshot "broken JSON" '{"wellosc_schema": 1,
  "tenant": }' "$tmp/bad.json:2:13: error: "
bad_snapshot "not an object" '[1]' "$tmp/bad.json: error: not a schema snapshot: the file must hold one JSON object"
bad_snapshot "another format" '{"wellosc_schema": 2}' "not a schema snapshot of format 1"
bad_snapshot "duplicate key" '{"wellosc_schema": 1, "wellosc_schema": 1}' "duplicate object key"
bad_snapshot "no tenant" '{"wellosc_schema": 1, "dialect": "mysql", "tables": []}' 'error: the snapshot has no "tenant"'
bad_snapshot "unknown dialect" '{"wellosc_schema": 1, "tenant": "t", "dialect": "db2", "tables": []}' 'unknown dialect "db2"'
bad_snapshot "case rule" '{"wellosc_schema": 1, "tenant": "t", "dialect": "mysql", "table_names": "lower", "tables": []}' '"table_names" must be "exact" or "any_case"'
bad_snapshot "tables" '{"wellosc_schema": 1, "tenant": "t", "dialect": "mysql", "tables": {}}' '"tables" must be an array'
bad_snapshot "no columns" '{"wellosc_schema": 1, "tenant": "t", "dialect": "mysql", "tables": [{"name": "a", "columns": []}]}' 'tables[0] (a): "columns" must be a non-empty array'
bad_snapshot "column type" '{"wellosc_schema": 1, "tenant": "t", "dialect": "mysql", "tables": [{"name": "a", "columns": [{"name": "c", "type": 5}]}]}' 'tables[0].columns[0]: "type" must be a non-empty string'
bad_snapshot "nullable" '{"wellosc_schema": 1, "tenant": "t", "dialect": "mysql", "tables": [{"name": "a", "columns": [{"name": "c", "type": "int", "nullable": "no"}]}]}' '"nullable" must be true or false'

# introspect: what can be said without a database.
expect_status 0 "introspect --help" -- "$wellosc" introspect --help
expect_status 2 "introspect without -o" -- "$wellosc" introspect examples/texas_energy.wmap
expect_status 2 "introspect, no such tenant" -- "$wellosc" introspect --tenant nobody -o "$tmp/s.json" examples/texas_energy.wmap
grep -q "the specs define no tenant 'nobody'" "$tmp/err" && ok || bad "introspect tenant: $(cat "$tmp/err")"
expect_status 2 "introspect, several tenants" -- "$wellosc" introspect -o "$tmp/s.json" examples/texas_energy.wmap examples/eagle_ford.wmap
expect_status 2 "introspect, a native tenant" -- "$wellosc" introspect -o "$tmp/s.json" examples/gulf_native.wmap
grep -q "the specs define no adapter or etl tenant: a native tenant's database holds the canonical tables" "$tmp/err" && ok || bad "introspect, native: $(cat "$tmp/err")"
expect_status 2 "introspect, a native tenant named" -- "$wellosc" introspect --tenant gulf_native -o "$tmp/s.json" examples/gulf_native.wmap
grep -q "tenant gulf_native is native" "$tmp/err" && ok || bad "introspect, native named: $(cat "$tmp/err")"
grep -q "adapter or etl tenants: say which with --tenant" <("$wellosc" introspect -o "$tmp/s.json" examples/texas_energy.wmap examples/eagle_ford.wmap 2>&1) && ok || bad "introspect, several tenants: no hint to say which"
expect_status 1 "introspect, a spec with errors" -- "$wellosc" introspect -o "$tmp/s.json" tests/cli/typo.wmap
echo '{"old": true}' >"$tmp/s.json"
expect_status 1 "introspect, DSN not set" -- env -u TEXAS_SOURCE_DSN "$wellosc" introspect -o "$tmp/s.json" examples/texas_energy.wmap
grep -q "TEXAS_SOURCE_DSN" "$tmp/err" && ok || bad "introspect names the DSN's variable: $(cat "$tmp/err")"
[ "$(cat "$tmp/s.json")" = '{"old": true}' ] && ok || bad "a failed introspect changed its output file"
# The catalog is read by the runtime's wellos-introspect (the compiler links
# no client library); a stand-in shows what wellosc makes of its lines.
expect_status 2 "introspect, no wellos-introspect" -- "$wellosc" introspect --runtime "$tmp/none" -o "$tmp/s.json" examples/texas_energy.wmap
grep -q "cannot find wellos-introspect in $tmp/none" "$tmp/err" && ok || bad "introspect, no helper: $(cat "$tmp/err")"
mkdir -p "$tmp/rt"
cat >"$tmp/rt/wellos-introspect" <<'SH'
#!/bin/sh
[ "$*" = "sqlserver TEXAS_SOURCE_DSN tenant texas_energy source" ] || { echo "stand-in: called with: $*" >&2; exit 1; }
printf 'about\tField\tdbo\t0\t0\n'
printf 'column\tdbo\tWellMaster\tWellID\tuniqueidentifier\t0\n'
printf 'column\tdbo\tOdd\\ttable\tcol\\\\1\\nx "q"\tint\t1\n'
printf 'column\tdbo\tNulls\t\\N\tint\t1\n'
SH
chmod +x "$tmp/rt/wellos-introspect"
expect_status 0 "introspect through a stand-in" -- "$wellosc" introspect --runtime "$tmp/rt" -o "$tmp/fake.json" examples/texas_energy.wmap
grep -q "^wellosc: $tmp/fake.json: 2 columns of tenant texas_energy's sqlserver\$" "$tmp/err" && ok || bad "stand-in: $(cat "$tmp/err")"
grep -qF '{"schema": "dbo", "name": "Odd\u0009table", "columns": [' "$tmp/fake.json" && ok || bad "a tab in a name: $(cat "$tmp/fake.json")"
grep -qF '{"name": "col\\1\u000ax \"q\"", "type": "int", "nullable": true}' "$tmp/fake.json" && ok || bad "escapes: $(cat "$tmp/fake.json")"
grep -qF '"table_names": "any_case"' "$tmp/fake.json" && ! grep -q Nulls "$tmp/fake.json" && ok || bad "case rule, or a column without a name kept"
expect_status 1 "a stand-in's snapshot is one check --schema reads" -- "$wellosc" check --schema "$tmp/fake.json" examples/texas_energy.wmap
grep -q "texas_energy.wmap:14:24: error: no column 'WellName' in table 'dbo.WellMaster'" "$tmp/err" && ok || bad "the stand-in's snapshot: $(head -2 "$tmp/err")"
printf '#!/bin/sh\necho "about"\necho "this is not a catalog"\n' >"$tmp/rt/wellos-introspect"
echo '{"old": true}' >"$tmp/s.json"
expect_status 1 "introspect, a stand-in that prints nonsense" -- "$wellosc" introspect --runtime "$tmp/rt" -o "$tmp/s.json" examples/texas_energy.wmap
grep -q "printed something that is not a catalog" "$tmp/err" && [ "$(cat "$tmp/s.json")" = '{"old": true}' ] && ok || bad "nonsense: $(cat "$tmp/err")"
printf '#!/bin/sh\necho "wellos-introspect: refused" >&2\nexit 1\n' >"$tmp/rt/wellos-introspect"
expect_status 1 "introspect, a stand-in that fails" -- "$wellosc" introspect --runtime "$tmp/rt" -o "$tmp/s.json" examples/texas_energy.wmap
grep -q "^wellos-introspect: refused$" "$tmp/err" && ok || bad "its message passed on: $(cat "$tmp/err")"
expect_status 1 "introspect, Oracle" -- "$wellosc" introspect -o "$tmp/s.json" examples/north_sea_oracle.wmap
grep -q "has no client library for it" "$tmp/err" && ok || bad "introspect on Oracle: $(cat "$tmp/err")"

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
