#!/usr/bin/env bash
# tests/ddl/run.sh - every generated DDL file that has a server here is
# applied to that server, twice where it is meant to be idempotent:
# ddl_postgres.sql and the PostgreSQL adapters' schemas on PostgreSQL 15,
# ddl_mysql.sql and the MySQL adapters' schemas on MariaDB.  (SQL Server and
# Oracle DDL is syntax-checked by tests/sqlcheck.)
set -u
cd "$(dirname "$0")/../.."
here=$(pwd)
tmp=$(mktemp -d)
pass=0 fail=0
cleanup() {
    bash "$here/tests/servers/pg.sh" stop "$tmp/pg" >/dev/null 2>&1
    bash "$here/tests/servers/mariadb.sh" stop "$tmp/my" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
bash tests/servers/pg.sh start "$tmp/pg" >/dev/null || exit 1
bash tests/servers/mariadb.sh start "$tmp/my" >/dev/null || exit 1
. "$tmp/pg/env"
. "$tmp/my/env"

check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@" >"$tmp/out" 2>&1; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; head -5 "$tmp/out"; fi
}
pg() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$2"; }
my() { mariadb --no-defaults -uroot "$1" <"$2"; }

n=0
for dir in generated/*/; do
    n=$((n + 1))
    db=ddl$n
    psql -X -q -c "CREATE DATABASE $db" >/dev/null
    check "$dir ddl_postgres.sql" pg "$db" "$dir/ddl_postgres.sql"
    check "$dir ddl_postgres.sql again (idempotent)" pg "$db" "$dir/ddl_postgres.sql"
    mariadb --no-defaults -uroot -e "CREATE DATABASE $db"
    check "$dir ddl_mysql.sql" my "$db" "$dir/ddl_mysql.sql"
    check "$dir ddl_mysql.sql again (idempotent)" my "$db" "$dir/ddl_mysql.sql"
    for schema in "$dir"*_schema.sql; do
        [ -e "$schema" ] || continue
        if grep -q '(postgres)' "$schema"; then
            adb=${db}_adapter
            psql -X -q -c "CREATE DATABASE $adb" >/dev/null
            for s in $(grep -o 'CREATE TABLE "[^"]*"\.' "$schema" | sed 's/CREATE TABLE "\([^"]*\)"\./\1/' | sort -u); do
                psql -X -q -d "$adb" -c "CREATE SCHEMA IF NOT EXISTS \"$s\"" >/dev/null
            done
            check "$schema on PostgreSQL" pg "$adb" "$schema"
        elif grep -q '(mysql)' "$schema"; then
            adb=${db}_adapter
            mariadb --no-defaults -uroot -e "CREATE DATABASE $adb"
            check "$schema on MariaDB" my "$adb" "$schema"
        fi
    done
done
# The constraints are real: a status outside the enum and a latitude out of
# range are refused by the canonical tables.
check "enum CHECK holds" bash -c "! psql -X -q -d ddl1 -c \"INSERT INTO wells (id, name, status) VALUES (gen_random_uuid(), 'x', 'BOGUS')\""
check "range CHECK holds" bash -c "! psql -X -q -d ddl1 -c \"INSERT INTO wells (id, name, status, latitude) VALUES (gen_random_uuid(), 'x', 'ACTIVE', 91)\""
check "foreign key holds" bash -c "! psql -X -q -d ddl1 -c \"INSERT INTO production_data (id, well_id, date) VALUES (1, gen_random_uuid(), '2024-01-01')\""
check "MariaDB enum CHECK holds" bash -c "! mariadb --no-defaults -uroot ddl1 -e \"INSERT INTO wells (id, name, status) VALUES (UUID(), 'x', 'BOGUS')\""

# A string literal keeps its backslashes and quotes: MariaDB reads '\t' as a
# tab, and so does PostgreSQL with standard_conforming_strings off (an old
# application's setting, here for the whole session).
cat >"$tmp/literals.wmap" <<'SPEC'
entity Note table notes {
  id    bigint key
  path  text(60) default "C:\\temp\\new 'x' \\\\server\\"
}
SPEC
want='C:\temp\new '"'"'x'"'"' \\server\'
./wellosc gen -o "$tmp/literals" "$tmp/literals.wmap" >/dev/null
psql -X -q -c "CREATE DATABASE literals" >/dev/null
mariadb --no-defaults -uroot -e "CREATE DATABASE literals"
check "a default with backslashes and quotes, PostgreSQL (standard_conforming_strings off)" \
    env PGOPTIONS="-c standard_conforming_strings=off -c escape_string_warning=off" \
    psql -X -q -v ON_ERROR_STOP=1 -d literals -f "$tmp/literals/ddl_postgres.sql" \
         -c "INSERT INTO notes (id) VALUES (1)"
got=$(psql -X -A -t -d literals -c "SELECT path FROM notes")
check "... reads back as written: [$got]" test "$got" = "$want"
check "a default with backslashes and quotes, MariaDB" my literals "$tmp/literals/ddl_mysql.sql"
mariadb --no-defaults -uroot literals -e "INSERT INTO notes (id) VALUES (1)"
got=$(mariadb --no-defaults -uroot -N -B -r literals -e "SELECT path FROM notes")
check "... reads back as written: [$got]" test "$got" = "$want"
echo "ddl: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
