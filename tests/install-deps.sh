#!/usr/bin/env bash
# tests/install-deps.sh [GROUP...] - install the Debian packages the build
# and the tests need, only those missing.  Groups: build (default): the
# compiler, the runtime and its client libraries; servers: PostgreSQL 15
# and MariaDB for the integration tests (and openssl, for their TLS
# certificates); fuzz: clang and libFuzzer; sqlcheck:
# Node.js and npm for the T-SQL and PL/SQL syntax check; deploy: the same
# and systemd (its systemd-analyze verify) for the generated manifests.
# Run as root on Debian 12; otherwise it prints the command to run.
set -eu
declare -A need=(
    [build]="make gcc re2c bison libcunit1-dev groff-base libpq-dev default-libmysqlclient-dev freetds-dev libjansson-dev libxxhash-dev"
    [servers]="postgresql-15 postgresql-client-15 mariadb-server mariadb-client openssl"
    [fuzz]="clang libclang-rt-14-dev"
    [sqlcheck]="nodejs npm"
    [deploy]="nodejs npm systemd"
)
groups=${*:-build}
missing=()
for g in $groups; do
    for pkg in ${need[$g]}; do
        # a Node.js that did not come from Debian (with its own npm) will do
        case $pkg in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: not root; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
