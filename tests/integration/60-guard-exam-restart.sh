#!/usr/bin/env bash
# Exam mode and the guard's life (issue 12).  stu1 has two guests (a1, a2),
# stu2 one (b1), all running while a teacher (teach1, a member of
# teacher_groups) or root switches exam mode; a student is refused:
#   on    a1 cannot reach b1 (ICMP, ARP), but reaches the host and a2;
#         effective at once (under a second)
#   off   a1 reaches b1 again
# and the guard outlives vmnetd: what it learned (b1 cannot take a1's
# address) holds across a reload, a restart and a kill -9 + restart, exam
# mode switched by a teacher survives a restart, and vmnetd --down leaves
# no table behind.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
# shellcheck source=../lib/guard.sh
. "$ROOT/tests/lib/guard.sh"

world_add_user teach1 61010 teachers
guard_lab_up teacher_groups=teachers
VMNET=$BUILD/vmnet

guest_start a1 stu1 52:54:00:77:60:01 "$NETDEV" vmctl=1
guest_start a2 stu1 52:54:00:77:60:02 "$NETDEV" vmctl=1
guest_start b1 stu2 52:54:00:77:60:03 "$NETDEV" vmctl=1
a1=$(guest_wait_ready a1 120)
a2=$(guest_wait_ready a2 120)
b1=$(guest_wait_ready b1 120)
log "a1 $a1, a2 $a2 (stu1); b1 $b1 (stu2)"

# pings FROM TO: how many of 3 pings from guest FROM to TO were answered.
pings() {
        local out
        out=$(guest_exec "$1" 15 "ping -c 3 -W 1 $2") || true
        [[ $out =~ ([0-9]+)\ packets\ received ]] && echo "${BASH_REMATCH[1]}" || echo 0
}
# reaches FROM TO / cut FROM TO
reaches() { [ "$(pings "$1" "$2")" -ge 2 ]; }
cut() { [ "$(pings "$1" "$2")" -eq 0 ]; }
# isolation on|off [USER]: switched by USER (root when none)
isolation() {
        runuser -u "${2:-root}" -- "$VMNET" admin isolation "$1" > "$W/admin.out" 2> "$W/admin.err" ||
                fail "${2:-root}'s 'vmnet admin isolation $1' failed: $(cat "$W/admin.err")"
}

reaches a1 "$b1" || fail "a1 cannot reach b1 before exam mode"
rc=0
runuser -u stu1 -- "$VMNET" admin isolation on 2> "$W/stu1-admin.txt" || rc=$?
expect_eq "exit of a student's 'vmnet admin isolation on'" 1 "$rc"
expect_eq "a student's refusal" \
        "vmnet: vmnetd refused: exam mode is for root and the members of teacher_groups (vmnet.conf)" \
        "$(cat "$W/stu1-admin.txt")"
reaches a1 "$b1" || fail "a student's refused switch cut a1 off from b1"
! grep -q "exam mode on, switched" "$W/vmnetd.log" || fail "a student's refused switch was logged as done"
grep -q "exam mode on by stu1 refused: neither root nor in teacher_groups" "$W/vmnetd.log" ||
        fail "vmnetd did not log stu1's refused switch"
log "a student may not: $(cat "$W/stu1-admin.txt")"

# at once: the first ping after the switch is already dropped (a1 still
# knows b1's MAC, so it is a unicast, counted as stu1's)
t0=$(date +%s.%N)
isolation on teach1
grep -q "^exam mode on: " "$W/admin.out" || fail "teach1's switch says: $(cat "$W/admin.out")"
log "exam mode on, the switch took $(echo "$(date +%s.%N) $t0" | awk '{ printf "%.2f", $1 - $2 }') s"
out=$(guest_exec a1 10 "ping -c 1 -W 2 $b1") || true
grep -q " 0 packets received" <<< "$out" || fail "exam mode on: a1's first ping to b1 went through: $out"
cut a1 "$b1" || fail "exam mode on: a1 still reaches b1"
reaches a1 10.77.0.1 || fail "exam mode on: a1 lost the host"
reaches a1 "$a2" || fail "exam mode on: a1 lost its own second guest a2"
cut b1 "$a1" || fail "exam mode on: b1 still reaches a1"
grep -q "exam mode on, switched by teach1" "$W/vmnetd.log" || fail "vmnetd did not log who switched exam mode on"
expect_drops stu1 exam

# a restart keeps the word of who switched
kill -TERM "$VMNETD_PID"
wait "$VMNETD_PID" 2> /dev/null || true
world_start_vmnetd "$W/vmnet.conf" 2>> "$W/vmnetd.log"
cut a1 "$b1" || fail "after a restart, exam mode is off again"

isolation off
grep -q "exam mode off, switched by root" "$W/vmnetd.log" || fail "vmnetd did not log root's switch off"
reaches a1 "$b1" || fail "exam mode off: a1 does not reach b1 again"
log "exam mode off: a1 reaches b1"

# what the guard learned: a1's address is a1's
guest_exec b1 10 "ip addr add $a1/32 dev eth0; arping -U -c 2 -I eth0 $a1; ip addr del $a1/32 dev eth0" > /dev/null || true
host_neighbour_is "$a1" 52:54:00:77:60:01 || fail "b1 took a1's address"
before=$(guard_drops stu2 address_taken)
[ "$before" -gt 0 ] || fail "no drops counted when b1 took a1's address"
for how in reload restart kill; do
        case $how in
        reload)  kill -HUP "$VMNETD_PID"; sleep 1 ;;
        restart) kill -TERM "$VMNETD_PID"; wait "$VMNETD_PID" 2> /dev/null || true
                 world_start_vmnetd "$W/vmnet.conf" 2>> "$W/vmnetd.log" ;;
        kill)    kill -KILL "$VMNETD_PID"; wait "$VMNETD_PID" 2> /dev/null || true
                 world_start_vmnetd "$W/vmnet.conf" 2>> "$W/vmnetd.log" ;;
        esac
        guest_exec b1 10 "ip addr add $a1/32 dev eth0; arping -U -c 2 -I eth0 $a1; ip addr del $a1/32 dev eth0" > /dev/null || true
        host_neighbour_is "$a1" 52:54:00:77:60:01 || fail "after a $how, b1 took a1's address"
        now=$(guard_drops stu2 address_taken)
        [ "$now" -gt "$before" ] || fail "after a $how, b1's use of a1's address was not dropped"
        before=$now
        reaches a1 10.77.0.1 || fail "after a $how, a1 lost the host"
        log "after a $how: a1's address is still a1's (stu2: $now drops)"
done

# the config's word again, at a reload
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=nat domain=lab teacher_groups=teachers \
        isolation=students > "$W/vmnet.conf"
kill -HUP "$VMNETD_PID"
sleep 1
cut a1 "$b1" || fail "isolation = students and a reload: a1 still reaches b1"
log "isolation = students, reloaded: a1 cut off from b1 again"

kill -TERM "$VMNETD_PID"
wait "$VMNETD_PID" 2> /dev/null || true
"$VMNETD" -c "$W/vmnet.conf" --down 2> "$W/down.log" || fail "vmnetd --down failed: $(cat "$W/down.log")"
! nft list table bridge vmnet_guard > /dev/null 2>&1 || fail "--down left the table bridge vmnet_guard"
log "PASS: exam mode switched at once, surviving restarts; learned ownership outlives vmnetd; --down clears"
