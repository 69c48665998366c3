#!/usr/bin/env bash
# vmnet-bridge-helper as QEMU runs it: as the student, with one end of a
# socketpair on --fd.  A stand-in for QEMU receives the fd the way QEMU's
# recv_fd() does and checks that it is a tap (/dev/net/tun, TUNGETIFF
# names it); while it holds the fd the tap is on the lab bridge, owned by
# the student and forwarding; once it exits the tap is gone.  A bridge
# that is not the lab's is refused, with one line on stderr and exit 1;
# no vmnetd is exit 3.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"

HELPER=$BUILD/vmnet-bridge-helper
[ -x "$HELPER" ] || skip "build/vmnet-bridge-helper is not built"
command -v python3 >/dev/null || skip "python3 is missing"
world_add_user stu1 61001
world_add_user stu2 61002
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=isolated domain=lab max_taps=4 \
        > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"
# A bridge that exists but is not the lab's: the refusal must not hinge on
# the name being unknown to the kernel.
ip link add otherbr type bridge
ip link set otherbr up

forwarding() { [ "$(brport_state "$1")" = 3 ]; }
exited() { ! kill -0 "$1" 2>/dev/null; }

# QEMU's side of the protocol: socketpair, run the helper with --fd, one
# recvmsg of 1 byte + SCM_RIGHTS ("split": the options in their other
# spelling).  Prints "tap NAME" when it holds a tap,
# then keeps it until RELEASE exists (at most 60 s); "nofd" when none came.
cat > "$W/qemu-standin.py" <<'EOF'
import fcntl, os, socket, struct, subprocess, sys, time
helper, bridge, release = sys.argv[1], sys.argv[2], sys.argv[3]
ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
if sys.argv[4:] == ["split"]:   # "--br NAME --fd N", no --use-vnet
    args = ["--br", bridge, "--fd", str(theirs.fileno())]
else:                           # as QEMU runs it
    args = ["--use-vnet", "--fd=%d" % theirs.fileno(), "--br=" + bridge]
child = subprocess.Popen([helper] + args, pass_fds=[theirs.fileno()])
theirs.close()
try:
    msg, fds, _, _ = socket.recv_fds(ours, 1, 1)
except OSError as e:
    msg, fds = b"", []
rc = child.wait(timeout=30)
print("helper-exit %d" % rc, flush=True)
if not fds:
    print("nofd", flush=True)
    sys.exit(0)
assert len(msg) == 1, "payload of %d bytes" % len(msg)
fd = fds[0]
link = os.readlink("/proc/self/fd/%d" % fd)
assert link == "/dev/net/tun", "passed fd is %s, not /dev/net/tun" % link
TUNGETIFF = 0x800454d2
ifr = fcntl.ioctl(fd, TUNGETIFF, bytes(40))
name = ifr[:16].split(b"\0", 1)[0].decode()
flags = struct.unpack("H", ifr[16:18])[0]
assert name, "TUNGETIFF gave no name"
assert flags & 0x0002, "not a tap (IFF_TAP missing): flags %#x" % flags
print("tap %s" % name, flush=True)
for _ in range(1200):
    if os.path.exists(release):
        break
    time.sleep(0.05)
os.close(fd)
EOF

# --- a tap for stu1's VM --------------------------------------------------
world_spawn runuser -u stu1 -- python3 "$W/qemu-standin.py" "$HELPER" vmnet0 "$W/release1" \
        > "$W/standin1.out" 2> "$W/standin1.err"
STANDIN=$SPAWNED
wait_until 20 grep -q '^tap \|^nofd' "$W/standin1.out" ||
        fail "stand-in got nothing: $(cat "$W/standin1.out" "$W/standin1.err")"
grep -qx 'helper-exit 0' "$W/standin1.out" ||
        fail "helper failed: $(cat "$W/standin1.out" "$W/standin1.err")"
tap=$(sed -n 's/^tap //p' "$W/standin1.out")
[ -n "$tap" ] || fail "no tap fd reached the stand-in: $(cat "$W/standin1.out" "$W/standin1.err")"
log "stu1's VM got $tap"

[ -e "/sys/class/net/$tap" ] || fail "$tap is not an interface here"
expect_eq "bridge of $tap" vmnet0 "$(basename "$(readlink "/sys/class/net/$tap/master")")"
expect_eq "owner of $tap" 61001 "$(cat "/sys/class/net/$tap/owner")"
expect_eq "carrier of $tap while held" 1 "$(cat "/sys/class/net/$tap/carrier")"
wait_until 5 forwarding "$tap" ||
        fail "$tap does not forward while held (port state $(brport_state "$tap"))"

# vmnet status shows it to stu1, as a VM tap, and not to stu2.
if [ -x "$BUILD/vmnet" ]; then
        runuser -u stu1 -- "$BUILD/vmnet" status --json > "$W/status1.json" ||
                fail "vmnet status failed for stu1"
        python3 - "$W/status1.json" "$tap" <<'EOF' || fail "stu1's status lacks $tap as a vm tap: $(cat "$W/status1.json")"
import json, sys
taps = json.load(open(sys.argv[1]))["taps"]
sys.exit(0 if any(t["name"] == sys.argv[2] and t["kind"] == "vm" for t in taps) else 1)
EOF
        runuser -u stu2 -- "$BUILD/vmnet" status --json > "$W/status2.json" ||
                fail "vmnet status failed for stu2"
        ! grep -q "\"$tap\"" "$W/status2.json" || fail "stu2 sees stu1's $tap: $(cat "$W/status2.json")"
fi

touch "$W/release1"
wait_until 10 exited "$STANDIN" || fail "stand-in did not exit"
wait_until 10 test ! -e "/sys/class/net/$tap" || fail "$tap is left after the VM closed it"

# The other spelling of the options works the same (released at once).
runuser -u stu1 -- python3 "$W/qemu-standin.py" "$HELPER" vmnet0 "$W/release1" split \
        > "$W/standin4.out" 2> "$W/standin4.err" || fail "stand-in crashed: $(cat "$W/standin4.err")"
grep -qx 'helper-exit 0' "$W/standin4.out" ||
        fail "--br NAME --fd N failed: $(cat "$W/standin4.out" "$W/standin4.err")"
grep -q '^tap ' "$W/standin4.out" || fail "--br NAME --fd N gave no tap: $(cat "$W/standin4.out")"

# --- a bridge that is not the lab's ---------------------------------------
runuser -u stu1 -- python3 "$W/qemu-standin.py" "$HELPER" otherbr "$W/release1" \
        > "$W/standin2.out" 2> "$W/standin2.err" || fail "stand-in crashed: $(cat "$W/standin2.err")"
grep -qx 'nofd' "$W/standin2.out" || fail "a tap on otherbr came back: $(cat "$W/standin2.out")"
grep -qx 'helper-exit 1' "$W/standin2.out" || fail "refusal is not exit 1: $(cat "$W/standin2.out")"
expect_eq "stderr lines of the refusal" 1 "$(wc -l < "$W/standin2.err")"
grep -q "^vmnet-bridge-helper: vmnetd refused a tap on bridge 'otherbr'" "$W/standin2.err" ||
        fail "unclear refusal: $(cat "$W/standin2.err")"
[ -z "$(ls /sys/class/net/otherbr/brif)" ] || fail "something was plugged into otherbr"

# --- usage and an absent vmnetd -------------------------------------------
rc=0; runuser -u stu1 -- "$HELPER" --fd=0 < /dev/null 2> "$W/usage.err" || rc=$?
expect_eq "exit without --br" 2 "$rc"
runuser -u stu1 -- env VMNET_SOCKET=/run/vmnet/absent.sock python3 "$W/qemu-standin.py" \
        "$HELPER" vmnet0 "$W/release1" > "$W/standin3.out" 2> "$W/standin3.err" ||
        fail "stand-in crashed: $(cat "$W/standin3.err")"
grep -qx 'helper-exit 3' "$W/standin3.out" || fail "no vmnetd is not exit 3: $(cat "$W/standin3.out")"
expect_eq "message without vmnetd" \
        "vmnet-bridge-helper: vmnetd is not running (no /run/vmnet/absent.sock)" "$(cat "$W/standin3.err")"

log "PASS"
