#!/usr/bin/env bash
# The per-student rule with real DHCP: stu1 and stu2 each boot a VM called
# vm1 through vmnet-bridge-helper.  getent hosts vm1 must give each student
# their own VM, and vm1.USER.lab each one's VM to anyone.
#
# Known to fail with vmnetd as of this writing: dnsmasq gives a host name
# claimed twice only to the newest lease and writes '*' as the older
# lease's name, so the hosts snapshot (built from the lease file) has only
# the newest vm1.  The lease file and what each student resolves are shown
# in the log.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"

HELPER=$BUILD/vmnet-bridge-helper
LEASES=/run/vmnet/dnsmasq.leases
[ -x "$HELPER" ] || fail "build/vmnet-bridge-helper is not built"
guest_build
command -v dnsmasq >/dev/null || skip "dnsmasq is missing: run tools/install-deps"
world_add_user stu1 61001
world_add_user stu2 61002
guest_allow_tun
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=isolated domain=lab > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"
NETDEV="bridge,id=n0,br=vmnet0,helper=$HELPER"
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
log "PASS: each student resolves their own vm1"
