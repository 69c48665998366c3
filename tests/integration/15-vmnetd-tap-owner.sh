#!/usr/bin/env bash
# A student hands their taps away (TUNSETOWNER, which the kernel lets a
# tap's owner do): vmnetd keeps counting them against that student's
# max_taps, never shows them to the new owner, lets nobody else delete
# them, and removes them at that student's logout, across a restart, and
# at --down — it trusts its own records, never the kernel's owner field.
. "$(dirname "$0")/../lib/world.sh"
world_enter "$@"
. "$ROOT/tests/lib/guest.sh"
CTL=$BUILD/tests/tools/vmnetctl
guest_allow_tun

world_add_user stu1 61001
world_add_user stu2 61002
world_config uplink=isolated max_taps=3 > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"

hold() { # hold USER: a session whose opener stays
        "$CTL" hold "$1" 300 > "$W/hold.$1" &
        WORLD_PIDS+=("$!")
        wait_until 5 test -s "$W/hold.$1" || fail "no answer to OPEN for $1"
}
hold stu1
hold stu2
a=$(runuser -u stu1 -- "$CTL" tap-add)
b=$(runuser -u stu1 -- "$CTL" tap-add)
expect_eq "first extra tap" tap-stu1+1 "$a"
expect_eq "second extra tap" tap-stu1+2 "$b"

# stu1 gives one to stu2 and one to root
expect_eq "kernel owner of $a" 61002 "$(runuser -u stu1 -- python3 "$ROOT/tests/lib/tun_owner.py" "$a" 61002)"
expect_eq "kernel owner of $b" 0 "$(runuser -u stu1 -- python3 "$ROOT/tests/lib/tun_owner.py" "$b" 0)"

check_records() { # what vmnetd says, whatever the kernel's owner field says
        rc=0; runuser -u stu1 -- "$CTL" tap-add >/dev/null || rc=$?
        expect_eq "$1: stu1 is still at max_taps" $((10 + 2)) "$rc"
        runuser -u stu1 -- "$CTL" status > "$W/status.stu1"
        grep -q "^tap $a persistent" "$W/status.stu1" || fail "$1: stu1's status lost $a: $(cat "$W/status.stu1")"
        grep -q "^tap $b persistent" "$W/status.stu1" || fail "$1: stu1's status lost $b"
        runuser -u stu2 -- "$CTL" status > "$W/status.stu2"
        ! grep -q "tap-stu1" "$W/status.stu2" || fail "$1: stu2's status shows stu1's tap: $(cat "$W/status.stu2")"
        rc=0; runuser -u stu2 -- "$CTL" tap-del "$a" >/dev/null || rc=$?
        expect_eq "$1: stu2 deleting the tap handed to it" $((10 + 1)) "$rc"
        [ -e "/sys/class/net/$a" ] || fail "$1: stu2 deleted $a"
        rc=0; runuser -u stu2 -- "$CTL" tap-add >/dev/null || rc=$?
        expect_eq "$1: stu2's own quota is untouched" 0 "$rc"
        runuser -u stu2 -- "$CTL" tap-del tap-stu2+1 >/dev/null
}
check_records "before a restart"

# the records survive a crash and restart of vmnetd
kill -KILL "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true
world_start_vmnetd "$W/vmnet.conf"
[ -e "/sys/class/net/$a" ] && [ -e "/sys/class/net/$b" ] || fail "the restart removed a live student's taps"
check_records "after a restart"

# stu1's logout takes both, given away or not
"$CTL" close stu1 >/dev/null
wait_until 3 test ! -e "/sys/class/net/$a" || fail "$a (handed to stu2) outlived stu1's logout"
wait_until 3 test ! -e "/sys/class/net/$b" || fail "$b (handed to root) outlived stu1's logout"
[ -e /sys/class/net/tap-stu2 ] || fail "stu1's logout took stu2's link"

# and --down takes what is left, a given-away tap included
a=$(runuser -u stu2 -- "$CTL" tap-add)
runuser -u stu2 -- python3 "$ROOT/tests/lib/tun_owner.py" "$a" 0 >/dev/null
kill -KILL "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true
"$VMNETD" -c "$W/vmnet.conf" --down
[ ! -e "/sys/class/net/$a" ] || fail "--down left $a, handed to root"
[ "$(ip -o link show | grep -c -E 'vmnet0|tap-|vmnp')" = 0 ] || fail "--down left: $(ip -o link show)"
echo ok
