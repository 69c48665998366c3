#!/usr/bin/env bash
# uplink = external: the admin's own bridge (br-lan, holding the veth to the
# LAN) is adopted as it is.  vmnetd runs no dnsmasq and installs no table;
# a guest booted through vmnet-bridge-helper gets its lease from the LAN's
# DHCP server (a dnsmasq in the peer namespace) and the LAN reaches it.
# vmnetd --down removes vmnet's taps but leaves br-lan, its veth and an
# admin's taps that are not vmnet's on it: a persistent one (ip tuntap) and
# one a running process holds (as another hypervisor's VM has).
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
# shellcheck source=../lib/lan.sh
. "$ROOT/tests/lib/lan.sh"

guest_lab_ready
world_add_user stu1 61001

# The admin's LAN bridge, with the host's address, the uplink veth and a
# tap of the admin's own (say, another hypervisor's) as ports.
ip link add br-lan type bridge
ip addr add "$LAN_HOST/24" dev br-lan
ip link set br-lan up
lan_up_bridged br-lan
ip tuntap add dev adm-tap0 mode tap
ip link set adm-tap0 master br-lan up
command -v python3 >/dev/null || skip "python3 is missing"
world_spawn python3 -c '
import fcntl, struct, time
fd = open("/dev/net/tun", "r+b", buffering=0)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"adm-vm0", 0x0002 | 0x1000))  # TUNSETIFF, IFF_TAP|IFF_NO_PI
time.sleep(600)'
wait_until 5 test -e /sys/class/net/adm-vm0 || fail "no adm-vm0"
ip link set adm-vm0 master br-lan up

# The LAN's DHCP server, in the peer namespace.
cat > "$W/lan-dnsmasq.conf" <<END
interface=eth0
bind-interfaces
except-interface=lo
port=0
dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,1h
dhcp-leasefile=$W/lan-dnsmasq.leases
dhcp-authoritative
no-ping
no-resolv
no-hosts
pid-file=$W/lan-dnsmasq.pid
log-facility=-
log-dhcp
END
world_spawn ip netns exec lan dnsmasq --keep-in-foreground --conf-file="$W/lan-dnsmasq.conf" \
        2> "$W/lan-dnsmasq.log"
wait_until 10 test -s "$W/lan-dnsmasq.pid" || fail "the lan's dnsmasq did not start: $(cat "$W/lan-dnsmasq.log")"

world_config bridge=br-lan address="$LAN_HOST/24" uplink=external domain=lab > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"
for t in adm-tap0 adm-vm0; do
        [ -e "/sys/class/net/$t" ] || fail "vmnetd deleted $t at start, a tap on br-lan vmnet never made: $(cat "$W/vmnetd.log")"
done
[ ! -e /run/vmnet/dnsmasq.pid ] || fail "vmnetd started a dnsmasq in external mode"
! nft list table inet vmnet > /dev/null 2>&1 || fail "vmnetd installed a table in external mode"

mac=52:54:00:77:54:01
guest_start vm1 stu1 "$mac" "bridge,id=n0,br=br-lan,helper=$HELPER"
ip=$(guest_wait_ready vm1 120)
log "vm1 leased $ip in $(guest_boot_seconds vm1) s"
case $ip in 192.0.2.1[0-4][0-9]|192.0.2.150) ;; *) fail "lease $ip is not from the lan's dhcp-range" ;; esac
wait_until 5 grep -q " $mac $ip vm1 " "$W/lan-dnsmasq.leases" ||
        fail "the lan's dnsmasq has no lease for vm1: $(cat "$W/lan-dnsmasq.leases")"
vmtap=
for p in /sys/class/net/br-lan/brif/*; do
        p=${p##*/}
        [ "$(cat "/sys/class/net/$p/owner" 2>/dev/null)" = 61001 ] && vmtap=$p
done
[ -n "$vmtap" ] || fail "no tap of stu1 on br-lan: $(ls /sys/class/net/br-lan/brif)"
# the guard stands between students' ports, and the uplink is the host's side
ports=$(nft list map bridge vmnet_guard in_ports) || fail "no guard on the admin's bridge"
grep -q "\"$vmtap\" : goto in_61001" <<< "$ports" || fail "stu1's tap $vmtap is not in the guard's ports: $ports"
! grep -q '"lan0"' <<< "$ports" || fail "the admin's uplink lan0 is taken for a student's port: $ports"

page=$(lan curl -sS --max-time 5 "http://$ip/") || fail "the lan peer gets no page from vm1 at $ip"
grep -q "hello from vm1" <<< "$page" || fail "vm1's page does not name it: $page"
page=$(curl -sS --max-time 5 "http://$ip/") || fail "the host gets no page from vm1 at $ip"
grep -q "hello from vm1" <<< "$page" || fail "vm1's page does not name it: $page"

# Stop vmnetd (SIGTERM keeps taps), then --down, as the package's prerm does.
kill -TERM "$VMNETD_PID"
wait_until 10 sh -c "! kill -0 $VMNETD_PID 2>/dev/null" || fail "vmnetd did not exit on SIGTERM"
log "ports of br-lan before --down: $(cd /sys/class/net/br-lan/brif && echo *)"
"$VMNETD" -c "$W/vmnet.conf" --down 2> "$W/down.log" || fail "vmnetd --down failed: $(cat "$W/down.log")"
[ ! -e "/sys/class/net/$vmtap" ] || fail "--down left vmnet's tap $vmtap"
[ -e /sys/class/net/br-lan ] || fail "--down removed the admin's bridge br-lan: $(cat "$W/down.log")"
expect_eq "bridge of lan0 after --down" br-lan "$(basename "$(readlink /sys/class/net/lan0/master)")"
expect_eq "br-lan's address after --down" "$LAN_HOST/24" \
        "$(ip -4 -o addr show dev br-lan | awk '{ print $4 }')"
busybox ping -c 1 -W 2 "$LAN_PEER" > /dev/null || fail "the host lost the lan after --down"
for t in adm-tap0 adm-vm0; do
        [ -e "/sys/class/net/$t" ] || fail "--down deleted $t, a tap on br-lan vmnet never made: $(cat "$W/down.log")"
done
log "PASS: vm1 leased $ip from the lan's dnsmasq; --down removed $vmtap and left br-lan, lan0 and the admin's taps"
