#!/usr/bin/env bash
# Names never blink (issue 17): while a DHCP client renews its lease again
# and again (busybox udhcpc, SIGUSR1: renew), and while dnsmasq is killed and
# restarted by vmnetd (the new one tells the names program of every lease
# again, without what the guests said), a process that keeps resolving the
# client's name through glibc never sees it missing, nor another address.
# dnsmasq runs the names program for each renewal (script-on-renewal): the
# snapshot's generation grows, and the lease's expiry in it follows.
# What did not change is not written (issue 17, names at once): renewals
# leave dnsmasq's records (run_dir/dns/hosts-*, which it rereads on every
# replace) as they are, and dnsmasq's restart, which tells every lease
# again with nothing new, rewrites neither the snapshot nor those records.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"

command -v busybox >/dev/null || skip "busybox (udhcpc) is missing"
world_config uplink=isolated lease_time=120 > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"
# (a first lease, so that the namespace and its script exist)
lease=$(world_dhcp_lease steady) || fail "no first lease"

# the snapshot's generation, and the expiry of its first entry (at the
# header's entries_offset, a 32-bit word at byte 40: common/hosts_snapshot.h)
generation() { od -An -tu8 -j24 -N8 /run/vmnet/hosts | tr -d ' '; }
first_expiry() {
        local at
        at=$(od -An -tu4 -j40 -N4 /run/vmnet/hosts | tr -d ' ')
        od -An -td8 -j"$at" -N8 /run/vmnet/hosts | tr -d ' '
}
records() { stat -c %i /run/vmnet/dns/hosts-* | tr '\n' ' '; }
renew() {
        kill -USR1 "$(pgrep -f "udhcpc -f -i vc1" | head -n 1)" 2>/dev/null || fail "the DHCP client is gone"
}

# The client stays, renewing on SIGUSR1.
world_spawn ip netns exec dhcpc busybox udhcpc -f -i vc1 -t 5 -T 1 -s "$W/dhcpc.sh" -x hostname:steady
client=$SPAWNED
wait_until 10 resolves_to steady.lab "$lease" || fail "steady.lab does not give $lease"

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

g0=$(generation) e0=$(first_expiry) r0=$(records)
sleep 1.1 # a renewal a second later: a later expiry
for _ in $(seq 20); do
        renew
        sleep 0.25
done
g_renewed=$(generation)
(( g_renewed > g0 )) || fail "no renewal reached the names program (generation $g0, then $g_renewed)"
(( $(first_expiry) > e0 )) || fail "the lease's expiry did not follow its renewals ($e0, then $(first_expiry))"
[ "$(records)" = "$r0" ] || fail "a renewal rewrote dnsmasq's records (run_dir/dns/hosts-*), which it did not change"
log "20 renewals: the snapshot went from generation $g0 to $g_renewed, expiry $e0 to $(first_expiry)"
# held still: the names program is done with the last renewal
held() { local g; g=$(generation); sleep 1; [ "$(generation)" = "$g" ]; }
wait_until 3 held || fail "the snapshot kept changing after the renewals"
g1=$(generation)
# dnsmasq dies; vmnetd starts another, which calls the names program for
# every lease again (without the names: DNSMASQ_DATA_MISSING)
kill -KILL "$(cat /run/vmnet/dnsmasq.pid)"
# shellcheck disable=SC2016 # expanded by sh -c
wait_until 10 sh -c '[ -s /run/vmnet/dnsmasq.pid ] && kill -0 "$(cat /run/vmnet/dnsmasq.pid)"' ||
        fail "dnsmasq was not restarted"
# dnsmasq runs its scripts one at a time, its start's first: once a
# renewal a second later shows (one generation more), the start's "old"
# for the lease is done, and it changed nothing
sleep 1.1
renew
changed_from() { [ "$(generation)" != "$1" ]; }
wait_until 10 changed_from "$g1" ||
        fail "the renewal after dnsmasq's restart did not reach the names program"
g2=$(generation)
[ "$g2" = $(( g1 + 1 )) ] ||
        fail "dnsmasq's restart rewrote the snapshot with nothing new (generation $g1, then $g2 after one renewal)"
[ "$(records)" = "$r0" ] || fail "dnsmasq's restart rewrote its records (run_dir/dns/hosts-*) with nothing new"
log "dnsmasq's restart: the snapshot went from generation $g1 to $g2 with one renewal after it; records untouched"
for _ in $(seq 8); do
        renew
        sleep 0.25
done
wait "$watcher" || true
read -r good bad < "$W/watched"
log "the watcher resolved steady.lab $good times as $lease, $bad times otherwise"
(( good > 100 )) || fail "the watcher resolved only $good times: it proves nothing"
[ "$bad" = 0 ] || fail "steady.lab blinked $bad times: $(sort "$W/blinks" | uniq -c | tr '\n' ' ')"
kill -TERM "$client" 2>/dev/null || true
log "PASS"
