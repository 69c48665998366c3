#!/usr/bin/env bash
# The lab segment's guard against floods from a student's guest (issue 12),
# stu1's guest the attacker, stu2's guests the victims:
#   DHCP from 500 MACs     (and 500 client MACs from one source MAC) the pool
#                          keeps room: stu2's next guest gets a lease
#   50,000 source MACs     the bridge's FDB stays bounded (max_macs per
#                          student), a login meanwhile is served at once
#   a DNS flood            stu2's guest's lookups still answer
#   a spoofed source       never leaves the lab for the LAN (nat)
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
# shellcheck source=../lib/guard.sh
. "$ROOT/tests/lib/guard.sh"
# shellcheck source=../lib/lan.sh
. "$ROOT/tests/lib/lan.sh"

guest_lab_ready
command -v tcpdump > /dev/null || skip "tcpdump is missing"
world_add_user stu1 61001
world_add_user stu2 61002
world_add_user stu3 61003
lan_up
max_macs=16
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=nat uplink_interface=lan0 domain=lab \
        dhcp_range=10.77.0.100,10.77.0.150 max_macs=$max_macs > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"
CTL=$BUILD/tests/tools/vmnetctl

guest_start victim stu2 52:54:00:77:59:02 "$NETDEV" vmctl=1 vmhost=victim
guest_start attacker stu1 52:54:00:77:59:01 "$NETDEV" vmctl=1
vip=$(guest_wait_ready victim 120)
aip=$(guest_wait_ready attacker 120)
log "victim $vip, attacker $aip"

learned() { bridge fdb show br vmnet0 | grep -vc permanent; }

log "attack: DHCP from 500 MACs, and for 500 client MACs from one"
attacker_runs 30 "vmraw dhcpflood eth0 500 && vmraw dhcpflood eth0 500 fixed"
sleep 2
flood_leases=$(grep -ci ' 02:dd:' /run/vmnet/dnsmasq.leases || true)
log "leases the flood took: $flood_leases (pool of 51)"
[ "$flood_leases" -le "$max_macs" ] || fail "the flood took $flood_leases leases, more than max_macs ($max_macs)"
expect_drops stu1 dhcp_foreign
guest_start next stu2 52:54:00:77:59:03 "$NETDEV" vmhost=next
nip=$(guest_wait_ready next 120)
log "stu2's next guest leased $nip after the flood"

log "attack: 50,000 source MACs"
before=$(learned)
attacker_runs 60 "vmraw macflood eth0 50000"
"$CTL" open stu3 > /dev/null || fail "a login during the flood was not served"
t0=$(date +%s.%N)
"$CTL" close stu3 > /dev/null
"$CTL" open stu3 > /dev/null || fail "a login after the flood was not served"
log "a login after the flood took $(echo "$(date +%s.%N) $t0" | awk '{ printf "%.3f", $1 - $2 }') s (close + open)"
after=$(learned)
log "learned FDB entries: $before before, $after after the flood"
[ "$after" -le $((before + max_macs)) ] || fail "the FDB grew by $((after - before)) entries, more than max_macs ($max_macs)"
expect_drops stu1 too_many_macs

log "attack: a DNS flood on the host"
attacker_runs 10 "vmraw dnsflood 10.77.0.1 8 > /run/dnsflood.log 2>&1 &"
sleep 1
for n in 1 2 3; do
        out=$(guest_exec victim 10 "nslookup next.lab 10.77.0.1") || fail "lookup $n during the DNS flood failed: $out"
        grep -q "$nip" <<< "$out" || fail "lookup $n during the DNS flood: $out"
done
sleep 8
attacker_runs 5 "cat /run/dnsflood.log"
expect_drops stu1 dns_rate

log "attack: a spoofed source address towards the LAN"
spoof_stays_in attacker "$aip" "$LAN_HOST"

log "PASS: floods of stu1's guest stayed stu1's; stu2's guests kept working"
grep 'guard:' "$W/vmnetd.log" | sed 's/^/    /' >&2 || true
