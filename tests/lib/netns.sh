# shellcheck shell=bash
# A student's own network namespace for a test (unshare -rn, as a student
# makes one), inside the world (world.sh):
#   ns_start alice               # held by a sleep; its pid in $NS_PID
#   in_ns "$NS_PID" ip link      # a command as the namespace's owner, inside it

# ns_start USER: a network namespace of USER's own (unshare -rn), held by
# a sleep whose pid is then in $NS_PID (ended at exit, or by kill).
ns_start() {
        world_spawn runuser -u "$1" -- unshare -rn sleep 600
        ns_holder() { pgrep -P "$SPAWNED" -x sleep || { [ "$(cat "/proc/$SPAWNED/comm")" = sleep ] && echo "$SPAWNED"; }; }
        wait_until 5 ns_holder || fail "$1's namespace holder did not start"
        NS_PID=$(ns_holder)
        WORLD_PIDS+=("$NS_PID")
}

# in_ns PID CMD...: CMD as the namespace's owner, inside it.
in_ns() {
        local pid=$1 owner
        shift
        owner=$(stat -c %U "/proc/$pid")
        runuser -u "$owner" -- nsenter --preserve-credentials -U -n -t "$pid" "$@"
}
