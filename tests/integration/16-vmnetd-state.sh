#!/usr/bin/env bash
# What vmnetd reads back at a start cannot be turned against the lab: a
# user name with a space (a directory account) is written escaped and read
# back; a line that does not parse is skipped, and every other student
# keeps their link; the dnsmasq a killed vmnetd left is ended by what
# vmnetd recorded of it, never a process a pid file names.
. "$(dirname "$0")/../lib/world.sh"
world_enter "$@"
CTL=$BUILD/tests/tools/vmnetctl
STATE=/run/vmnet/state

world_add_user stu1 61001
world_add_user "alice smith" 61002
world_config uplink=isolated > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"

hold() { # hold USER FILE: a session whose opener stays; its pid in $HELD
        "$CTL" hold "$1" 300 > "$2" &
        HELD=$!
        WORLD_PIDS+=("$HELD")
        wait_until 5 test -s "$2" || fail "no answer to OPEN for $1"
}
hold stu1 "$W/hold.stu1"
hold "alice smith" "$W/hold.alice"
ALICE_HOLDER=$HELD
alice_link=$(cat "$W/hold.alice")
[ -e "/sys/class/net/$alice_link" ] || fail "no link for 'alice smith'"
grep -q "^student alice%20smith 61002 61002 $alice_link\$" "$STATE" || fail "the name is not escaped: $(cat "$STATE")"
! grep -q "alice smith" "$STATE" || fail "a raw space in the state file"

# vmnetd is killed; its dnsmasq stays.  A decoy that looks like a dnsmasq of
# ours by its command line is named by the pid file.
kill -KILL "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true
dnsmasq_pid=$(cat /run/vmnet/dnsmasq.pid)
python3 -c 'import time; time.sleep(60)' dnsmasq --conf-file=/run/vmnet/dnsmasq.conf &
DECOY=$!
WORLD_PIDS+=("$DECOY")
echo "$DECOY" > /run/vmnet/dnsmasq.pid
# and the state file gains lines that do not parse, one of them between
# a student's line and that student's session
sed -i "/^student stu1 /a garbage that is no state" "$STATE"
echo "student bob 61099" >> "$STATE"

world_start_vmnetd "$W/vmnet.conf"
[ -e /sys/class/net/tap-stu1 ] || fail "the restart deleted stu1's link"
[ -e "/sys/class/net/$alice_link" ] || fail "the restart deleted the link of 'alice smith'"
wait_until 5 login_link_is_forwarding tap-stu1 || fail "tap-stu1 is not forwarding after the restart"
runuser -u stu1 -- "$CTL" status | grep -q "^tap tap-stu1 login" || fail "stu1's link was not adopted"
runuser -u "alice smith" -- "$CTL" status | grep -q "^tap $alice_link login" ||
        fail "the link of 'alice smith' was not adopted"
grep -q "alice%20smith" "$STATE" || fail "the state written after the restart lost 'alice smith'"
! grep -q "garbage" "$STATE" || fail "the bad line was written back"
wait_until 3 sh -c "! kill -0 $dnsmasq_pid 2>/dev/null" || fail "the killed vmnetd's dnsmasq still runs"
kill -0 "$DECOY" || fail "vmnetd killed a process only a pid file named"
# the adopted sessions are still watched
kill -KILL "$ALICE_HOLDER"
wait_until 3 test ! -e "/sys/class/net/$alice_link" || fail "the death of an adopted session left its link"
echo ok
