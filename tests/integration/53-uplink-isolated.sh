#!/usr/bin/env bash
# uplink = isolated: host-only.  Even with IPv4 forwarding on (the host may
# route for other reasons), a guest routing via the host cannot reach a LAN
# peer, and the peer, with a route to the lab, cannot reach the guest; the
# host itself still reaches the guest.  Deleting vmnetd's table lets the
# same packets through, so it is that table that stops them.
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
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=isolated domain=lab > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"
nft list table inet vmnet > /dev/null || fail "no nftables table inet vmnet in isolated mode"
echo 1 > /proc/sys/net/ipv4/ip_forward

url="http://$LAN_PEER:$LAN_PORT/"
# DHCP names no router in isolated mode; vmgw gives the guest one anyway.
guest_start vm1 stu1 52:54:00:77:53:01 "$NETDEV" \
        vmgw=10.77.0.1 vmping="$LAN_PEER" vmwget="$url"
ip=$(guest_wait_ready vm1 120)
log "vm1 leased $ip in $(guest_boot_seconds vm1) s"
line=$(guest_wait_line vm1 '^VMNET-GUEST-PING ' 30) || fail "vm1 did not report its ping"
expect_eq "vm1 pinging the lan peer" "VMNET-GUEST-PING name=vm1 target=$LAN_PEER received=0" "$line"
line=$(guest_wait_line vm1 '^VMNET-GUEST-WGET ' 30) || fail "vm1 did not report its fetch"
expect_eq "vm1 fetching from the lan peer" "VMNET-GUEST-WGET name=vm1 ok=0 url=$url" "$line"
[ ! -s "$W/lan-http.log" ] || fail "the lan peer's server saw requests: $(cat "$W/lan-http.log")"
! lan curl -s --max-time 3 -o /dev/null "http://$ip/" || fail "the lan peer reached vm1 at $ip"
! lan busybox ping -c 2 -W 1 "$ip" > /dev/null || fail "the lan peer pinged vm1 at $ip"

# The host still reaches the guest.
busybox ping -c 2 -W 1 "$ip" > "$W/ping.out" || fail "the host cannot ping vm1: $(cat "$W/ping.out")"
page=$(curl -sS --max-time 5 "http://$ip/") || fail "the host gets no page from vm1 at $ip"
grep -q "hello from vm1" <<< "$page" || fail "vm1's page does not name it: $page"

# Control: without vmnetd's table the peer gets through (bounded, 3 s).
nft delete table inet vmnet
lan curl -sS --max-time 3 "http://$ip/" | grep -q "hello from vm1" ||
        fail "the lan peer cannot reach vm1 even without the table: the test proves nothing"
log "PASS: vm1 ($ip) and the lan peer cannot reach each other; the host reaches vm1"
