#!/usr/bin/env bash
# tests/install-deps.sh [GROUP...] - install the Debian packages the build
# and the tests need, only those missing.  Groups: build (default), fuzz.
# Run as root on Debian 12; otherwise it prints the command to run.
set -eu
declare -A need=(
    [build]="make gcc re2c bison libcunit1-dev groff-base"
    [fuzz]="clang libclang-rt-14-dev"
)
groups=${*:-build}
missing=()
for g in $groups; do
    for pkg in ${need[$g]}; do
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
