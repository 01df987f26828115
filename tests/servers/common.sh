# tests/servers/common.sh - shared by pg.sh and mariadb.sh: a free loopback
# port and waiting for a server to answer.

# A port nobody listens on, picked at random so parallel runs do not meet.
free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "no free port found" >&2
    return 1
}

# wait_for SECONDS COMMAND...: retry COMMAND until it succeeds.
wait_for() {
    local seconds=$1; shift
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.2
    done
}
