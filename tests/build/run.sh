#!/usr/bin/env bash
# tests/build/run.sh - `wellosc build` as a pipeline uses it: from another
# directory, from an installed prefix, with a depfile; each agent linked
# with exactly its tenant's client libraries (the SQL Server one against
# FreeTDS).  A live SQL Server run happens only where WELLOS_TEST_MSSQL_DSN
# is set.
set -u
cd "$(dirname "$0")/../.."
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# libraries an executable needs, one per line
needs() { readelf -d "$1" | sed -n 's/.*Shared library: \[\(lib[a-z]*\).*/\1/p'; }

gen_compiles() { # gen_compiles NAME WHAT: gen of $tmp/NAME.wmap into $tmp/NAME; every .c compiles with -Werror
    mkdir -p "$tmp/$1"
    if ./wellosc gen -o "$tmp/$1" "$tmp/$1.wmap" >"$tmp/out" 2>&1; then
        for c in "$tmp/$1"/*.c; do
            cc -std=c11 -Wall -Wextra -Werror -Iruntime -I"$tmp/$1" -c "$c" -o "${c%.c}.o" 2>"$tmp/err" \
                && ok || bad "gen: $(basename "$c") $2: $(head -1 "$tmp/err")"
        done
    else
        bad "gen $2: $(cat "$tmp/out")"
    fi
}

build() { # build TENANT SPEC
    ./wellosc build -o "$tmp/wellos-sync-$1" --tenant "$1" "$2" >"$tmp/out" 2>&1 || { cat "$tmp/out"; return 1; }
}

build eagle_ford examples/eagle_ford.wmap && ok || bad "build eagle_ford"
build bakken_pg examples/bakken_pg.wmap && ok || bad "build bakken_pg"
build texas_energy examples/texas_energy.wmap && ok || bad "build texas_energy (FreeTDS)"
[ "$(needs "$tmp/wellos-sync-eagle_ford" | grep -c 'libmariadb')" = 1 ] && ok || bad "eagle_ford does not link libmariadb"
needs "$tmp/wellos-sync-eagle_ford" | grep -q 'libsybdb' && bad "eagle_ford links FreeTDS" || ok
needs "$tmp/wellos-sync-bakken_pg" | grep -qE 'libmariadb|libsybdb' && bad "bakken_pg links a client it does not need" || ok
needs "$tmp/wellos-sync-bakken_pg" | grep -q 'libpq' && ok || bad "bakken_pg does not link libpq"
needs "$tmp/wellos-sync-texas_energy" | grep -q 'libsybdb' && ok || bad "texas_energy does not link FreeTDS"
needs "$tmp/wellos-sync-texas_energy" | grep -q 'libmariadb' && bad "texas_energy links libmariadb" || ok

"$tmp/wellos-sync-eagle_ford" --version >"$tmp/out" 2>&1
grep -Eq '^wellos-sync-eagle_ford [0-9.]+ spec [0-9a-f]{16}$' "$tmp/out" && ok || bad "--version: $(cat "$tmp/out")"

# a spec with several etl tenants needs --tenant
./wellosc build -o "$tmp/x" examples/eagle_ford.wmap examples/bakken_pg.wmap 2>"$tmp/err"
[ $? -eq 2 ] && grep -q 'choose one with --tenant' "$tmp/err" && ok || bad "several tenants without --tenant"
./wellosc build -o "$tmp/x" examples/permian_ops.wmap 2>"$tmp/err"
[ $? -eq 2 ] && grep -q 'no etl tenant' "$tmp/err" && ok || bad "an adapter-only spec"

# from another directory, installed under a prefix, with a depfile
make -s install DESTDIR="$tmp/stage" PREFIX=/opt/wellos >/dev/null 2>&1 && ok || bad "make install"
(cd "$tmp" && "$tmp/stage/opt/wellos/bin/wellosc" build -o "$tmp/agent" -M "$root/examples/eagle_ford.wmap") \
    && ok || bad "build from an installed prefix, in another directory"
[ -x "$tmp/agent" ] && ok || bad "the installed wellosc wrote no agent"
# introspect finds the runtime's wellos-introspect in the same prefix: it
# runs, and says the DSN's variable is not set
(cd "$tmp" && env -u EAGLE_SOURCE_DSN "$tmp/stage/opt/wellos/bin/wellosc" introspect -o "$tmp/s.json" \
    "$root/examples/eagle_ford.wmap") 2>"$tmp/err"
[ $? -eq 1 ] && grep -q '^wellos-introspect: .*EAGLE_SOURCE_DSN' "$tmp/err" && ok ||
    bad "introspect from an installed prefix: $(cat "$tmp/err")"
# the compiler links no client library (ARCHITECTURE.md); the program that
# reads a catalog does
! ldd "$tmp/stage/opt/wellos/bin/wellosc" | grep -Eq 'libpq|libmariadb|libsybdb' && ok ||
    bad "wellosc links a client library: $(ldd "$tmp/stage/opt/wellos/bin/wellosc" | grep -E 'libpq|libmariadb|libsybdb')"
ldd "$tmp/stage/opt/wellos/lib/wellos/wellos-introspect" | grep -q libpq && ok || bad "wellos-introspect links no libpq"
grep -q "^$tmp/agent: $root/examples/eagle_ford.wmap $root/specs/wellos.wmap\$" "$tmp/agent.d" \
    && ok || bad "depfile: $(head -1 "$tmp/agent.d" 2>/dev/null)"
grep -q "^$root/specs/wellos.wmap:\$" "$tmp/agent.d" && ok || bad "depfile has no phony target for the import"

# a compiler that fails keeps the generated source and says where
CC=false ./wellosc build -o "$tmp/y" examples/eagle_ford.wmap 2>"$tmp/err"
[ $? -eq 1 ] && grep -q 'the generated source is kept in' "$tmp/err" && ok || bad "a failing CC: $(cat "$tmp/err")"
kept=$(sed -n 's/.*the generated source is kept in \(.*\)$/\1/p' "$tmp/err")
[ -n "$kept" ] && [ -f "$kept/eagle_ford_sync.c" ] && ok || bad "no kept source in '$kept'"
case $kept in /tmp/wellosc-build-*|"${TMPDIR:-/tmp}"/wellosc-build-*) rm -rf "$kept" ;; esac

# Client names holding every C trigraph (??= ??( ??/ ??) ??' ??< ??! ??> ??-)
# and runs of '?': the C literals of an agent and of repositories compile
# with -Werror, and the agent holds the SQL of the plan, unchanged.
cat >"$tmp/trigraphs.wmap" <<'SPEC'
entity E table e {
  id    int key
  name  text
}
tenant t {
  strategy etl
  source mysql    dsn env S
  target postgres dsn env T
  sync E from `a??/b??=c` {
    id   <- `x??(y??)z??'`
    name <- `w??<v??!u??>t??-???-`
  }
}
tenant ad {
  strategy adapter
  database postgres dsn env A
  map E to `p??/q` {
    id   <-> `r??=s`
    name <-> `???/`
  }
}
SPEC
if build t "$tmp/trigraphs.wmap"; then
    ok
    extract=$(./wellosc plan "$tmp/trigraphs.wmap" | grep -A1 '^-- \[source mysql\] extract' | sed -n '2s/;$//p')
    [ -n "$extract" ] && grep -qaF -- "$extract" "$tmp/wellos-sync-t" && ok \
        || bad "the agent does not hold the extract of the plan: '$extract'"
else
    bad "build of names holding trigraphs"
fi
gen_compiles trigraphs "with names holding trigraphs"

# A spec with nothing in it is valid, and so is what gen makes of it: the
# factory with no tenant compiles (found by the fuzz target's corpus).
printf '# nothing yet\n' >"$tmp/empty.wmap"
gen_compiles empty "of an empty spec"

# A password in a DSN never reaches the binary, and never an output line:
# the DSN is read at run time, and every message is masked.
secret='s3cr3t-PASS-9q7w'
EAGLE_SOURCE_DSN="host=127.0.0.1 port=1 user=u password=$secret dbname=x connect_timeout=2" \
EAGLE_TARGET_DSN="host=127.0.0.1 port=1 user=u password=$secret dbname=x connect_timeout=2" \
    ./wellosc build -o "$tmp/with-env" examples/eagle_ford.wmap >/dev/null 2>&1 && ok || bad "build with a DSN in the environment"
strings "$tmp/with-env" | grep -q "$secret" && bad "the password is in the agent binary" || ok
EAGLE_SOURCE_DSN="host=127.0.0.1 port=1 user=u password=$secret dbname=x connect_timeout=2" \
EAGLE_TARGET_DSN="postgresql://u:$secret@127.0.0.1:1/x?connect_timeout=2" \
    "$tmp/with-env" --check >"$tmp/out" 2>&1
[ $? -ne 0 ] && ok || bad "--check against closed ports succeeded"
grep -q "$secret" "$tmp/out" && bad "the password is in --check's output: $(grep "$secret" "$tmp/out" | head -1)" || ok
grep -rq "$secret" generated/ && bad "a password in generated/" || ok

if [ -n "${WELLOS_TEST_MSSQL_DSN:-}" ]; then
    TEXAS_SOURCE_DSN=$WELLOS_TEST_MSSQL_DSN TEXAS_TARGET_DSN=${WELLOS_TEST_PG_DSN:-} \
        "$tmp/wellos-sync-texas_energy" --check && ok || bad "texas_energy --check against SQL Server"
else
    echo "build: skipped: no SQL Server (set WELLOS_TEST_MSSQL_DSN to run the texas_energy agent against one)"
fi
echo "build: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
