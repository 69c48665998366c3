#!/usr/bin/env bash
# Names never blink (issue 17): while a DHCP client renews its lease again
# and again (busybox udhcpc, SIGUSR1: renew), and while dnsmasq is killed and
# restarted by vmnetd (the new one tells the names program of every lease
# again, without what the guests said), a process that keeps resolving the
# client's name through glibc never sees it missing, nor another address.
# dnsmasq runs the names program for each renewal (script-on-renewal): the
# snapshot's generation grows, and the lease's expiry in it follows.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"

command -v busybox >/dev/null || skip "busybox (udhcpc) is missing"
world_config uplink=isolated lease_time=120 > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"
# (a first lease, so that the namespace and its script exist)
lease=$(world_dhcp_lease steady) || fail "no first lease"

# the snapshot's generation, and the expiry of its first entry (the header
# is 120 bytes: common/hosts_snapshot.h)
generation() { od -An -tu8 -j24 -N8 /run/vmnet/hosts | tr -d ' '; }
first_expiry() { od -An -td8 -j120 -N8 /run/vmnet/hosts | tr -d ' '; }

# The client stays, renewing on SIGUSR1.
world_spawn ip netns exec dhcpc busybox udhcpc -f -i vc1 -t 5 -T 1 -s "$W/dhcpc.sh" -x hostname:steady
client=$SPAWNED
wait_until 10 test "$(addr_of steady.lab)" = "$lease" || fail "steady.lab does not give $lease"

# The watcher: resolves steady.lab through glibc for 15 s, and counts the
# answers that were not $lease (bounded: 15 s whatever happens).
watch_names() {
        local end=$(( $(date +%s) + 15 )) good=0 bad=0 got
        while [ "$(date +%s)" -lt "$end" ]; do
                got=$(getent hosts steady.lab | awk '{ print $1 }') || got=missing
                if [ "$got" = "$lease" ]; then good=$((good + 1)); else bad=$((bad + 1)); echo "$got" >> "$W/blinks"; fi
        done
        echo "$good $bad" > "$W/watched"
}
: > "$W/blinks"
watch_names &
watcher=$!
WORLD_PIDS+=("$watcher")

g0=$(generation) e0=$(first_expiry)
sleep 1.1 # a renewal a second later: a later expiry
for _ in $(seq 20); do
        kill -USR1 "$(pgrep -f "udhcpc -f -i vc1" | head -n 1)" 2>/dev/null || fail "the DHCP client is gone"
        sleep 0.25
done
g_renewed=$(generation)
(( g_renewed > g0 )) || fail "no renewal reached the names program (generation $g0, then $g_renewed)"
(( $(first_expiry) > e0 )) || fail "the lease's expiry did not follow its renewals ($e0, then $(first_expiry))"
log "20 renewals: the snapshot went from generation $g0 to $g_renewed, expiry $e0 to $(first_expiry)"
# dnsmasq dies; vmnetd starts another, which calls the names program for
# every lease again (without the names: DNSMASQ_DATA_MISSING)
kill -KILL "$(cat /run/vmnet/dnsmasq.pid)"
# shellcheck disable=SC2016 # expanded by sh -c
wait_until 10 sh -c '[ -s /run/vmnet/dnsmasq.pid ] && kill -0 "$(cat /run/vmnet/dnsmasq.pid)"' ||
        fail "dnsmasq was not restarted"
for _ in $(seq 8); do
        kill -USR1 "$(pgrep -f "udhcpc -f -i vc1" | head -n 1)" 2>/dev/null || fail "the DHCP client is gone"
        sleep 0.25
done
wait "$watcher" || true
read -r good bad < "$W/watched"
log "the watcher resolved steady.lab $good times as $lease, $bad times otherwise"
(( good > 100 )) || fail "the watcher resolved only $good times: it proves nothing"
[ "$bad" = 0 ] || fail "steady.lab blinked $bad times: $(sort "$W/blinks" | uniq -c | tr '\n' ' ')"
kill -TERM "$client" 2>/dev/null || true
log "PASS"
