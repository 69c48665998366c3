#!/usr/bin/env bash
# vmnet capture with real guests and real readers (tcpdump):
# - stu1 captures their guest's tap while it boots: the pcap, read by
#   tcpdump -r, holds the guest's ping to the host and the reply; it holds
#   no frame to or from stu2's guest but the broadcasts every port gets,
#   though stu2's guest pings the host meanwhile (asserted on MACs);
# - by VM name, with a filter and a count, to stdout through a pipe;
# - stu1 asking for stu2's tap or VM is refused with the very words a tap
#   that does not exist gets; a filter that does not compile is exit 2 with
#   libpcap's message; a terminal is refused as the output;
# - a teacher captures stu2's port and vmnetd's log says who watched whom;
#   the capture ends (exit 1, said) when that guest exits;
# - the descriptor a student gets cannot be turned into anything else: not
#   bound or sent on as a packet socket, not re-attached to another device
#   or re-opened by name, and what is written into it reaches nothing (a
#   control tap without vmnet's drop shows that the same frame would);
#   made persistent and closed, vmnetd deletes it.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
# shellcheck source=../lib/teacher_lab.sh
. "$ROOT/tests/lib/teacher_lab.sh"

VMNET=$BUILD/vmnet
PROBE=$BUILD/tests/tools/capture-fd-probe
[ -x "$VMNET" ] || fail "build/vmnet is not built"
[ -x "$PROBE" ] || fail "build/tests/tools/capture-fd-probe is not built"
command -v tcpdump > /dev/null || skip "tcpdump is missing: run tools/install-deps --tests"
command -v python3 > /dev/null || skip "python3 is missing"
# shellcheck disable=SC2119 # vmnetd with no arguments of the test's
teacher_lab_start
HOST=10.77.0.1

vm_tap_of() { # vm_tap_of USER: the user's VM tap, from their own status
        runuser -u "$1" -- "$VMNET" status --json 2> /dev/null | python3 -c 'import json, sys
taps = [t["name"] for t in json.load(sys.stdin)["taps"] if t["kind"] == "vm"]
print(taps[0] if taps else "")'
}
has_vm_tap() { [ -n "$(vm_tap_of "$1")" ]; }
# frames FILE: "SRC-MAC DST-MAC ETHERTYPE" per frame of a pcap file (Ethernet).
frames() {
        python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
magic, = struct.unpack("<I", data[:4])
assert magic == 0xa1b2c3d4, hex(magic)
assert struct.unpack("<I", data[20:24])[0] == 1, "not DLT_EN10MB"
pos = 24
while pos + 16 <= len(data):
    _, _, caplen, _ = struct.unpack("<IIII", data[pos:pos + 16])
    f = data[pos + 16:pos + 16 + caplen]
    pos += 16 + caplen
    mac = lambda b: ":".join("%02x" % x for x in b)
    print(mac(f[6:12]), mac(f[0:6]), "%04x" % struct.unpack("!H", f[12:14]))
EOF
}
wait_stderr() { wait_until 10 grep -q "^vmnet: capturing " "$1" || fail "the capture did not start: $(cat "$1")"; }

mac1=52:55:00:66:00:01 mac2=52:55:00:66:00:02

# --- stu1 watches their guest's tap from its first frame ------------------
guest_start g1 stu1 "$mac1" "$NETDEV" "vmping=$HOST"
wait_until 10 has_vm_tap stu1 || fail "stu1 has no VM tap after QEMU started"
tap1=$(vm_tap_of stu1)
world_spawn runuser -u stu1 -- "$VMNET" capture "$tap1" -w "$W/home/stu1/g1.pcap" 2> "$W/cap1.err"
CAP1=$SPAWNED
wait_stderr "$W/cap1.err"
ip1=$(guest_wait_ready g1 120)
line=$(guest_wait_line g1 '^VMNET-GUEST-PING ' 30) || fail "g1 did not report its ping"
[[ $line == *received=3* ]] || fail "g1's ping of the host: $line"

# stu2's guest pings the host too, while stu1's capture runs
guest_start g2 stu2 "$mac2" "$NETDEV" "vmping=$HOST"
ip2=$(guest_wait_ready g2 120)
guest_wait_line g2 '^VMNET-GUEST-PING .*received=3' 30 > /dev/null || fail "g2's ping of the host failed"
# Ctrl-C, to vmnet itself (runuser, its parent, would end it its own way)
capture_pid=$(pgrep -P "$CAP1" -x vmnet) || fail "no vmnet process under runuser $CAP1"
kill -INT "$capture_pid"
wait_until 10 bash -c "! kill -0 $CAP1 2>/dev/null" || fail "stu1's capture did not stop on Ctrl-C"
wait "$CAP1" || fail "stu1's capture exited with $? on Ctrl-C: $(cat "$W/cap1.err")"
grep -q "^vmnet: [0-9]* frames captured$" "$W/cap1.err" || fail "no frame count: $(cat "$W/cap1.err")"
tcpdump -n -r "$W/home/stu1/g1.pcap" > "$W/g1.txt" 2> /dev/null || fail "tcpdump cannot read stu1's pcap"
grep -q "IP $ip1 > $HOST: ICMP echo request" "$W/g1.txt" || fail "no echo request of g1 in the pcap: $(cat "$W/g1.txt")"
grep -q "IP $HOST > $ip1: ICMP echo reply" "$W/g1.txt" || fail "no echo reply to g1 in the pcap: $(cat "$W/g1.txt")"
grep -q "BOOTP/DHCP, Request from $mac1" "$W/g1.txt" || fail "g1's DHCP is not in the pcap: $(cat "$W/g1.txt")"
frames "$W/home/stu1/g1.pcap" > "$W/g1.frames"
# stu2's guest may be in stu1's capture only as what every port gets: its
# broadcasts and multicasts (a destination with the group bit, the first
# octet odd)
# shellcheck disable=SC2016 # awk's $2, not the shell's
group='index("13579bdf", substr($2, 2, 1)) > 0'
# (grep -q on a pipe may end its writer by SIGPIPE, which pipefail counts: read whole outputs)
if [ -n "$(awk -v m="$mac2" "(\$1 == m && !($group)) || \$2 == m" "$W/g1.frames")" ]; then
        fail "stu1's capture holds unicast of stu2's guest: $(grep "$mac2" "$W/g1.frames")"
fi
grep -q "$ip2 > $HOST: ICMP" "$W/g1.txt" && fail "stu1's capture holds g2's ping"
bad=$(awk -v a="$mac1" "\$1 != a && \$2 != a && !($group)" "$W/g1.frames")
[ -z "$bad" ] || fail "stu1's capture holds frames neither from nor to g1: $bad"
log "stu1's capture of $tap1: $(wc -l < "$W/g1.frames") frames, g1's ping in it, none of g2's"

# --- by the VM's name, a filter and a count, through a pipe --------------
( runuser -u stu1 -- "$VMNET" capture g1 -c 2 icmp 2> "$W/cap2.err" |
        tcpdump -n -r - > "$W/byname.txt" 2> /dev/null ) &
PIPE=$!
wait_stderr "$W/cap2.err"
busybox ping -c 3 -W 1 "$ip1" > /dev/null || fail "the host cannot ping g1"
wait_until 10 bash -c "! kill -0 $PIPE 2>/dev/null" || fail "capture -c 2 did not stop"
wait "$PIPE" || fail "capture g1 -c 2 icmp | tcpdump failed: $(cat "$W/cap2.err")"
expect_eq "ICMP frames captured by name" 2 "$(grep -c "ICMP echo" "$W/byname.txt")"
grep -q "^vmnet: capturing $tap1 (stu1's $tap1), filter: icmp" "$W/cap2.err" ||
        fail "capture g1 did not say what it captures: $(cat "$W/cap2.err")"

# --- refusals and bad input --------------------------------------------------
tap2=$(vm_tap_of stu2)
as stu1 "$VMNET" capture "$tap2" -w /dev/null
expect_eq "stu1 capturing stu2's tap exit" 1 "$RC"
refusal=$(cat "$W/err")
for other in tap-nosuch g2 g2.stu2 "$mac2"; do
        as stu1 "$VMNET" capture "$other" -w /dev/null
        expect_eq "stu1 capturing $other exit" 1 "$RC"
        expect_eq "refusal for $other" "$refusal" "$(cat "$W/err")"
done
grep -q "vmnetd refused the capture" <<< "$refusal" || fail "unclear refusal: $refusal"
as stu1 "$VMNET" capture "$tap1" -w /dev/null 'tcp port'
expect_eq "a filter that does not compile: exit" 2 "$RC"
grep -q "^vmnet: the filter 'tcp port' does not compile: " "$W/err" || fail "unclear filter error: $(cat "$W/err")"
as stu1 script -qec "$VMNET capture $tap1" /dev/null
grep -q "not writing a pcap stream to a terminal" "$W/out" || fail "capture wrote to a terminal: $(cat "$W/out")"
as stu1 "$VMNET" capture "$tap1" -c x -w /dev/null
expect_eq "-c x exit" 2 "$RC"

# --- a teacher watches stu2's port; the log says so; the end is said ---------
world_spawn runuser -u teach1 -- "$VMNET" capture "$tap2" -w "$W/home/teach1/g2.pcap" 2> "$W/cap3.err"
CAP3=$SPAWNED
wait_stderr "$W/cap3.err"
grep -q "capture vmcap[0-9]*: teach1 (uid 61010) watches stu2's $tap2 (port $tap2)" "$W/vmnetd.log" ||
        fail "vmnetd did not log the teacher's capture: $(grep capture "$W/vmnetd.log")"
# its capture tap: on no bridge, owned by nobody (only CAP_NET_ADMIN attaches to it), no ARP
captap=$(sed -n "s/.*capture \(vmcap[0-9]*\): teach1 (uid 61010) watches stu2's.*/\1/p" "$W/vmnetd.log" | tail -n 1)
expect_eq "owner of $captap" -1 "$(cat "/sys/class/net/$captap/owner")"
[ ! -e "/sys/class/net/$captap/master" ] || fail "$captap is on a bridge"
expect_eq "addresses of $captap" "" "$(ip -o addr show dev "$captap")"
grep -q NOARP <<< "$(ip -o link show "$captap")" || fail "$captap does ARP: $(ip -o link show "$captap")"
busybox ping -c 2 -W 1 "$ip2" > /dev/null || fail "the host cannot ping g2"
wait_until 5 test -s "$W/home/teach1/g2.pcap"
guest_stop g2
wait_until 10 bash -c "! kill -0 $CAP3 2>/dev/null" || fail "the teacher's capture did not end with g2"
RC=0; wait "$CAP3" || RC=$?
expect_eq "capture exit when its port goes" 1 "$RC"
grep -q "the capture of $tap2 ended: $tap2 is gone" "$W/cap3.err" || fail "the end was not said: $(cat "$W/cap3.err")"
grep -q "IP $HOST > $ip2: ICMP echo request" <<< "$(tcpdump -n -r "$W/home/teach1/g2.pcap" 2> /dev/null)" ||
        fail "the teacher's pcap lacks the host's ping of g2"
wait_until 5 grep -q "teach1 (uid 61010) stopped watching (the port went away" "$W/vmnetd.log" ||
        fail "the end of the teacher's capture is not logged"

# --- the capture descriptor cannot be turned into anything else ----------------
# A listener on the host: what reaches the host's stack on UDP 4242 is written down.
python3 - "$W/udp.got" "$W/udp.ready" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 4242))
open(sys.argv[2], "w").close()
s.settimeout(120)
with open(sys.argv[1], "ab", buffering=0) as out:
    try:
        while True:
            data, _ = s.recvfrom(2048)
            out.write(data + b"\n")
    except socket.timeout:
        pass
EOF
WORLD_PIDS+=("$!")
wait_until 10 test -e "$W/udp.ready" || fail "the UDP listener did not start"
# The control: the same frame written into a plain tap of stu1's (no vmnet
# drop) reaches the host's stack, so the listener would see an injection.
ip tuntap add mode tap user stu1 name ctl0
ip link set ctl0 up
as stu1 "$PROBE" --own-tap ctl0 "$HOST" 4242
wait_until 5 grep -q VMNET-INJECTED "$W/udp.got" || fail "the control injection did not arrive: $(cat "$W/out" "$W/err")"
: > "$W/udp.got"
ip link del ctl0
as stu1 "$PROBE" "$tap1" vmnet0 "$HOST" 4242
expect_eq "probe exit" 0 "$RC"
cat "$W/out" >&2
captap=$(sed -n 's/^tap //p' "$W/out")
expect_eq "bind as a packet socket" "bind ENOTSOCK" "$(grep '^bind ' "$W/out")"
expect_eq "sendto as a packet socket" "sendto ENOTSOCK" "$(grep '^sendto ' "$W/out")"
expect_eq "TUNSETIFF onto another device" "setiff EEXIST" "$(grep '^setiff ' "$W/out")"
# held, it cannot be attached to again (and it belongs to nobody: see the teacher's capture above)
expect_eq "attaching to $captap by name" "reattach EBUSY" "$(grep '^reattach ' "$W/out")"
expect_eq "writing into it" "inject ok" "$(grep '^inject ' "$W/out")"
sleep 0.5
[ ! -s "$W/udp.got" ] || fail "a frame written into the capture fd reached the host: $(cat "$W/udp.got")"
as stu1 "$PROBE" "$tap1" vmnet0 "$HOST" 4242 persist
expect_eq "probe (persist) exit" 0 "$RC"
expect_eq "made persistent" "persist ok" "$(grep '^persist ' "$W/out")"
captap=$(sed -n 's/^tap //p' "$W/out")
wait_until 10 test ! -e "/sys/class/net/$captap" || fail "vmnetd did not delete the persistent, closed $captap"
grep -q "capture $captap: stu1 stopped watching (the capture was closed" "$W/vmnetd.log" ||
        fail "the end of the probe's capture is not logged: $(grep "$captap" "$W/vmnetd.log")"
[ ! -s "$W/udp.got" ] || fail "a frame written into the capture fd reached the host: $(cat "$W/udp.got")"

# --- a capture does not outlive vmnetd: after a crash, the next one removes
# its tap and its mirror on the port (the reader hears the end) -------------
world_spawn runuser -u stu1 -- "$VMNET" capture "$tap1" -w /dev/null 2> "$W/cap4.err"
CAP4=$SPAWNED
wait_stderr "$W/cap4.err"
captap=$(sed -n "s/.*capture \(vmcap[0-9]*\): stu1 watches their own $tap1.*/\1/p" "$W/vmnetd.log" | tail -n 1)
if [ -z "$captap" ] || [ ! -e "/sys/class/net/$captap" ]; then fail "no capture tap '$captap'"; fi
grep -q "mirred (Egress Mirror to device $captap)" <<< "$(tc filter show dev "$tap1" ingress)" ||
        fail "no mirror of $tap1 onto $captap: $(tc filter show dev "$tap1" ingress)"
kill -KILL "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true # gone, and its hold on run_dir with it
world_start_vmnetd "$W/vmnet.conf" 2>> "$W/vmnetd.log"
wait_until 10 test ! -e "/sys/class/net/$captap" || fail "the restarted vmnetd left $captap"
grep -q "mirred" <<< "$(tc filter show dev "$tap1" ingress)" && fail "the restarted vmnetd left the mirror on $tap1"
wait_until 10 bash -c "! kill -0 $CAP4 2>/dev/null" || fail "the capture did not end with its tap"
grep -q "removing capture tap $captap, left by an earlier vmnetd" "$W/vmnetd.log" || fail "the cleanup is not logged"
guest_stop g1
log "PASS"
