#!/usr/bin/env bash
# tests/deploy/run.sh WELLOSC - the manifests `wellosc gen` writes to run an
# etl tenant's agent (emit_deploy.c): the Kubernetes ones parsed and
# validated against Kubernetes' schema (check.js, with its self-test), the
# systemd units checked by systemd-analyze verify, for generated/ and for
# tenants of every kind of interval.  No cluster and no systemd instance
# is involved.  Run from the repository root.
set -u
wellosc=${1:-./wellosc}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

node tests/deploy/check.js --self-test >"$tmp/self" 2>&1 && ok || bad "check.js self-test: $(cat "$tmp/self")"
tail -1 "$tmp/self"
node tests/deploy/check.js >"$tmp/gen" 2>&1 && ok || bad "generated/: $(cat "$tmp/gen")"
tail -1 "$tmp/gen"

# One tenant per kind of interval; cron says some, a Deployment the rest.
intervals="1_minute:1 minute 15_minutes:15 minutes 45_minutes:45 minutes 2_hours:2 hours 5_hours:5 hours
           1_day:1 day 2_days:2 days"
{
    echo "import \"$PWD/specs/wellos.wmap\""
    IFS=$'\n'
    for line in $(echo "$intervals" | sed 's/ \([0-9]*_[a-z]*:\)/\n\1/g' | sed 's/^ *//'); do
        id=${line%%:*} every=${line#*:}
        printf 'tenant every_%s {\n  strategy etl\n  source mysql dsn env E%s_SOURCE_DSN\n' "$id" "$id"
        printf '  target postgres dsn env E%s_TARGET_DSN\n  every %s\n' "$id" "$every"
        printf '  sync Well from w { id <- i  name <- n  status <- s map { "A" => ACTIVE } else keep }\n}\n'
    done
    # the longest tenant name there can be (63 bytes): its object name is cut and hashed
    long=T$(printf 'x%.0s' $(seq 1 62))
    printf 'tenant %s {\n  strategy etl\n  source sqlserver dsn env LONG_SOURCE_DSN\n' "$long"
    printf '  target postgres dsn env LONG_TARGET_DSN\n'
    printf '  sync Well from w { id <- i  name <- n  status <- s map { "A" => ACTIVE } else keep }\n}\n'
} >"$tmp/every.wmap"
"$wellosc" gen -o "$tmp/every" "$tmp/every.wmap" >"$tmp/err" 2>&1 || bad "gen of the interval tenants: $(head -3 "$tmp/err")"
node tests/deploy/check.js "$tmp/every" >"$tmp/out" 2>&1 && ok || bad "the interval tenants: $(cat "$tmp/out")"
grep -q '^deploy-check: 8 Kubernetes manifests parsed and validated, 0 with problems$' "$tmp/out" && ok ||
    bad "expected 8 manifests: $(tail -1 "$tmp/out")"
kind_of() { sed -n 's/^kind: //p' "$tmp/every/every_$1_kubernetes.yaml"; }
for c in 1_minute 15_minutes 2_hours 1_day; do [ "$(kind_of "$c")" = CronJob ] && ok || bad "every $c: $(kind_of "$c"), not a CronJob"; done
for d in 45_minutes 5_hours 2_days; do [ "$(kind_of "$d")" = Deployment ] && ok || bad "every $d: $(kind_of "$d"), not a Deployment"; done
grep -q '^  schedule: "[0-9]* [0-9]-23/2 \* \* \*"' "$tmp/every/every_2_hours_kubernetes.yaml" && ok || bad "every 2 hours: $(grep schedule "$tmp/every/every_2_hours_kubernetes.yaml")"
grep -q '^OnUnitInactiveSec=2880min$' "$tmp/every/wellos-sync-every_2_days.timer" && ok || bad "every 2 days: timer $(grep OnUnit "$tmp/every/wellos-sync-every_2_days.timer")"
name=$(sed -n 's/^  name: //p' "$tmp/every/${long}_kubernetes.yaml")
[ ${#name} -le 52 ] && [[ $name =~ ^wellos-sync-txxx.*-[0-9a-f]{8}$ ]] && ok || bad "a long tenant's object name: '$name'"
# Two tenants start at different minutes (the offset is the tenant's own).
m15=$(sed -n 's/^  schedule: "\([0-9]*\)-59.*/\1/p' "$tmp/every/every_15_minutes_kubernetes.yaml")
m1=$(sed -n 's/^  schedule: "\([0-9]*\)-59.*/\1/p' generated/lone_star/lone_star_kubernetes.yaml)
[ -n "$m15" ] && [ -n "$m1" ] && [ "$m15" != "$m1" ] && ok || bad "two tenants' offsets: '$m15' and '$m1'"

# systemd: the only complaint allowed is the agent's binary, which is not
# installed here.
verify() {   # UNIT...: systemd-analyze verify, the binary's absence filtered out
    systemd-analyze verify "$@" 2>&1 | grep -v ': Command /usr/local/bin/wellos-sync-[A-Za-z0-9_]* is not executable: No such file or directory$'
}
units=$(ls generated/*/wellos-sync-*.service generated/*/wellos-sync-*.timer "$tmp"/every/wellos-sync-*.service "$tmp"/every/wellos-sync-*.timer)
n_units=$(echo "$units" | wc -l)
out=$(verify $units)
[ -z "$out" ] && ok || bad "systemd-analyze verify: $out"
[ "$n_units" -eq 24 ] && ok || bad "expected 24 units, found $n_units"
# ...and it does complain about a broken one.
sed 's/^OnUnitInactiveSec=15min$/OnUnitInactiveSec=15 fortnights/' generated/lone_star/wellos-sync-lone_star.timer >"$tmp/wellos-sync-lone_star.timer"
cp generated/lone_star/wellos-sync-lone_star.service "$tmp/"
verify "$tmp/wellos-sync-lone_star.service" "$tmp/wellos-sync-lone_star.timer" | grep -q 'Failed to parse' && ok ||
    bad "systemd-analyze verify accepted a broken timer"
echo "systemd: $n_units units verified"

echo "deploy: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
