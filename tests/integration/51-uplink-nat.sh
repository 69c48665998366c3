#!/usr/bin/env bash
# uplink = nat: a guest reaches a server on the host's LAN segment, and the
# server sees the host's address (masquerade), never the guest's.  From the
# LAN only replies come in: a LAN machine with a route to the lab via the
# host opens no connection to the guest, finds no resolver on the lab's
# DNS, and is not routed on to the host's other networks (forwarding was
# off before vmnetd turned it on for the lab).
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
# shellcheck source=../lib/lan.sh
. "$ROOT/tests/lib/lan.sh"

guest_lab_ready
world_add_user stu1 61001
lan_up
lan_serve
lan ip route add 10.77.0.0/24 via "$LAN_HOST"
lan_far_up
echo 0 > /proc/sys/net/ipv4/ip_forward   # this test's own namespace
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=nat uplink_interface=lan0 domain=lab \
        > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"
nft list table inet vmnet > "$W/nft.txt" || fail "no nftables table inet vmnet in nat mode"
grep -q masquerade "$W/nft.txt" || fail "no masquerade in nat mode: $(cat "$W/nft.txt")"

url="http://$LAN_PEER:$LAN_PORT/"
guest_start vm1 stu1 52:54:00:77:51:01 "$NETDEV" \
        vmping="$LAN_PEER" vmwget="$url"
ip=$(guest_wait_ready vm1 120)
log "vm1 leased $ip in $(guest_boot_seconds vm1) s"
line=$(guest_wait_line vm1 '^VMNET-GUEST-PING ' 30) || fail "vm1 did not report its ping"
expect_eq "vm1 pinging the lan peer" "VMNET-GUEST-PING name=vm1 target=$LAN_PEER received=3" "$line"
line=$(guest_wait_line vm1 '^VMNET-GUEST-WGET ' 30) || fail "vm1 did not report its fetch"
expect_eq "vm1 fetching from the lan peer" "VMNET-GUEST-WGET name=vm1 ok=1 url=$url" "$line"
guest_wait_line vm1 '^VMNET-GUEST-WGET-BODY page of the lan peer$' 5 >/dev/null ||
        fail "vm1 fetched the wrong page"

wait_until 5 test -s "$W/lan-http.log" || fail "the lan peer's server logged no request"
expect_eq "source address the lan peer saw" "$LAN_HOST" "$(lan_clients | sort -u | tr '\n' ' ' | sed 's/ $//')"
log "PASS: vm1 ($ip) reached $LAN_PEER, seen as $LAN_HOST"

# Only replies come in from the LAN.
expect_eq "ip_forward with uplink nat" 1 "$(cat /proc/sys/net/ipv4/ip_forward)"
curl -s --max-time 5 -o /dev/null "http://$ip/" || fail "the host itself gets no page from vm1"
! lan curl -s --max-time 3 -o /dev/null "http://$ip/" ||
        fail "a LAN machine opened a connection to vm1 at $ip through the nat"
# The lab's DNS answers the host and the lab, never the LAN.
busybox nslookup vm1.lab 10.77.0.1 > "$W/ns-host.txt" 2>&1 || fail "the host's own lookup of vm1.lab failed: $(cat "$W/ns-host.txt")"
grep -q "$ip" "$W/ns-host.txt" || fail "vm1.lab did not resolve to $ip: $(cat "$W/ns-host.txt")"
! timeout 10 ip netns exec lan busybox nslookup vm1.lab 10.77.0.1 > "$W/ns-lan.txt" 2>&1 ||
        fail "the lab's DNS answered the LAN: $(cat "$W/ns-lan.txt")"
# Nothing is forwarded between the LAN and the host's other networks.
busybox ping -c 1 -W 2 "$FAR_PEER" > /dev/null || fail "the host cannot reach its far network"
! lan busybox ping -c 1 -W 2 "$FAR_PEER" > /dev/null || fail "the host routed the LAN to its far network"
log "PASS: nat lets in only replies: no connection, no resolver, no routing for the LAN"
