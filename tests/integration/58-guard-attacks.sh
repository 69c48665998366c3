#!/usr/bin/env bash
# The lab segment's guard against a hostile guest (issue 12).  The attacker
# is a guest of stu1 running as root inside its VM (vmraw, ip, arping), the
# victim a guest of stu2 that must keep working; one boot of each, attacks
# one after the other, each checked where it would hurt:
#   rogue DHCP server      the victim's renewals come from the lab's dnsmasq
#   the gateway's address  gratuitous ARP, ARP replies and a static
#                          10.77.0.1: host and victim keep the host's MAC
#   the victim's address   static + ARP: the host keeps the victim's MAC, the
#                          victim keeps talking to the host
#   the victim's MAC       the FDB keeps it on the victim's port; and set on a
#                          tap of stu1's through its fd (SIOCSIFHWADDR, no
#                          privilege needed): vmnetd gives the tap a fresh
#                          address at once, the host keeps reaching the victim
#   ARP poisoning          replies to the victim and to the host
#   IPv6 RA, DHCPv6        the host's routes and addresses unchanged, the
#                          victim takes no prefix
#   a VLAN tag             (around a claim of the gateway) dropped whole
#   a spoofed source       never leaves the lab (nat)
# and each attack shows in the attacker's drop counters.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
# shellcheck source=../lib/guard.sh
. "$ROOT/tests/lib/guard.sh"

guard_lab_up

amac=52:54:00:77:58:01 vmac=52:54:00:77:58:02
guest_start victim stu2 "$vmac" "$NETDEV" vmctl=1
guest_start attacker stu1 "$amac" "$NETDEV" vmctl=1
vip=$(guest_wait_ready victim 120)
aip=$(guest_wait_ready attacker 120)
hmac=$(cat /sys/class/net/vmnet0/address)
log "victim $vip ($vmac), attacker $aip ($amac), host 10.77.0.1 ($hmac)"
victim_reaches_host || fail "the victim cannot reach the host before any attack"
host_reaches "$vip" || fail "the host cannot reach the victim before any attack"
ip6_before=$(ip -6 route show; ip -6 addr show dev vmnet0)

log "attack: a DHCP server in stu1's guest"
guest_exec attacker 10 "printf '%s\n' 'start 10.77.0.60' 'end 10.77.0.69' 'interface eth0' \
'lease_file /run/rogue.leases' 'option subnet 255.255.255.0' 'option router $aip' 'option dns $aip' \
> /run/rogue.conf; : > /run/rogue.leases; udhcpd -f -a 0 /run/rogue.conf > /run/rogue.log 2>&1 &" ||
        fail "cannot start the rogue DHCP server"
guest_exec victim 5 "vmraw dhcpwatch eth0 12 > /run/dhcpwatch.log 2>&1 &" > /dev/null
for n in 1 2 3; do
        lease=$(victim_dhcp_once) || fail "renewal $n: the victim got no lease: $lease"
        case $lease in
        *"serverid=10.77.0.1 "*) ;;
        *) fail "renewal $n: the victim's lease came from elsewhere: $lease" ;;
        esac
done
offers=$(guest_exec attacker 5 "grep -c 'sending OFFER' /run/rogue.log" || true)
watched=$(guest_exec victim 20 "while ! grep -q '^vmraw: sent' /run/dhcpwatch.log; do sleep 0.5; done; cat /run/dhcpwatch.log")
log "DHCP server messages the victim saw: ${watched//$'\n'/; }"
grep -q "dhcp server 10.77.0.1: [1-9]" <<< "$watched" || fail "the victim's watch saw no answer of dnsmasq's: it proves nothing"
! grep -q "dhcp server $aip:" <<< "$watched" || fail "the rogue's DHCP answers reached the victim"
log "the victim's 3 renewals came from the lab's dnsmasq; the rogue sent ${offers:-0} offers"
[ "${offers:-0}" -gt 0 ] || fail "the rogue DHCP server sent no offer (the attack did not happen): $(guest_exec attacker 5 cat /run/rogue.log)"
expect_drops stu1 dhcp_server
status_says stu1 "attacker \($amac\) answered DHCP on the lab: [0-9]+ frames? blocked"
status_says stu2 "^blocked +nothing$"
guest_exec attacker 5 "killall udhcpd" > /dev/null || true

log "attack: stu1's guest claims the gateway's address"
attacker_runs 10 "vmraw arp eth0 reply self 10.77.0.1 ff:ff:ff:ff:ff:ff 10.77.0.1 3 &&
vmraw arp eth0 reply self 10.77.0.1 $vmac $vip 3 &&
vmraw arp eth0 request self 10.77.0.1 00:00:00:00:00:00 10.77.0.1 3"
guest_exec attacker 10 "ip addr add 10.77.0.1/32 dev eth0; arping -U -c 2 -I eth0 10.77.0.1; ip addr del 10.77.0.1/32 dev eth0" > /dev/null || true
victim_neighbour_is 10.77.0.1 "$hmac" || fail "the victim's ARP entry for the gateway moved"
victim_reaches_host || fail "the victim lost the host after the gateway's address was claimed"
expect_drops stu1 host_address

log "attack: stu1's guest takes the victim's address"
guest_exec attacker 10 "ip addr add $vip/32 dev eth0; arping -U -c 2 -I eth0 $vip; ping -c 2 -W 1 -I $vip 10.77.0.1; vmraw arp eth0 reply self $vip $hmac 10.77.0.1 3; ip addr del $vip/32 dev eth0" > /dev/null || true
host_neighbour_is "$vip" "$vmac" || fail "the host's ARP entry for the victim moved to the attacker"
victim_reaches_host || fail "the victim lost the host after its address was taken"
expect_drops stu1 address_taken

log "attack: stu1's guest sends with the victim's MAC"
guest_exec attacker 15 "ip link set eth0 address $vmac && ping -c 3 -W 1 10.77.0.1; vmraw arp eth0 reply self $aip $hmac 10.77.0.1 3; ip link set eth0 address $amac" > /dev/null || true
fdb_port_is "$vmac" "$(port_of_guest victim)" || fail "the FDB moved the victim's MAC away from its port"
host_reaches "$vip" || fail "the host lost the victim after its MAC was used"
expect_drops stu1 mac_taken

log "attack: stu1 sets a tap's MAC to the victim's through its fd (SIOCSIFHWADDR)"
runuser -u stu1 -- "$BUILD/tests/tools/vmnetctl" vm-tap-mac vmnet0 "$vmac" 20 > "$W/steal.out" 2>&1 &
steal=$!
WORLD_PIDS+=("$steal")
wait_until 5 grep -q "^set $vmac" "$W/steal.out" || fail "stu1 could not set a tap's MAC: $(cat "$W/steal.out")"
tap=$(head -n 1 "$W/steal.out")
wait_until 3 sh -c "! grep -qix '$vmac' /sys/class/net/$tap/address" ||
        fail "vmnetd left $tap with the victim's MAC: $(bridge fdb show br vmnet0 | grep -i "$vmac")"
log "  $tap set to $vmac; vmnetd gave it $(cat "/sys/class/net/$tap/address")"
! bridge fdb show br vmnet0 | grep -i "$vmac" | grep -q permanent || fail "a local FDB entry for the victim's MAC stayed"
host_reaches "$vip" || fail "the host lost the victim to a tap with its MAC"
grep -q "guard: stu1 set the address of $tap to $vmac" "$W/vmnetd.log" || fail "vmnetd did not log the stolen MAC"
kill "$steal" 2> /dev/null || true

log "attack: ARP poisoning of the victim and of the host"
attacker_runs 10 "vmraw arp eth0 reply self 10.77.0.1 $vmac $vip 5 && vmraw arp eth0 reply self $vip $hmac 10.77.0.1 5"
victim_neighbour_is 10.77.0.1 "$hmac" || fail "the victim's ARP entry for the gateway was poisoned"
host_neighbour_is "$vip" "$vmac" || fail "the host's ARP entry for the victim was poisoned"
victim_reaches_host || fail "the victim lost the host after ARP poisoning"

log "attack: an IPv6 router advertisement and a DHCPv6 server"
attacker_runs 10 "vmraw ra eth0 && vmraw ra eth0 && vmraw dhcp6 eth0"
sleep 2
expect_eq "the host's IPv6 routes and bridge addresses after an RA" "$ip6_before" "$(ip -6 route show; ip -6 addr show dev vmnet0)"
! guest_exec victim 5 "ip -6 addr show dev eth0" | grep -q "2001:db8:77:" || fail "the victim took the attacker's IPv6 prefix"
expect_drops stu1 ipv6_router
expect_drops stu1 dhcpv6_server

log "attack: a claim of the gateway inside a VLAN tag"
attacker_runs 10 "vmraw tagged eth0 5 10.77.0.1 && vmraw tagged eth0 5 10.77.0.1"
expect_drops stu1 vlan
victim_neighbour_is 10.77.0.1 "$hmac" || fail "the victim's ARP entry for the gateway moved"

# what stu1 reads, in JSON too: vmnetd answers a status from drop counters
# it read at most a second before (STATUS_FRESH_MS), so the last attack's
# may show a moment later
status_shows_attacks() {
        runuser -u stu1 -- "$BUILD/vmnet" status --json > "$W/status.json" || fail "vmnet status --json failed"
        python3 -c 'import json, sys; g = json.load(open(sys.argv[1]))["guard"]; kinds = {b["kind"] for b in g["blocked"]}
assert g["on"] and not g["exam"], g
assert {"dhcp_server", "host_address", "address_taken", "mac_taken", "ipv6_router", "vlan"} <= kinds, kinds' \
                "$W/status.json" 2> "$W/status.check"
}
wait_until 5 status_shows_attacks || fail "vmnet status --json: $(cat "$W/status.json" "$W/status.check")"

log "PASS: every attack of stu1's guest was blocked; stu2's guest and the host kept working"
tr -d '\r' < "$W/vmnetd.log" | grep 'guard:' | sed 's/^/    /' >&2 || true
