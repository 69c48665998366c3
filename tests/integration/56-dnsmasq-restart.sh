#!/usr/bin/env bash
# dnsmasq killed under a running lab: vmnetd restarts it, the leases are
# kept (the running guest's lease is still in the lease file and the new
# dnsmasq knows it: another client asking for its address gets another; a new guest
# gets another address, the name of the first still resolves both on the
# host and in the lab's DNS) and the first guest keeps working.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"

guest_lab_ready
LEASES=/run/vmnet/dnsmasq.leases
world_add_user stu1 61001
world_add_user stu2 61002
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=isolated domain=lab > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"

mac1=52:54:00:77:56:01
guest_start vm1 stu1 "$mac1" "$NETDEV"
ip1=$(guest_wait_ready vm1 120)
wait_until 5 grep -q " $mac1 $ip1 \* " "$LEASES" || fail "lease file lacks vm1: $(cat "$LEASES")"
log "vm1 leased $ip1"

old=$(cat /run/vmnet/dnsmasq.pid)
kill -0 "$old" || fail "dnsmasq (pid $old) is not running"
kill -KILL "$old"
restarted() {
        local pid
        pid=$(cat /run/vmnet/dnsmasq.pid 2>/dev/null) || return 1
        [ -n "$pid" ] && [ "$pid" != "$old" ] && kill -0 "$pid" 2>/dev/null
}
wait_until 10 restarted || fail "dnsmasq was not restarted: $(tail -n 5 "$W/vmnetd.log")"
new=$(cat /run/vmnet/dnsmasq.pid)
log "dnsmasq $old killed, $new started by vmnetd"
grep -q "dnsmasq was killed by signal 9" "$W/vmnetd.log" || fail "vmnetd did not log the death: $(cat "$W/vmnetd.log")"
# The new dnsmasq asks vmnet-names for the leases (leasefile-ro: "init"),
# and tells each again ("old"): the lease stays.
sleep 1
grep -q " $mac1 $ip1 \* " "$LEASES" || fail "vm1's lease is gone after the restart: $(cat "$LEASES")"
# It knows it, too: a client that asks for vm1's address gets another.
other=$(world_dhcp_lease other -r "$ip1") || fail "no lease for a client after the restart: $(tail -n 5 "$W/vmnetd.log")"
[ "$other" != "$ip1" ] || fail "the restarted dnsmasq gave vm1's address $ip1 to another client: it lost its leases"
log "a client asking for $ip1 got $other"
expect_eq "getent hosts vm1.lab after the restart" "$ip1" "$(getent hosts vm1.lab | awk '{ print $1 }')"

# A second guest: another address, and the restarted dnsmasq's DNS knows vm1.
mac2=52:54:00:77:56:02
guest_start vm2 stu2 "$mac2" "$NETDEV" vmping=vm1
ip2=$(guest_wait_ready vm2 120)
log "vm2 leased $ip2 from the restarted dnsmasq"
[ "$ip2" != "$ip1" ] || fail "vm2 got vm1's address $ip1 after the restart"
line=$(guest_wait_line vm2 '^VMNET-GUEST-PING ' 30) || fail "vm2 did not report its ping"
expect_eq "vm2 pinging vm1 by name" "VMNET-GUEST-PING name=vm2 target=vm1 received=3" "$line"
wait_until 5 grep -q " $mac2 $ip2 \* " "$LEASES" || fail "lease file lacks vm2: $(cat "$LEASES")"
grep -q " $mac1 $ip1 \* " "$LEASES" || fail "vm1's lease is gone: $(cat "$LEASES")"
curl -sS --max-time 5 "http://$ip1/" | grep -q "hello from vm1" || fail "vm1 stopped answering"
log "PASS: dnsmasq $old -> $new; vm1 kept $ip1, vm2 got $ip2"
