#!/usr/bin/env bash
# The per-student rule with real DHCP: stu1 and stu2 each boot a VM called
# vm1 through vmnet-bridge-helper.  getent hosts vm1 must give each student
# their own VM, and vm1.USER.lab each one's VM to anyone.
#
# dnsmasq gives a host name claimed twice only to the newest lease and
# writes '*' as the older lease's name; vmnetd must keep the older VM's
# name all the same, also across its own restart.  The lease file and what
# each student resolves are shown in the log.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"

guest_lab_ready
LEASES=/run/vmnet/dnsmasq.leases
world_add_user stu1 61001
world_add_user stu2 61002
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=isolated domain=lab > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"
as() { local u=$1; shift; runuser -u "$u" -- env LD_LIBRARY_PATH="$LD_LIBRARY_PATH" "$@"; }
addr_of() { getent hosts "$1" | awk '{ print $1 }'; }

guest_start vm1-of-stu1 stu1 52:54:00:77:05:01 "$NETDEV" vmhost=vm1
ip1=$(guest_wait_ready vm1-of-stu1 120)
resolves_to() { [ "$(addr_of "$1")" = "$2" ]; }
wait_until 5 resolves_to vm1.stu1.lab "$ip1" || fail "vm1.stu1.lab does not resolve to $ip1"
# stu2's vm1 comes second, so it holds the newer lease
guest_start vm1-of-stu2 stu2 52:54:00:77:05:02 "$NETDEV" vmhost=vm1
ip2=$(guest_wait_ready vm1-of-stu2 120)
[ "$ip1" != "$ip2" ] || fail "both VMs got $ip1"
wait_until 5 resolves_to vm1.stu2.lab "$ip2" || fail "vm1.stu2.lab does not resolve to $ip2"
sleep 1 # any republish after dnsmasq's rewrite of the lease file
log "stu1's vm1 is $ip1, stu2's vm1 is $ip2; the lease file:"
sed 's/^/    /' "$LEASES" >&2
for u in stu1 stu2; do log "$u: getent hosts vm1 -> $(as "$u" getent hosts vm1 | tr -s ' ')"; done
log "root: getent hosts vm1.stu1.lab -> $(getent hosts vm1.stu1.lab | tr -s ' ')"

expect_eq "vm1.stu1.lab" "$ip1" "$(addr_of vm1.stu1.lab)"
expect_eq "vm1.stu2.lab" "$ip2" "$(addr_of vm1.stu2.lab)"
expect_eq "stu2's vm1" "$ip2" "$(as stu2 getent hosts vm1 | awk '{ print $1 }')"
expect_eq "stu1's vm1" "$ip1" "$(as stu1 getent hosts vm1 | awk '{ print $1 }')"

# The same after vmnetd restarts (SIGTERM keeps the lab; the new vmnetd and
# its dnsmasq read the lease file, where the older vm1 shows '*').
kill -TERM "$VMNETD_PID"
wait_until 10 sh -c "! kill -0 $VMNETD_PID 2>/dev/null" || fail "vmnetd did not exit on SIGTERM"
world_start_vmnetd "$W/vmnet.conf" 2>> "$W/vmnetd.log"
# a new lease makes the new vmnetd publish a snapshot of its own
guest_start vm3 stu2 52:54:00:77:05:03 "$NETDEV"
ip3=$(guest_wait_ready vm3 120)
wait_until 5 resolves_to vm3 "$ip3" || fail "vm3 does not resolve to $ip3 after the restart"
log "after a vmnetd restart, the lease file:"
sed 's/^/    /' "$LEASES" >&2
for u in stu1 stu2; do log "$u: getent hosts vm1 -> $(as "$u" getent hosts vm1 | tr -s ' ')"; done
expect_eq "vm1.stu1.lab after a vmnetd restart" "$ip1" "$(addr_of vm1.stu1.lab)"
expect_eq "vm1.stu2.lab after a vmnetd restart" "$ip2" "$(addr_of vm1.stu2.lab)"
expect_eq "stu1's vm1 after a vmnetd restart" "$ip1" "$(as stu1 getent hosts vm1 | awk '{ print $1 }')"
log "PASS: each student resolves their own vm1, also after a vmnetd restart"
