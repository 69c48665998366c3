#!/usr/bin/env bash
# Who gets what: allow_groups limits who gets taps (root hears why, a user
# gets the same refusal as for anything else); a student flooding the
# socket with idle connections does not keep root's OPEN waiting; vmnetd
# takes its socket from systemd (socket activation).
. "$(dirname "$0")/../lib/world.sh"
world_enter "$@"
CTL=$BUILD/tests/tools/vmnetctl

world_add_user stu1 61001 students
world_add_user stu2 61002
world_config uplink=isolated allow_groups=students > "$W/vmnet.conf"

# socket activation: systemd-socket-activate passes the listening socket
command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate is missing"
world_spawn systemd-socket-activate --seqpacket -l /run/vmnet/vmnetd.sock "$VMNETD" -f -c "$W/vmnet.conf" \
        2> >(tee "$W/vmnetd.log" >&2)
VMNETD_PID=$SPAWNED
wait_until 10 test -S /run/vmnet/vmnetd.sock || fail "no socket"
chmod 0666 /run/vmnet/vmnetd.sock   # what SocketMode=0666 in vmnetd.socket does
wait_until 10 "$CTL" status || fail "the socket-activated vmnetd does not answer"
# the log reaches its file through tee, a moment after vmnetd wrote it
wait_until 5 grep -q "ready on /run/vmnet/vmnetd.sock (socket-activated)" "$W/vmnetd.log" ||
        fail "vmnetd did not take the socket systemd passed"

# allow_groups
"$CTL" hold stu1 60 > "$W/hold.stu1" & WORLD_PIDS+=("$!")
wait_until 5 test -s "$W/hold.stu1" || fail "no tap for stu1 (in students)"
expect_eq "member" tap-stu1 "$(cat "$W/hold.stu1")"
rc=0; out=$("$CTL" open stu2) || rc=$?
expect_eq "root hears why" $((10 + 7)) "$rc"
expect_eq "message" "user not in allow_groups" "$out"
[ ! -e /sys/class/net/tap-stu2 ] || fail "stu2 (not in students) got a tap"
a=$(runuser -u stu2 -- "$CTL" tap-add || true)
b=$(runuser -u stu2 -- "$CTL" tap-del tap-stu1 || true)
expect_eq "a user outside allow_groups gets the one refusal" "$a" "$b"

# a flood of idle connections from one student
python3 - > "$W/flood.pid" <<'PY' &
import os, socket, sys, time
os.setgid(61002); os.setuid(61002)
socks = []
for _ in range(200):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        s.connect("/run/vmnet/vmnetd.sock")
    except OSError:
        pass
    socks.append(s)
print(os.getpid(), flush=True)
time.sleep(30)
PY
FLOOD=$!
WORLD_PIDS+=("$FLOOD")
wait_until 10 test -s "$W/flood.pid" || fail "the flood did not start"
start=$(date +%s%N)
"$CTL" open stu1 >/dev/null || fail "root's OPEN failed during a flood"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
log "OPEN during a flood of 200 idle connections: $ms ms"
[ "$ms" -lt 1000 ] || fail "root's OPEN waited $ms ms behind a student's flood"
runuser -u stu1 -- "$CTL" status >/dev/null || fail "another student is not served during a flood"
wait_until 5 grep -q "uid 61002 has 16 connections open; closing new ones" "$W/vmnetd.log" || fail "the flood was not limited per uid"
kill -0 "$VMNETD_PID" || fail "vmnetd died"
kill "$FLOOD"

# a login that gave up waiting (vmnetd stopped) gets no tap when vmnetd
# comes back, even though its process lives on
"$CTL" close stu1 >/dev/null
wait_until 3 test ! -e /sys/class/net/tap-stu1 || fail "tap-stu1 stayed after close"
kill -STOP "$VMNETD_PID"
python3 - > "$W/gaveup.out" <<'PY' &
import socket, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect("/run/vmnet/vmnetd.sock")
s.send(bytes([1, 1, 0, 0, 4]) + b"stu1")   # OPEN stu1, then give up
s.close()
print("gave up", flush=True)
time.sleep(20)
PY
WORLD_PIDS+=("$!")
wait_until 5 test -s "$W/gaveup.out" || fail "the impatient client did not run"
kill -CONT "$VMNETD_PID"
sleep 0.5
"$CTL" status >/dev/null || fail "vmnetd does not answer after SIGCONT"
[ ! -e /sys/class/net/tap-stu1 ] || fail "vmnetd opened a session for a client that had hung up"
wait_until 5 grep -q "hung up before its request was served" "$W/vmnetd.log" || fail "no log of the dropped request"
echo ok
