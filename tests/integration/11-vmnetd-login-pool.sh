#!/usr/bin/env bash
# login_pool: vmnetd makes login links ahead (the student's end named
# vmnwN, both ends up, the bridge end's port closed: it learns nothing and
# gets no flooded frame); a login takes one, renamed, its port open and
# forwarding, each student their own, and the pool fills again.  kill -9 and a restart adopt the pool as it is; a link a crash
# left half handed out (renamed, not written down) goes; a reload with a
# smaller login_pool trims it; --down leaves nothing.
. "$(dirname "$0")/../lib/world.sh"
world_enter "$@"
CTL=$BUILD/tests/tools/vmnetctl

for i in 1 2 3; do world_add_user "stu$i" "6100$i"; done
world_config uplink=isolated login_pool=3 > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"

# pool_links: the pool's student ends, "NAME IFINDEX" a line, sorted
pool_links() {
        local f
        for f in /sys/class/net/vmnw*; do
                [ -e "$f" ] && echo "$(basename "$f") $(cat "$f/ifindex")"
        done | sort
}
pool_count() { pool_links | grep -c . || true; }
pool_is() { [ "$(pool_count)" = "$1" ]; }
wait_until 10 pool_is 3 || fail "the pool has $(pool_count) links, not 3: $(ip -o link show)"
# port_open PORT: its learning and flooding flags, "1 1 1 1" when open,
# "1 1 0 0" closed (no broadcast or multicast flooded to it)
port_open() {
        local f
        for f in learning unicast_flood multicast_flood broadcast_flood; do
                cat "/sys/class/net/$1/brport/$f"
        done | paste -sd' '
}
while read -r name ifindex; do
        expect_eq "$name up" 1 $(( $(printf '%d' "$(cat "/sys/class/net/$name/flags")") & 1 ))
        peer=$(login_peer "$name") || fail "$name is not a veth pair"
        expect_eq "$name's bridge end's bridge" vmnet0 "$(basename "$(readlink "/sys/class/net/$peer/master")")"
        expect_eq "$name's bridge end's carrier" 1 "$(cat "/sys/class/net/$peer/carrier")"
        expect_eq "$name's port closed" "1 1 0 0" "$(port_open "$peer")"
done < <(pool_links)

hold() { # hold USER: a session whose opener stays
        "$CTL" hold "$1" 300 > "$W/hold.$1" &
        WORLD_PIDS+=("$!")
        wait_until 5 test -s "$W/hold.$1" || fail "no answer to OPEN for $1"
}
# each login takes one of the pool's links, its own (the pool full
# before each: nothing is being made ahead while the login runs)
for i in 1 2 3; do
        wait_until 10 pool_is 3 || fail "the pool was not filled again: $(pool_count) links"
        pool_ifindexes=$(pool_links | cut -d' ' -f2)
        hold "stu$i"
        link=$(cat "$W/hold.stu$i")
        expect_eq "stu$i's link" "tap-stu$i" "$link"
        ifindex=$(cat "/sys/class/net/$link/ifindex")
        grep -qx "$ifindex" <<< "$pool_ifindexes" || fail "$link (ifindex $ifindex) is not one made ahead"
        wait_until 5 login_link_is_forwarding "$link" || fail "$link is not forwarding"
        expect_eq "$link's port open" "1 1 1 1" "$(port_open "$(login_peer "$link")")"
        taken+=("$ifindex")
done
expect_eq "links handed out, each to one student" 3 "$(printf '%s\n' "${taken[@]}" | sort -u | grep -c .)"
wait_until 10 pool_is 3 || fail "the pool was not filled again: $(pool_count) links"

# kill -9, and a restart: the pool is taken back as it is
kill -KILL "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true
before=$(pool_links)
world_start_vmnetd "$W/vmnet.conf"
sleep 0.5
expect_eq "the pool after a restart" "$before" "$(pool_links)"
for i in 1 2 3; do
        runuser -u "stu$i" -- "$CTL" status | grep -q "^tap tap-stu$i login" || fail "stu$i's link was not adopted"
done

# a link renamed by a login that vmnetd did not live to write down goes
# at the next start, and its bridge end with it
kill -KILL "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true
half=$(pool_links | head -n 1 | cut -d' ' -f1)
half_peer=$(login_peer "$half")
half_peer_ifindex=$(cat "/sys/class/net/$half_peer/ifindex")
ip link set "$half" down # a kernel before 6.2 renames no link that is up
ip link set "$half" name tap-stu9 up
world_start_vmnetd "$W/vmnet.conf"
wait_until 5 test ! -e /sys/class/net/tap-stu9 || fail "the half handed out link stayed"
# by ifindex: the refilled pool may have given its name to a new link
[ -z "$(ip -o link show | awk -v i="$half_peer_ifindex:" '$1 == i')" ] || fail "its bridge end $half_peer stayed"
wait_until 10 pool_is 3 || fail "the pool was not filled again after the restart: $(pool_count) links"

# a reload with a smaller pool trims it; the students keep their links
sed -i 's/^login_pool = 3$/login_pool = 1/' "$W/vmnet.conf"
grep -q '^login_pool = 1$' "$W/vmnet.conf" || fail "the test did not change login_pool"
kill -HUP "$VMNETD_PID"
wait_until 5 pool_is 1 || fail "the reload left $(pool_count) links in the pool"
for i in 1 2 3; do [ -e "/sys/class/net/tap-stu$i" ] || fail "the reload took tap-stu$i"; done

# --down after SIGTERM: nothing of vmnetd's is left, the pool included
kill -TERM "$VMNETD_PID"
wait_until 5 sh -c "! kill -0 $VMNETD_PID" || fail "vmnetd ignored SIGTERM"
[ "$(pool_count)" = 1 ] || fail "SIGTERM did not keep the pool for the next vmnetd"
"$VMNETD" -c "$W/vmnet.conf" --down
left=$(ip -o link show | grep -E 'vmnet0|tap-|vmnp|vmnw' || true)
[ -z "$left" ] || fail "--down left: $left"
echo ok
