#!/usr/bin/env bash
# vmnet netns attach: a student's own network namespace (unshare -rn) joins
# the lab.  vmnetd, within vmnetd.service's capability bounding set, makes
# a veth whose end appears in the namespace, up, as eth0; a DHCP client in
# there gets a lease, vmnet status lists the link and the address, and the
# host reaches it by name.  vmnetd keeps no fd of the namespace.
#
# Refused, every time with the same words and nothing made: another
# student's namespace whose fd they passed over a socket, the host's own
# (/proc/1/ns/net), a file that is no network namespace, another user's
# process, the student's own process in a namespace root made, max_taps
# reached.
#
# The namespace dies: the link is gone within a second.  vmnetd killed -9
# and the namespace dying meanwhile: nothing left after the restart; with
# the namespace alive: adopted, and gone when it dies.  A SIGTERM keeps a
# live namespace's link, vmnetd --down takes it.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/units.sh
. "$ROOT/tests/lib/units.sh"
# shellcheck source=../lib/netns.sh
. "$ROOT/tests/lib/netns.sh"

VMNET=$BUILD/vmnet
PASS_FD=$ROOT/tests/lib/pass_fd.py
[ -x "$VMNET" ] || skip "build/vmnet is not built"
command -v busybox > /dev/null || skip "busybox (udhcpc) is missing"
[ -x /usr/bin/python3 ] || skip "python3 is missing"
command -v dnsmasq > /dev/null || skip "dnsmasq is missing: run tools/install-deps"
world_add_user alice 61001
world_add_user bob 61002
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=isolated domain=lab max_taps=2 > "$W/vmnet.conf"
# vmnetd as its unit runs it: its user, its two capabilities (as 82 does)
unit_wrapper "$W/vmnetd-as-unit" "$BUILD/vmnetd"
# shellcheck disable=SC2034 # world_start_vmnetd starts it
VMNETD=$W/vmnetd-as-unit
world_start_vmnetd "$W/vmnet.conf"
# a place the students may write to (sockets, leases)
S=$W/shared
mkdir -m 1777 "$S"

# attach USER ARGS...: vmnet netns attach ARGS as USER; output in $OUT,
# errors in $ERR, exit in $RC.
attach() {
        local user=$1
        shift
        RC=0
        OUT=$(runuser -u "$user" -- "$VMNET" netns attach "$@" 2> "$W/err") || RC=$?
        ERR=$(cat "$W/err")
}
netns_links() { ip -o link show | grep -c ': vmnc' || true; }
# the records vmnetd would read back (the file may still hold replaced ones)
state() { "$BUILD/tests/tools/vmnet-state"; }
state_netns_lines() { state | grep -c ' netns ' || true; }

# --- attach: the link, a lease, the host reaches it by name ----------------
ns_start alice
A=$NS_PID
attach alice "$A"
expect_eq "exit of netns attach ($ERR)" 0 "$RC"
port=$OUT
[[ $port == vmnc* ]] || fail "netns attach printed '$port', not a bridge end"
expect_eq "bridge of $port" vmnet0 "$(basename "$(readlink "/sys/class/net/$port/master")")"
in_ns "$A" ip -o link show eth0 > "$W/eth0" || fail "no eth0 in alice's namespace"
grep -q '[<,]UP[,>]' "$W/eth0" || fail "eth0 is not up in the namespace: $(cat "$W/eth0")"
wait_until 5 brport_is_forwarding "$port" || fail "$port does not forward"
log "alice's namespace has eth0, its other end $port on vmnet0"

# vmnetd holds no fd of the namespace (it would keep it alive)
ns_ino=$(readlink "/proc/$A/ns/net")
for fd in /proc/"$VMNETD_PID"/fd/*; do
        [ "$(readlink "$fd")" != "$ns_ino" ] || fail "vmnetd keeps $ns_ino open ($fd)"
done

# shellcheck disable=SC2016 # a script for udhcpc: its variables are udhcpc's
printf '#!/bin/sh\ncase $1 in\nbound) ip addr add "$ip/$mask" dev "$interface"; echo "$ip" > %s/lease ;;\nesac\nexit 0\n' \
        "$S" > "$S/dhcp.sh"
chmod 755 "$S/dhcp.sh"
in_ns "$A" busybox udhcpc -i eth0 -n -q -t 10 -T 1 -x hostname:ns1 -s "$S/dhcp.sh" > "$W/udhcpc" 2>&1 ||
        fail "no lease in alice's namespace: $(cat "$W/udhcpc")"
ip=$(cat "$S/lease")
[[ $ip == 10.77.0.* ]] || fail "odd lease '$ip'"
mac=$(sed -n 's|.* link/ether \([0-9a-f:]*\) .*|\1|p' "$W/eth0")
busybox ping -c 1 -W 2 "$ip" > /dev/null || fail "the host cannot ping $ip in alice's namespace"
named() { [ "$(getent hosts ns1.alice.lab | awk '{ print $1 }')" = "$ip" ]; }
wait_until 10 named || fail "ns1.alice.lab does not resolve to $ip: $(getent hosts ns1.alice.lab)"
busybox ping -c 1 -W 2 ns1.alice.lab > /dev/null || fail "the host cannot ping ns1.alice.lab"
log "ns1.alice.lab ($ip, $mac) leased and reachable"

runuser -u alice -- "$VMNET" status --json > "$W/status.json" || fail "vmnet status failed for alice"
/usr/bin/python3 - "$W/status.json" "$port" "$ip" "$mac" <<'PY' || fail "alice's status lacks $port or ns1: $(cat "$W/status.json")"
import json, sys
d = json.load(open(sys.argv[1]))
port, ip, mac = sys.argv[2:5]
assert any(t["name"] == port and t["kind"] == "netns" and t["carrier"] for t in d["taps"]), d["taps"]
assert any(v["name"] == "ns1" and v["address"] == ip and v["mac"] == mac for v in d["vms"]), d["vms"]
PY
runuser -u alice -- "$VMNET" status > "$W/status.txt"
grep -q "^  $port  *netns  *into a network namespace of yours\$" "$W/status.txt" ||
        fail "alice's text status does not show $port: $(cat "$W/status.txt")"
runuser -u bob -- "$VMNET" status > "$W/bob.txt"
! grep -q "$port" "$W/bob.txt" || fail "bob's status shows alice's $port"

# a name the namespace has already: told so
attach alice --name eth0 "$A"
expect_eq "exit of a second eth0" 1 "$RC"
[[ $ERR == *"already has a link of that name"* ]] || fail "second eth0: '$ERR'"

# what the command itself refuses: usage (exit 2) or a namespace it cannot open
for args in "" "--name" "--name a/b $A" "--name $(printf 'x%.0s' {1..16}) $A" "0" "99999999999" "$A $A"; do
        # shellcheck disable=SC2086 # the words are the arguments
        attach alice $args
        expect_eq "exit of 'vmnet netns attach $args' ($ERR)" 2 "$RC"
done
attach alice "$S/no-such-file"
expect_eq "exit for a missing file" 1 "$RC"
[[ $ERR == "vmnet: cannot open $S/no-such-file: No such file or directory" ]] || fail "missing file: '$ERR'"

# --- refusals: one answer, nothing made ------------------------------------
ns_start bob
B=$NS_PID
links_before=$(netns_links)
refusals=()
refused() { # WHAT: the last attach was refused with the one answer
        expect_eq "exit when refused: $1" 1 "$RC"
        refusals+=("$ERR")
        [ "$ERR" = "${refusals[0]}" ] || fail "$1 is refused with '$ERR', not '${refusals[0]}'"
        expect_eq "links after refusing $1" "$links_before" "$(netns_links)"
}
# pass_to_alice FILE SENDER: FILE opened by SENDER, passed to alice over a
# socket, attached by her as /proc/self/fd/3.
pass_to_alice() {
        local sock=$S/fd.sock
        rm -f "$sock"
        runuser -u alice -- "$PASS_FD" receive "$sock" "$VMNET" netns attach /proc/self/fd/3 \
                > "$W/out" 2> "$W/err" &
        local receiver=$!
        if [ "$2" = root ]; then "$PASS_FD" send "$sock" "$1"; else runuser -u "$2" -- "$PASS_FD" send "$sock" "$1"; fi ||
                fail "could not pass $1"
        RC=0
        wait "$receiver" || RC=$?
        ERR=$(cat "$W/err")
}
pass_to_alice "/proc/$B/ns/net" bob
refused "bob's namespace, passed by bob"
in_ns "$B" ip -o link show > "$W/bob-links"
expect_eq "links in bob's namespace" 1 "$(wc -l < "$W/bob-links")"
# (a sandbox may deny even root /proc/1/ns/*: then the world's own
# namespace, where vmnetd and its bridge live, is the host's as far as
# vmnetd can tell: its user namespace is init's too)
host_ns=/proc/1/ns/net
if ! readlink "$host_ns" > /dev/null 2>&1; then
        log "cannot open /proc/1/ns/net here; the world's own namespace stands in"
        host_ns=/proc/$$/ns/net
fi
pass_to_alice "$host_ns" root
refused "the host's namespace $host_ns"
echo "not a namespace" > "$S/file"
attach alice "$S/file"
refused "a file"
attach alice "/proc/$A/ns/user"
refused "her own user namespace"
attach alice "$B"
refused "bob's process"
world_spawn unshare -n runuser -u alice -- sleep 300
wait_until 5 pgrep -u alice -P "$SPAWNED" -x sleep || fail "alice's process in root's namespace did not start"
R=$(pgrep -u alice -P "$SPAWNED" -x sleep)
WORLD_PIDS+=("$R")
attach alice "$R"
refused "her process in a namespace root made"
# max_taps = 2: a second link is hers, a third is over quota
attach alice --name lab1 "$A"
expect_eq "exit of a second link ($ERR)" 0 "$RC"
port2=$OUT
links_before=$(netns_links)
attach alice --name lab2 "$A"
refused "max_taps reached"
log "refused ${#refusals[@]} times, always: ${refusals[0]}"

# --- the namespace dies: its links go within a second -----------------------
t0=$(date +%s%N)
kill "$A"
gone() { [ ! -e "/sys/class/net/$port" ] && [ ! -e "/sys/class/net/$port2" ]; }
wait_until 5 gone || fail "$port and $port2 outlived alice's namespace by 5 s"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
log "$port and $port2 gone $ms ms after the namespace's last process was killed"
[ "$ms" -le 1000 ] || fail "the links took $ms ms (more than a second) to go"
wait_until 2 sh -c '! "$0" | grep -q " netns "' "$BUILD/tests/tools/vmnet-state" ||
        fail "vmnetd still records them: $(state)"
runuser -u alice -- "$VMNET" status > "$W/status.txt"
! grep -q netns "$W/status.txt" || fail "alice's status still lists a netns link: $(cat "$W/status.txt")"

# --- vmnetd killed -9, the namespace dies meanwhile: nothing left -------------
ns_start alice
attach alice "$NS_PID"
expect_eq "exit of attach before the crash ($ERR)" 0 "$RC"
port=$OUT
expect_eq "netns lines in the state" 1 "$(state_netns_lines)"
kill -KILL "$VMNETD_PID"
wait_until 5 sh -c "! kill -0 $VMNETD_PID" || fail "vmnetd did not die"
kill "$NS_PID"
wait_until 5 test ! -e "/sys/class/net/$port" || fail "$port outlived its namespace while vmnetd was down"
world_start_vmnetd "$W/vmnet.conf"
expect_eq "netns links after the restart" 0 "$(netns_links)"
expect_eq "netns lines in the state after the restart" 0 "$(state_netns_lines)"
runuser -u alice -- "$VMNET" status > "$W/status.txt"
! grep -q netns "$W/status.txt" || fail "a netns link is listed after the restart: $(cat "$W/status.txt")"

# --- killed -9 with the namespace alive: adopted, then gone with it -----------
ns_start alice
attach alice "$NS_PID"
port=$OUT
kill -KILL "$VMNETD_PID"
wait_until 5 sh -c "! kill -0 $VMNETD_PID" || fail "vmnetd did not die"
world_start_vmnetd "$W/vmnet.conf"
runuser -u alice -- "$VMNET" status > "$W/status.txt"
grep -q "^  $port  *netns " "$W/status.txt" || fail "$port not adopted after the restart: $(cat "$W/status.txt")"
kill "$NS_PID"
wait_until 2 test ! -e "/sys/class/net/$port" || fail "$port outlived its namespace after the restart"
wait_until 2 sh -c '! "$0" | grep -q " netns "' "$BUILD/tests/tools/vmnet-state" ||
        fail "the adopted record stayed: $(state)"

# --- vmnetd --down takes the links of live namespaces too --------------------
ns_start alice
attach alice "$NS_PID"
port=$OUT
kill -TERM "$VMNETD_PID"
wait_until 10 sh -c "! kill -0 $VMNETD_PID" || fail "vmnetd did not stop"
[ -e "/sys/class/net/$port" ] || fail "SIGTERM took $port (it lives with its namespace)"
"$BUILD/vmnetd" -c "$W/vmnet.conf" --down > "$W/down.log" 2>&1 || fail "--down failed: $(cat "$W/down.log")"
[ ! -e "/sys/class/net/$port" ] || fail "--down left $port"
in_ns "$NS_PID" ip -o link show > "$W/links"
! grep -q eth0 "$W/links" || fail "--down left eth0 in alice's namespace: $(cat "$W/links")"
log "PASS"
