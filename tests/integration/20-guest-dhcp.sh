#!/usr/bin/env bash
# A real QEMU guest, run by a student on a tap that student owns, gets its
# lease from a real dnsmasq on the lab bridge, is reachable from the host
# (ping, its web page, its hello port) and reaches the host itself.  The
# bridge, the tap and dnsmasq's config are made by hand here, as vmnetd
# will make them; another user cannot use the student's tap.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"

guest_build
command -v dnsmasq >/dev/null || skip "dnsmasq is missing: run tools/install-deps"
world_add_user stu1 61001
world_add_user stu2 61002
guest_allow_tun

ip link add vmnet0 type bridge
ip addr add 10.77.0.1/24 dev vmnet0
ip link set vmnet0 up
ip tuntap add dev tap-stu1 mode tap user stu1
ip link set tap-stu1 master vmnet0 up

cat > "$W/dnsmasq.conf" <<EOF
interface=vmnet0
bind-interfaces
except-interface=lo
dhcp-range=10.77.0.100,10.77.0.199,255.255.255.0,1h
dhcp-leasefile=$W/dnsmasq.leases
dhcp-authoritative
no-ping
no-resolv
no-hosts
domain=lab
local=/lab/
pid-file=$W/dnsmasq.pid
log-dhcp
EOF
world_spawn dnsmasq --keep-in-foreground --conf-file="$W/dnsmasq.conf" --log-facility=- \
        2>"$W/dnsmasq.log"
DNSMASQ_PID=$SPAWNED
wait_until 10 test -s "$W/dnsmasq.pid" || fail "dnsmasq wrote no pid file: $(cat "$W/dnsmasq.log")"
kill -0 "$DNSMASQ_PID" || fail "dnsmasq exited: $(cat "$W/dnsmasq.log")"

# A page on the host for the guest to fetch (its vmwget knob).
mkdir -p "$W/www"
echo "host page for the guest" > "$W/www/index.html"
world_spawn busybox httpd -f -p 10.77.0.1:8080 -h "$W/www"

# stu2 may not open stu1's tap: QEMU stops with the kernel's EPERM.
guest_start intruder stu2 52:54:00:77:00:02 tap,id=n0,ifname=tap-stu1,script=no,downscript=no
wait_until 20 guest_exited intruder || fail "QEMU of stu2 on tap-stu1 still runs"
grep -q "Operation not permitted" "$(guest_log intruder)" ||
        fail "stu2 on tap-stu1: expected EPERM, got: $(cat "$(guest_log intruder)")"
[ "$(brport_state tap-stu1)" = 0 ] || fail "tap-stu1 forwards with no VM on it"

mac=52:54:00:77:00:01
guest_start vm1 stu1 "$mac" tap,id=n0,ifname=tap-stu1,script=no,downscript=no \
        vmping=10.77.0.1 vmwget=http://10.77.0.1:8080/
ip=$(guest_wait_ready vm1 90)
log "vm1 leased $ip; boot to lease $(guest_boot_seconds vm1) s"
expect_eq "port state of tap-stu1 with QEMU on it" 3 "$(brport_state tap-stu1)"
case $ip in 10.77.0.1[0-9][0-9]) ;; *) fail "lease $ip is outside dhcp-range" ;; esac

# dnsmasq's record: EXPIRY MAC IP HOSTNAME CLIENTID (rewritten in place, so poll).
wait_until 5 grep -q " $mac $ip vm1 " "$W/dnsmasq.leases" ||
        fail "lease file lacks '$mac $ip vm1': $(cat "$W/dnsmasq.leases")"

busybox ping -c 3 -W 1 "$ip" > "$W/ping.out" 2>&1 ||
        fail "host cannot ping vm1 at $ip: $(cat "$W/ping.out")"
grep -q "3 packets received" "$W/ping.out" || fail "ping lost packets: $(cat "$W/ping.out")"

page=$(curl -sS --max-time 5 "http://$ip/") || fail "no page from vm1 at http://$ip/"
grep -q "hello from vm1" <<< "$page" || fail "vm1's page does not name it: $page"

hello=$(printf 'echo-me\n' | timeout 10 busybox nc -w 5 "$ip" 7) || true
grep -qx "hello from vm1" <<< "$hello" || fail "port 7 did not greet: '$hello'"
grep -qx "echo-me" <<< "$hello" || fail "port 7 did not echo: '$hello'"

line=$(guest_wait_line vm1 '^VMNET-GUEST-PING ' 20) || fail "vm1 did not report its ping"
expect_eq "vm1 pinging the host" "VMNET-GUEST-PING name=vm1 target=10.77.0.1 received=3" "$line"
line=$(guest_wait_line vm1 '^VMNET-GUEST-WGET ' 20) || fail "vm1 did not report its fetch"
expect_eq "vm1 fetching from the host" "VMNET-GUEST-WGET name=vm1 ok=1 url=http://10.77.0.1:8080/" "$line"
guest_wait_line vm1 '^VMNET-GUEST-WGET-BODY host page for the guest$' 5 >/dev/null ||
        fail "vm1 fetched the wrong page"

guest_stop vm1
tap_disabled() { [ "$(brport_state tap-stu1)" = 0 ]; }
wait_until 5 tap_disabled || fail "tap-stu1 still forwards after QEMU ended"
log "PASS: lease $ip for vm1 ($mac), boot to lease $(guest_boot_seconds vm1) s"
