#!/usr/bin/env bash
# vmnetd started the way the packaged units start it, with
# systemd-socket-activate standing in for systemd (no systemd as PID 1
# here): the socket path and mode come from etc/systemd/vmnetd.socket, the
# command line from vmnetd.service's ExecStart, and NOTIFY_SOCKET from a
# listener of ours, as for Type=notify; the capability bounding set and
# no_new_privs from the service, through setpriv, with its User=, Group=,
# AmbientCapabilities= and RuntimeDirectory= (vmnet's, as systemd makes
# it).  Nothing runs before the first client; a student's "vmnet status" starts vmnetd, which takes the socket
# (no second bind), says READY=1, builds the bridge and runs a dnsmasq that
# gives a DHCP client a lease.  SIGTERM, as
# KillMode=mixed sends it to vmnetd alone, stops vmnetd and its dnsmasq but
# keeps bridge and taps; the next activation adopts the taps of the
# student's live session;
# "vmnetd --down" (the package's prerm) then leaves nothing behind.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"

command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate is not installed"
command -v python3 >/dev/null || skip "python3 is missing"
command -v busybox >/dev/null || skip "busybox (udhcpc) is missing"
VMNET=$BUILD/vmnet
CTL=$BUILD/tests/tools/vmnetctl
[ -x "$VMNET" ] || fail "$VMNET missing: run make"
[ -x "$CTL" ] || fail "$CTL missing: run make check"
# shellcheck source=../lib/units.sh
. "$ROOT/tests/lib/units.sh"
sock=$(unit_value vmnetd.socket ListenSequentialPacket)
mode=$(unit_value vmnetd.socket SocketMode)
exec_start=$(unit_value vmnetd.service ExecStart)
expect_eq "service type" notify "$(unit_value vmnetd.service Type)"
expect_eq "kill mode" mixed "$(unit_value vmnetd.service KillMode)"
if [ -z "$sock" ] || [ -z "$mode" ] || [ -z "$exec_start" ]; then fail "cannot read the units in $UNITS"; fi
# The unit's user, capabilities (ambient ones, within the bounding set),
# NoNewPrivileges, UMask and RuntimeDirectory, applied as systemd would
# (unit_wrapper): vmnetd and its dnsmasq must do their work as that user
# within them.
expect_eq "the unit's user" "$VMNETD_USER" "$(unit_value vmnetd.service User)"
expect_eq "the unit's group" "$VMNETD_USER" "$(unit_value vmnetd.service Group)"
unit_wrapper "$W/vmnetd-as-unit" "$BUILD/vmnetd"
# ExecStart=/usr/sbin/vmnetd ARGS: the same ARGS for the vmnetd we built.
read -r -a exec_args <<<"${exec_start#* }"
[ "${exec_start%% *}" = /usr/sbin/vmnetd ] || fail "ExecStart runs ${exec_start%% *}, not /usr/sbin/vmnetd"

world_add_user stu1 61001
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=isolated > "$W/vmnet.conf"
# the socket unit's path, for vmnetd (a test-only variable, HACKING.md) and every client
export VMNET_SOCKET=$sock

# A Type=notify listener: records every datagram vmnetd sends (bounded: 60 s).
notify_listener() {
        python3 - "$1" "$2" <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.5)
end = time.time() + 60
with open(sys.argv[2], "a") as out:
    while time.time() < end:
        try:
            msg = s.recv(4096)
        except socket.timeout:
            continue
        out.write(msg.decode(errors="replace").replace("\n", " ") + "\n")
        out.flush()
EOF
        WORLD_PIDS+=("$!")
        wait_until 5 test -S "$1" || fail "notify listener did not start"
}

# activate N: vmnetd behind systemd-socket-activate, as the units say.
activate() {
        local n=$1
        rm -f "$sock"   # systemd would keep its socket open across restarts; we re-create it
        mkdir -p "$(dirname "$sock")"
        notify_listener "$W/notify$n.sock" "$W/notify$n.log"
        chmod 0777 "$W/notify$n.sock" # as systemd's own: any service user sends on it
        world_spawn systemd-socket-activate --seqpacket -l "$sock" -E "NOTIFY_SOCKET=$W/notify$n.sock" \
                -- "$W/vmnetd-as-unit" "${exec_args[@]}" -c "$W/vmnet.conf"
        ACTIVATOR=$SPAWNED
        wait_until 5 test -S "$sock" || fail "systemd-socket-activate made no $sock"
        chmod "$mode" "$sock"
}

as_stu1() { runuser -u stu1 -- env VMNET_SOCKET="$sock" "$@"; }

activate 1
sleep 0.3
[ ! -e /sys/class/net/vmnet0 ] || fail "the bridge exists before any client came"
[ "$(readlink "/proc/$ACTIVATOR/exe")" != "$BUILD/vmnetd" ] || fail "vmnetd started before any client came"

# The first client (a student, through the 0666 socket) starts vmnetd.
rc=0; out=$(as_stu1 "$VMNET" status 2>&1) || rc=$?
expect_eq "vmnet status exit code on first contact ($out)" 0 "$rc"
expect_eq "process behind the socket" "$BUILD/vmnetd" "$(readlink "/proc/$ACTIVATOR/exe")"
VMNETD_PID=$ACTIVATOR
expect_eq "vmnetd's user" "$VMNETD_UID" "$(sed -n 's/^Uid:\t\([0-9]*\).*/\1/p' "/proc/$VMNETD_PID/status")"
expect_eq "vmnetd's capabilities" 0000000000001400 "$(sed -n 's/^CapEff:\t//p' "/proc/$VMNETD_PID/status")"
wait_until 10 grep -q 'READY=1' "$W/notify1.log" || fail "no READY=1 on NOTIFY_SOCKET: $(cat "$W/notify1.log" 2>/dev/null)"
[ -d /sys/class/net/vmnet0/bridge ] || fail "no bridge vmnet0 after activation"
tr '\0' ' ' < "/proc/$VMNETD_PID/environ" | grep -q 'LISTEN_FDS=1' || fail "vmnetd was not given the socket"

# A live session of stu1 (its process holds it: what pam_vmnet's login
# does), and an extra tap of theirs.
world_spawn "$CTL" -s "$sock" hold stu1 60
wait_until 10 test -e /sys/class/net/tap-stu1 || fail "no login tap tap-stu1 for the session"
# dnsmasq runs and leases an address within the unit's capabilities: a
# DHCP client in a namespace of its own, on a veth port of the bridge.
# shellcheck disable=SC2016 # expanded by sh -c
wait_until 10 sh -c 'kill -0 "$(cat /run/vmnet/dnsmasq.pid)"' || fail "dnsmasq is not running"
dnsmasq_pid=$(cat /run/vmnet/dnsmasq.pid)
lease=$(world_dhcp_lease pc1) || fail "no DHCP lease from dnsmasq under the unit's capabilities"
[[ "$lease" == 10.77.0.* ]] || fail "odd lease '$lease'"
# its name, through the names program dnsmasq ran as the unit's user
wait_until 5 test "$(addr_of pc1.lab)" = "$lease" || fail "pc1.lab does not give $lease"
ip netns del dhcpc
tap=$(as_stu1 "$VMNET" tap add) || fail "vmnet tap add failed"
[ -e "/sys/class/net/$tap" ] || fail "tap $tap from vmnet tap add does not exist"

# SIGTERM to vmnetd alone (KillMode=mixed): it stops dnsmasq, keeps the lab.
kill -TERM "$VMNETD_PID"
wait_until 30 sh -c "! kill -0 $VMNETD_PID" || fail "vmnetd still runs 30 s (TimeoutStopSec) after SIGTERM"
wait_until 5 sh -c "! kill -0 $dnsmasq_pid" || fail "dnsmasq ($dnsmasq_pid) outlived vmnetd's SIGTERM"
[ -d /sys/class/net/vmnet0/bridge ] || fail "SIGTERM removed the bridge"
for t in tap-stu1 "$tap"; do
        [ -e "/sys/class/net/$t" ] || fail "SIGTERM removed $t"
done
[ -e /run/vmnet/state ] || fail "no /run/vmnet/state for the next vmnetd"
grep -q 'STOPPING=1' "$W/notify1.log" || log "note: vmnetd sent no STOPPING=1"

# The next activation (an upgrade's restart) adopts the tap.
activate 2
rc=0; out=$(as_stu1 "$VMNET" status --json 2>&1) || rc=$?
expect_eq "vmnet status after restart ($out)" 0 "$rc"
python3 -c 'import json, sys; d = json.loads(sys.argv[1]); names = [t["name"] for t in d["taps"]]
sys.exit(0 if all(n in names for n in sys.argv[2:]) else 1)' "$out" tap-stu1 "$tap" ||
        fail "tap-stu1 and $tap not adopted after the restart: $out"
wait_until 10 grep -q 'READY=1' "$W/notify2.log" || fail "no READY=1 after the restart"

# Removal: stop, then vmnetd --down as the package's prerm runs it.
kill -TERM "$ACTIVATOR"
wait_until 30 sh -c "! kill -0 $ACTIVATOR" || fail "vmnetd did not stop"
"$BUILD/vmnetd" -c "$W/vmnet.conf" --down || fail "vmnetd --down failed"
[ ! -e /sys/class/net/vmnet0 ] || fail "bridge left after --down"
[ ! -e "/sys/class/net/$tap" ] || fail "$tap left after --down"
[ ! -e /sys/class/net/tap-stu1 ] || fail "tap-stu1 left after --down"
for f in state dnsmasq.conf dnsmasq.leases hosts; do
        [ ! -e "/run/vmnet/$f" ] || fail "/run/vmnet/$f left after --down"
done
log "PASS"
