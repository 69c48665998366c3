#!/usr/bin/env bash
# vmnetd: a session gives the student a tap they own, plugged into the lab
# bridge and forwarding with no hypervisor on it; sessions are counted; the
# tap goes at the last close or when the opener dies; non-root callers
# cannot open sessions or touch other students' taps.
. "$(dirname "$0")/../lib/world.sh"
world_enter "$@"
CTL=$BUILD/tests/tools/vmnetctl

world_add_user stu1 61001
world_add_user stu2 61002
world_config uplink=isolated max_taps=3 > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"

# hold USER: a session opened by a process that stays (as sshd does)
hold() {
        "$CTL" hold "$1" 60 > "$W/hold.$1.$2" &
        WORLD_PIDS+=("$!")
        wait_until 5 test -s "$W/hold.$1.$2" || fail "no answer to OPEN for $1"
}

# OPEN as root: the login link, its bridge end forwarding with no hypervisor
hold stu1 a
expect_eq "open" tap-stu1 "$(cat "$W/hold.stu1.a")"
peer=$(login_peer tap-stu1) || fail "tap-stu1 is not a veth pair"
expect_eq "the bridge end is on the bridge" vmnet0 "$(basename "$(readlink "/sys/class/net/$peer/master")")"
[ ! -e /sys/class/net/tap-stu1/master ] || fail "the student's end must not be a bridge port itself"
# one queue each way on both ends, made so (the kernel's default is one per
# CPU, cut to one after the fact at the cost of an RCU grace period)
for end in tap-stu1 "$peer"; do
        expect_eq "$end's queues" "numtxqueues 1 numrxqueues 1" \
                "$(ip -d link show "$end" | grep -o 'numtxqueues [0-9]* numrxqueues [0-9]*')"
done
wait_until 5 login_link_is_forwarding tap-stu1 ||
        fail "carrier $(cat /sys/class/net/tap-stu1/carrier), port state $(brport_state "$peer"), expected 1 and 3"
ip -4 addr show vmnet0 | grep -q "10.77.0.1/24" || fail "bridge has no address"
# the bridge vmnetd made floods multicast rather than snoop it: snooping
# re-arms every port's timers whenever a port comes or goes
expect_eq "multicast snooping on vmnet0" 0 "$(cat /sys/class/net/vmnet0/bridge/multicast_snooping)"
# What a bridged VirtualBox/VMware guest sends "to the wire" is transmitted on
# tap-stu1; unicast to the host (not only broadcast) must cross into the lab.
ip neigh replace 10.77.0.50 lladdr 52:54:00:aa:00:50 dev vmnet0
python3 "$ROOT/tests/lib/wire_standin.py" tap-stu1 52:54:00:aa:00:50 10.77.0.50 \
        "$(cat /sys/class/net/vmnet0/address)" 10.77.0.1 || fail "a guest's unicast frame did not reach the host"

# the bridge keeps its own MAC whoever logs in or out (guests' ARP for the
# host must not go stale when the port with the lowest MAC leaves)
bridge_mac=$(cat /sys/class/net/vmnet0/address)
case $bridge_mac in 02:76:6d:*) ;; *) fail "bridge MAC $bridge_mac is not vmnetd's own" ;; esac

# counted: two opens, one tap; it stays after the first close
hold stu1 b
"$CTL" close stu1 >/dev/null
sleep 0.3
[ -e /sys/class/net/tap-stu1 ] || fail "tap went at the first of two closes"
"$CTL" close stu1 >/dev/null
wait_until 3 test ! -e /sys/class/net/tap-stu1 || fail "tap still there after the last close"

expect_eq "bridge MAC after a logout" "$bridge_mac" "$(cat /sys/class/net/vmnet0/address)"

# the opener dies without closing: the tap goes
"$CTL" hold stu2 30 > "$W/hold.out" &
HOLD=$!
WORLD_PIDS+=("$HOLD")
wait_until 5 test -e /sys/class/net/tap-stu2 || fail "no tap for stu2"
kill -KILL "$HOLD"
wait_until 3 test ! -e /sys/class/net/tap-stu2 || fail "tap of a dead session's opener stays"

# non-root: cannot open or close for anyone
rc=0; runuser -u stu1 -- "$CTL" open stu1 >/dev/null || rc=$?
expect_eq "non-root OPEN" $((10 + 1)) "$rc"
hold stu2 a
rc=0; runuser -u stu1 -- "$CTL" close stu2 >/dev/null || rc=$?
expect_eq "non-root CLOSE" $((10 + 1)) "$rc"
[ -e /sys/class/net/tap-stu2 ] || fail "stu1 closed stu2's session"

# unknown user, to root
rc=0; "$CTL" open nosuchuser >/dev/null || rc=$?
expect_eq "unknown user" $((10 + 6)) "$rc"

# extra taps: own ones only, within max_taps (login link included)
extra=$(runuser -u stu2 -- "$CTL" tap-add)
expect_eq "tap-add" "tap-stu2+1" "$extra"
expect_eq "extra owner" 61002 "$(cat /sys/class/net/$extra/owner)"
expect_eq "extra master" vmnet0 "$(basename "$(readlink /sys/class/net/$extra/master)")"
runuser -u stu2 -- "$CTL" tap-add >/dev/null
rc=0; runuser -u stu2 -- "$CTL" tap-add >/dev/null || rc=$?
expect_eq "over quota" $((10 + 2)) "$rc"
a=$(runuser -u stu1 -- "$CTL" tap-del "$extra" || true)
b=$(runuser -u stu1 -- "$CTL" tap-del tap-stu1+7 || true)
expect_eq "refusals read the same" "$a" "$b"
[ -e "/sys/class/net/$extra" ] || fail "stu1 deleted stu2's tap"
rc=0; runuser -u stu2 -- "$CTL" tap-del tap-stu2 >/dev/null || rc=$?
expect_eq "the login tap is not deletable by its student" $((10 + 1)) "$rc"
runuser -u stu2 -- "$CTL" tap-del "$extra" >/dev/null || fail "stu2 cannot delete own tap"
[ ! -e "/sys/class/net/$extra" ] || fail "tap-del left the tap"
runuser -u stu2 -- "$CTL" status | grep -q "^tap tap-stu2 login" || fail "status lacks the login tap"

# a VM tap: the fd comes to the student, the tap lives as long as it is held
runuser -u stu1 -- "$CTL" vm-tap vmnet0 3 > "$W/vm.out" &
VM=$!
WORLD_PIDS+=("$VM")
wait_until 5 test -s "$W/vm.out" || fail "no VM tap"
vmtap=$(cat "$W/vm.out")
expect_eq "vm tap owner" 61001 "$(cat "/sys/class/net/$vmtap/owner")"
expect_eq "vm tap carrier while held" 1 "$(cat "/sys/class/net/$vmtap/carrier")"
wait "$VM"
wait_until 3 test ! -e "/sys/class/net/$vmtap" || fail "VM tap outlived its holder"
rc=0; runuser -u stu1 -- "$CTL" vm-tap othbr >/dev/null || rc=$?
expect_eq "VM tap on another bridge" $((10 + 1)) "$rc"

# bad input: vmnetd drops that client and serves the others
rc=0; "$CTL" raw 0101000005 >/dev/null || rc=$?
expect_eq "malformed" $((10 + 3)) "$rc"
rc=0; "$CTL" raw 09030000 >/dev/null || rc=$?
expect_eq "wrong version" $((10 + 4)) "$rc"
[ "$rc" -ne 0 ] || fail "a wrong version was accepted"
rc=0; "$CTL" raw "01030000$(printf '%08192d' 0)" >/dev/null || rc=$?
[ "$rc" -ne 0 ] || fail "an oversized message was accepted"
"$CTL" status >/dev/null || fail "vmnetd stopped serving after bad input"
kill -0 "$VMNETD_PID" || fail "vmnetd died"
echo "ok"
