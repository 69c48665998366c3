#!/usr/bin/env bash
# Two students' vm1 with real DHCP: stu1 and stu2 each boot a VM called
# vm1 through vmnet-bridge-helper, stu1's first.  getent hosts vm1 gives
# each student their own VM and root none; vm1.USER.lab is each one's VM to
# anyone; vm1.lab is stu1's, the first claim, and stays so; a guest asking
# the lab's DNS gets the same.  dnsmasq itself would give the name to the
# last claimer: the records come from the names program, and survive a
# vmnetd restart (which restarts dnsmasq, which forgets what guests said).
# What each resolves is shown in the log.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"

guest_lab_ready
LEASES=/run/vmnet/dnsmasq.leases
world_add_user stu1 61001
world_add_user stu2 61002
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=isolated domain=lab > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"

guest_start vm1-of-stu1 stu1 52:54:00:77:05:01 "$NETDEV" vmhost=vm1
ip1=$(guest_wait_ready vm1-of-stu1 120)
wait_until 5 resolves_to vm1.stu1.lab "$ip1" || fail "vm1.stu1.lab does not resolve to $ip1"
# stu2's vm1 comes second, so it holds the newer lease
guest_start vm1-of-stu2 stu2 52:54:00:77:05:02 "$NETDEV" vmhost=vm1
ip2=$(guest_wait_ready vm1-of-stu2 120)
[ "$ip1" != "$ip2" ] || fail "both VMs got $ip1"
wait_until 5 resolves_to vm1.stu2.lab "$ip2" || fail "vm1.stu2.lab does not resolve to $ip2"
sleep 1 # any republish after dnsmasq's rewrite of the lease file
log "stu1's vm1 is $ip1, stu2's vm1 is $ip2; the lease file:"
sed 's/^/    /' "$LEASES" >&2
for u in stu1 stu2; do log "$u: getent hosts vm1 -> $(world_as "$u" getent hosts vm1 | tr -s ' ')"; done
log "root: getent hosts vm1.lab -> $(getent hosts vm1.lab | tr -s ' ')"
log "the records of the lab's DNS:"
sed 's/^/    /' /run/vmnet/dns/hosts-* >&2

check_names() { # check_names WHEN
        expect_eq "vm1.stu1.lab $1" "$ip1" "$(addr_of vm1.stu1.lab)"
        expect_eq "vm1.stu2.lab $1" "$ip2" "$(addr_of vm1.stu2.lab)"
        expect_eq "vm1.lab $1 (the first claim)" "$ip1" "$(addr_of vm1.lab)"
        expect_eq "stu2's vm1 $1" "$ip2" "$(world_as stu2 getent hosts vm1 | awk '{ print $1 }')"
        expect_eq "stu1's vm1 $1" "$ip1" "$(world_as stu1 getent hosts vm1 | awk '{ print $1 }')"
        expect_eq "root's vm1 $1" "" "$(getent hosts vm1 || true)"
        # what dnsmasq serves the VMs: the first claim for vm1.lab, each one's own
        grep -Eq "^$ip1 vm1\.stu1\.lab vm1\.lab\$" /run/vmnet/dns/hosts-* ||
                fail "the lab's DNS has no 'vm1.stu1.lab vm1.lab' at $ip1 $1"
        grep -Eq "^$ip2 vm1\.stu2\.lab\$" /run/vmnet/dns/hosts-* || fail "the lab's DNS lacks vm1.stu2.lab $1"
}
check_names ""
# stu2's guest asks the lab's DNS for vm1 (its search domain is lab)
guest_start probe-of-stu2 stu2 52:54:00:77:05:04 "$NETDEV" vmping=vm1
line=$(guest_wait_line probe-of-stu2 '^VMNET-GUEST-PING ' 120) || fail "the probe did not report its ping"
expect_eq "a guest pinging vm1 by name (the lab's vm1.lab, stu1's)" \
        "VMNET-GUEST-PING name=probe-of-stu2 target=vm1 received=3" "$line"

# The same after vmnetd restarts (SIGTERM keeps the lab; the new vmnetd
# restarts dnsmasq, which tells the names program of every lease again,
# without the names the guests sent: those come from the snapshot).
kill -TERM "$VMNETD_PID"
wait_until 10 sh -c "! kill -0 $VMNETD_PID 2>/dev/null" || fail "vmnetd did not exit on SIGTERM"
world_start_vmnetd "$W/vmnet.conf" 2>> "$W/vmnetd.log"
guest_start vm3 stu2 52:54:00:77:05:03 "$NETDEV"
ip3=$(guest_wait_ready vm3 120)
wait_until 5 resolves_to vm3.lab "$ip3" || fail "vm3.lab does not resolve to $ip3 after the restart"
log "after a vmnetd restart, the lease file (names are not dnsmasq's: '*'):"
sed 's/^/    /' "$LEASES" >&2
for u in stu1 stu2; do log "$u: getent hosts vm1 -> $(world_as "$u" getent hosts vm1 | tr -s ' ')"; done
check_names "after a vmnetd restart"
log "PASS: each student resolves their own vm1, vm1.lab is the first claim, also after a vmnetd restart"
