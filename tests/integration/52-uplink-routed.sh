#!/usr/bin/env bash
# uplink = routed: no NAT.  A LAN peer with a route to the lab via the host
# reaches a guest's TCP ports directly (no port forwarding), and the guest's
# own address is what the peer sees when the guest connects out, but a
# spoofed source never leaves the lab.  The host routes the lab, not the
# LAN on to its other networks (forwarding was off before vmnetd turned it
# on).
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
# shellcheck source=../lib/lan.sh
. "$ROOT/tests/lib/lan.sh"
# shellcheck source=../lib/guard.sh
. "$ROOT/tests/lib/guard.sh"

guest_lab_ready
world_add_user stu1 61001
lan_up
lan_serve
lan ip route add 10.77.0.0/24 via "$LAN_HOST"
lan_far_up
echo 0 > /proc/sys/net/ipv4/ip_forward   # this test's own namespace
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=routed uplink_interface=lan0 domain=lab \
        > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"
expect_eq "IPv4 forwarding in routed mode" 1 "$(cat /proc/sys/net/ipv4/ip_forward)"
! nft list ruleset | grep -q masquerade || fail "routed mode masquerades: $(nft list ruleset)"

url="http://$LAN_PEER:$LAN_PORT/"
command -v tcpdump > /dev/null || skip "tcpdump is missing"
guest_start vm1 stu1 52:54:00:77:52:01 "$NETDEV" vmwget="$url" vmctl=1
ip=$(guest_wait_ready vm1 120)
log "vm1 leased $ip in $(guest_boot_seconds vm1) s"

# The peer reaches the guest's ports: its web page and its hello port.
page=$(lan curl -sS --max-time 5 "http://$ip/") || fail "the lan peer gets no page from vm1 at $ip"
grep -q "hello from vm1" <<< "$page" || fail "vm1's page does not name it: $page"
hello=$(printf 'echo-me\n' | timeout 10 ip netns exec lan busybox nc -w 3 "$ip" 7) || true
grep -qx "hello from vm1" <<< "$hello" || fail "the lan peer got no greeting on vm1's port 7: '$hello'"
grep -qx "echo-me" <<< "$hello" || fail "vm1's port 7 did not echo to the lan peer: '$hello'"

# The guest's own connection out arrives with the guest's own address.
line=$(guest_wait_line vm1 '^VMNET-GUEST-WGET ' 30) || fail "vm1 did not report its fetch"
expect_eq "vm1 fetching from the lan peer" "VMNET-GUEST-WGET name=vm1 ok=1 url=$url" "$line"
wait_until 5 test -s "$W/lan-http.log" || fail "the lan peer's server logged no request"
expect_eq "source address the lan peer saw" "$ip" "$(lan_clients | sort -u | tr '\n' ' ' | sed 's/ $//')"
spoof_stays_in vm1 "$ip" "$ip"
busybox ping -c 1 -W 2 "$FAR_PEER" > /dev/null || fail "the host cannot reach its far network"
! lan busybox ping -c 1 -W 2 "$FAR_PEER" > /dev/null || fail "the host routed the LAN to its far network"
log "PASS: the lan peer reached vm1 at $ip (ports 80 and 7); vm1 reached it as $ip"
