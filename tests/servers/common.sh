# tests/servers/common.sh - shared by pg.sh and mariadb.sh: a free loopback
# port and waiting for a server to answer.

# A port nobody listens on, picked at random so parallel runs do not meet.
# It is taken below the kernel's ephemeral range: a port in that range can
# be bound at any moment as the local end of some client's connection, which
# no probe sees in advance (CI once lost a run that way).  The caller still
# retries with another port when the server cannot bind it.
free_port() {
    local low=32768 high port
    read -r low high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
    [ "$low" -gt 12000 ] || low=62000   # no room below: use 10000-61999
    for _ in $(seq 1 50); do
        port=$((10000 + RANDOM % (low - 10000)))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "no free port found" >&2
    return 1
}

# The number of times a server's start is tried on a new port when the one
# picked turns out to be taken.
START_TRIES=5

# wait_for SECONDS COMMAND...: retry COMMAND until it succeeds.
wait_for() {
    local seconds=$1; shift
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.2
    done
}
