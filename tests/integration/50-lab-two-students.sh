#!/usr/bin/env bash
# The lab as students use it: vmnetd runs the bridge and dnsmasq; two
# students, each logged in (a held session), each boot a real QEMU guest
# through vmnet-bridge-helper as themselves.  Both guests get leases; guest
# 2 pings guest 1 by name (dnsmasq's DNS); the host fetches a page from
# each; getent on the host resolves a VM through nss_vmnet soon after its
# lease (two VMs with one name: 55-lab-same-name).  A student cannot open another student's tap, nor get a tap on a bridge
# that is not the lab's.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"

guest_lab_ready
CTL=$BUILD/tests/tools/vmnetctl
LEASES=/run/vmnet/dnsmasq.leases
[ -x "$CTL" ] || fail "build/tests/tools/vmnetctl is not built"
world_add_user stu1 61001
world_add_user stu2 61002
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=isolated domain=lab max_taps=4 \
        > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"

as() { local u=$1; shift; runuser -u "$u" -- env LD_LIBRARY_PATH="$LD_LIBRARY_PATH" "$@"; }

# Both students log in (a session held by a process that stays, as sshd).
for u in stu1 stu2; do
        world_spawn "$CTL" hold "$u" 600 > "$W/hold.$u"
        wait_until 5 test -s "$W/hold.$u" || fail "no answer to OPEN for $u"
        expect_eq "login tap of $u" "tap-$u" "$(cat "$W/hold.$u")"
done

mac1=52:54:00:77:01:01 mac2=52:54:00:77:01:02
guest_start vm1 stu1 "$mac1" "$NETDEV"
ip1=$(guest_wait_ready vm1 120)
t_ready1=$(date +%s.%N)
# The host resolves vm1 through nss_vmnet to its lease, soon after the lease.
resolves_to() { [ "$(getent hosts "$1" | awk '{ print $1 }')" = "$2" ]; }
wait_until 5 resolves_to vm1.lab "$ip1" || fail "getent hosts vm1.lab gives '$(getent hosts vm1.lab)', not $ip1; snapshot: $(tr -c '[:print:]\n' . < /run/vmnet/hosts 2>&1)"
delay=$(echo "$(date +%s.%N) $t_ready1" | awk '{ printf "%.2f\n", $1 - $2 }')
log "getent hosts vm1.lab -> $ip1, $delay s after the guest reported its lease"
awk -v d="$delay" 'BEGIN { exit !(d <= 2.5) }' || fail "getent found vm1 only $delay s after its lease"
expect_eq "getent hosts vm1.stu1.lab" "$ip1" "$(getent hosts vm1.stu1.lab | awk '{ print $1 }')"

# vm2 pings vm1 right after its own lease: vm1 must have its name by then
guest_start vm2 stu2 "$mac2" "$NETDEV" vmping=vm1
ip2=$(guest_wait_ready vm2 120)
log "vm1 (stu1) leased $ip1 in $(guest_boot_seconds vm1) s; vm2 (stu2) leased $ip2 in $(guest_boot_seconds vm2) s"
[ "$ip1" != "$ip2" ] || fail "both guests got $ip1"
for ip in "$ip1" "$ip2"; do
        case $ip in 10.77.0.1[0-9][0-9]|10.77.0.2[0-4][0-9]|10.77.0.250) ;;
        *) fail "lease $ip is outside the lab's dhcp range" ;; esac
done
wait_until 5 grep -q " $mac1 $ip1 \* " "$LEASES" || fail "lease file lacks vm1: $(cat "$LEASES")"
wait_until 5 grep -q " $mac2 $ip2 \* " "$LEASES" || fail "lease file lacks vm2: $(cat "$LEASES")"

# Each VM tap is on the lab bridge and owned by the student whose QEMU has it.
vmtap_of() { # vmtap_of UID: the tap on vmnet0 owned by UID (login links are veths)
        local d
        for d in /sys/class/net/vmnet0/brif/*; do
                d=${d##*/}
                [ "$(cat "/sys/class/net/$d/owner" 2>/dev/null)" = "$1" ] && { echo "$d"; return 0; }
        done
        return 1
}
tap1=$(vmtap_of 61001) || fail "no VM tap of stu1 on vmnet0: $(ls /sys/class/net/vmnet0/brif)"
tap2=$(vmtap_of 61002) || fail "no VM tap of stu2 on vmnet0: $(ls /sys/class/net/vmnet0/brif)"
log "VM taps: stu1 $tap1, stu2 $tap2"

wait_until 5 resolves_to vm2.lab "$ip2" || fail "getent hosts vm2.lab gives '$(getent hosts vm2.lab)', not $ip2"

# Guest 2 pings guest 1 by name: dnsmasq's DNS answers vm1 on the lab.
line=$(guest_wait_line vm2 '^VMNET-GUEST-PING ' 30) || fail "vm2 did not report its ping"
expect_eq "vm2 pinging vm1 by name" "VMNET-GUEST-PING name=vm2 target=vm1 received=3" "$line"

# The host reaches a TCP port on each guest, no port forwarding.
for g in "vm1 $ip1" "vm2 $ip2"; do
        read -r name ip <<< "$g"
        set -- "$name" "$ip"
        page=$(curl -sS --max-time 5 "http://$2/") || fail "no page from $1 at http://$2/"
        grep -q "hello from $1" <<< "$page" || fail "$1's page does not name it: $page"
        hello=$(printf 'echo-me\n' | timeout 10 busybox nc -w 3 "$2" 7) || true
        grep -qx "hello from $1" <<< "$hello" || fail "port 7 of $1 did not greet: '$hello'"
done

# --- a student cannot use another student's tap --------------------------
# (stu1's extra tap and VM tap: real taps stu1 owns; the login link tap-stu1
# is no tap at all, QEMU cannot open it for anyone)
extra1=$(runuser -u stu1 -- "$CTL" tap-add) || fail "stu1 could not add a tap"
expect_eq "owner of stu1's extra tap $extra1" 61001 "$(cat "/sys/class/net/$extra1/owner")"
for victim in "$extra1" "$tap1"; do
        guest_start "intruder-$victim" stu2 52:54:00:77:01:66 \
                "tap,id=n0,ifname=$victim,script=no,downscript=no"
        wait_until 20 guest_exited "intruder-$victim" || fail "stu2's QEMU on $victim still runs"
        grep -q "Operation not permitted" "$(guest_log "intruder-$victim")" ||
                fail "stu2 on $victim: expected EPERM, got: $(cat "$(guest_log "intruder-$victim")")"
done
# --- nor a tap on a bridge that is not the lab's -------------------------
ip link add otherbr type bridge
ip link set otherbr up
guest_start elsewhere stu1 52:54:00:77:01:67 "bridge,id=n0,br=otherbr,helper=$HELPER"
wait_until 20 guest_exited elsewhere || fail "stu1's QEMU on otherbr still runs"
grep -q "vmnet-bridge-helper: vmnetd refused a tap on bridge 'otherbr'" "$(guest_log elsewhere)" ||
        fail "QEMU on br=otherbr did not fail with the helper's refusal: $(cat "$(guest_log elsewhere)")"
[ -z "$(ls /sys/class/net/otherbr/brif)" ] || fail "something was plugged into otherbr"
# vm1 was not disturbed by any of it
curl -sS --max-time 5 "http://$ip1/" | grep -q "hello from vm1" || fail "vm1 stopped answering"

log "PASS: vm1 $ip1, vm2 $ip2; getent $delay s after the lease"
