#!/usr/bin/env bash
# vmnetd's life cycle: kill -9 and a restart adopt the bridge, the live taps
# (forwarding again) and the sessions (still watched: the tap goes when the
# opener dies), and remove what no session owns; SIGHUP reloads and keeps
# sessions, a bad file keeps the old config; SIGTERM keeps live taps;
# dnsmasq is restarted when it dies; --down leaves a clean namespace.
. "$(dirname "$0")/../lib/world.sh"
world_enter "$@"
CTL=$BUILD/tests/tools/vmnetctl

world_add_user stu1 61001
world_add_user stu2 61002
world_add_user stu3 61003
world_config uplink=isolated max_taps=4 > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"

hold() { # hold USER: a session whose opener stays; its pid in $HELD
        "$CTL" hold "$1" 300 > "$W/hold.$1" &
        HELD=$!
        WORLD_PIDS+=("$HELD")
        wait_until 5 test -s "$W/hold.$1" || fail "no answer to OPEN for $1"
}
state_inode=$(stat -c %i /run/vmnet/state)
hold stu1; P1=$HELD
hold stu2; P2=$HELD
runuser -u stu1 -- "$CTL" tap-add >/dev/null     # tap-stu1+1, persistent, stu1 lives
"$CTL" hold stu3 300 > "$W/hold.stu3" &
P3=$!
wait_until 5 test -s "$W/hold.stu3" || fail "no tap for stu3"
runuser -u stu3 -- "$CTL" tap-add >/dev/null     # tap-stu3+1, whose owner's session dies below

# kill -9: the login links stay, and keep forwarding while vmnetd is away
kill -KILL "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true
dnsmasq_pid=$(cat /run/vmnet/dnsmasq.pid)
[ -e /sys/class/net/tap-stu1 ] || fail "kill -9 lost tap-stu1"
login_link_is_forwarding tap-stu1 || fail "tap-stu1 stopped forwarding when vmnetd died"
# logins appended to the state (its journal), not rewritten it; a crash
# may cut the last record short: that one is skipped, never applied (this
# one would drop stu1's live session)
expect_eq "the state file after logins" "$state_inode" "$(stat -c %i /run/vmnet/state)"
grep -q "^student stu1 " /run/vmnet/state || fail "stu1 is not in the state"
printf -- '-student stu1' >> /run/vmnet/state
# while vmnetd was away, stu3's session ended
kill -KILL "$P3"; wait "$P3" 2>/dev/null || true
# a tap of vmnet's naming that no session owns (an orphan), and the admin's
# own taps on the bridge (never vmnet's to delete)
world_add_user stu4 61004
ip tuntap add dev tap-stu4+1 mode tap user 61004
ip link set tap-stu4+1 master vmnet0
ip tuntap add dev adm-tap0 mode tap user 61004
ip link set adm-tap0 master vmnet0
ip link add adm-veth0 type veth peer name adm-veth1
ip link set adm-veth0 master vmnet0

world_start_vmnetd "$W/vmnet.conf"
for t in tap-stu1 tap-stu2 tap-stu1+1; do
        [ -e "/sys/class/net/$t" ] || fail "restart lost $t"
done
wait_until 5 login_link_is_forwarding tap-stu1 || fail "tap-stu1 is not forwarding after the restart"
wait_until 3 test ! -e /sys/class/net/tap-stu3 || fail "tap-stu3 (session gone) was kept"
wait_until 3 test ! -e /sys/class/net/tap-stu3+1 || fail "tap-stu3+1 (session gone) was kept"
wait_until 3 test ! -e /sys/class/net/tap-stu4+1 || fail "an orphan tap was kept"
[ -e /sys/class/net/adm-tap0 ] || fail "vmnetd deleted the admin's tap adm-tap0"
[ -e /sys/class/net/adm-veth0 ] || fail "vmnetd deleted the admin's veth adm-veth0"
wait_until 3 sh -c "! kill -0 $dnsmasq_pid 2>/dev/null" || fail "the dnsmasq of the killed vmnetd still runs"
# adopted sessions are still watched
kill -KILL "$P2"; wait "$P2" 2>/dev/null || true
wait_until 3 test ! -e /sys/class/net/tap-stu2 || fail "an adopted session's death left its tap"

# SIGHUP: a bad file is refused and the old config stays; a good one is taken
echo "max_taps = many" >> "$W/vmnet.conf"
kill -HUP "$VMNETD_PID"
sleep 0.5
kill -0 "$VMNETD_PID" || fail "vmnetd died on a bad reload"
runuser -u stu1 -- "$CTL" status | grep -q "max_taps 4" || fail "a bad reload changed the config"
sed -i '/max_taps/d' "$W/vmnet.conf"
echo "max_taps = 2" >> "$W/vmnet.conf"
kill -HUP "$VMNETD_PID"
wait_until 3 sh -c "runuser -u stu1 -- '$CTL' status | grep -q 'max_taps 2'" || fail "reload not applied"
[ -e /sys/class/net/tap-stu1 ] || fail "reload dropped a session"
rc=0; runuser -u stu1 -- "$CTL" tap-add >/dev/null || rc=$?
expect_eq "new max_taps applies" $((10 + 2)) "$rc"

# dnsmasq dies: restarted (the reload restarted it: its pid file comes back first)
# shellcheck disable=SC2016 # expanded by sh -c
wait_until 5 sh -c '[ -s /run/vmnet/dnsmasq.pid ] && kill -0 "$(cat /run/vmnet/dnsmasq.pid)"' ||
        fail "no dnsmasq after the reload"
old=$(cat /run/vmnet/dnsmasq.pid)
kill -KILL "$old"
wait_until 5 sh -c "[ -s /run/vmnet/dnsmasq.pid ] && [ \"\$(cat /run/vmnet/dnsmasq.pid)\" != $old ] && kill -0 \$(cat /run/vmnet/dnsmasq.pid)" ||
        fail "dnsmasq was not restarted"
restarted=$(cat /run/vmnet/dnsmasq.pid)

# SIGTERM keeps live taps
kill -TERM "$VMNETD_PID"
wait_until 5 sh -c "! kill -0 $VMNETD_PID" || fail "vmnetd ignored SIGTERM"
[ -e /sys/class/net/tap-stu1 ] || fail "SIGTERM removed a live tap"
[ -e /sys/class/net/vmnet0 ] || fail "SIGTERM removed the bridge"
# (dnsmasq, vmnetd's user as run_dir's owner, removes its pid file itself)
! kill -0 "$restarted" 2>/dev/null || fail "SIGTERM left dnsmasq running"

# --down after a kill -9: nothing of ours left, the orphaned dnsmasq included,
# the admin's links untouched
world_start_vmnetd "$W/vmnet.conf"
wait_until 5 test -s /run/vmnet/dnsmasq.pid || fail "dnsmasq wrote no pid file"
orphan_dnsmasq=$(cat /run/vmnet/dnsmasq.pid)
kill -KILL "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true   # --down refuses while a vmnetd runs
"$VMNETD" -c "$W/vmnet.conf" --down
wait_until 3 sh -c "! kill -0 $orphan_dnsmasq 2>/dev/null" || fail "--down left the dnsmasq of a killed vmnetd"
[ "$(ip -o link show | grep -c -E 'vmnet0|tap-|vmnp')" = 0 ] || fail "--down left: $(ip -o link show)"
[ -e /sys/class/net/adm-tap0 ] && [ -e /sys/class/net/adm-veth0 ] || fail "--down deleted the admin's links"
nft list table inet vmnet >/dev/null 2>&1 && fail "--down left the nft table"
[ -z "$(ls /run/vmnet 2>/dev/null)" ] || fail "--down left run files: $(ls /run/vmnet)"
kill -0 "$P1" || true
echo ok
