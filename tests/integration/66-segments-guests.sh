#!/usr/bin/env bash
# A student's multi-network exercise on a private segment, with real QEMU
# guests (TCG) attached through vmnet's bridge helper, br=lan2:
#   - stu1's router: two NICs, the lab (its lease from the lab's dnsmasq)
#     and lan2, where it runs a DHCP server (busybox udhcpd, 192.168.50.1,
#     itself as router) and forwards between them;
#   - stu1's client: one NIC, on lan2 only; its lease comes from the
#     router's server, never from the lab's dnsmasq (which never answers on
#     lan2), and it pings the host's lab address through the router;
#   - stu2's guest on stu2's own lan2, a DHCP server at the same address:
#     another segment, which stu1's lan2 never reaches.
# stu2's QEMU asking for stu1's lan2 is refused with the one refusal text,
# as for a bridge that does not exist.  What VirtualBox sends on the
# segment's link (the AF_PACKET stand-in) reaches the guests on it.  The
# segment cannot be deleted under the VMs; vmnetd killed -9 and restarted
# adopts it with the guests still connected (nothing left over, nothing
# new); stu1's last logout takes lan2, cutting the guests from it.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"

VMNET=$BUILD/vmnet
CTL=$BUILD/tests/tools/vmnetctl
[ -x "$VMNET" ] || skip "build/vmnet is not built"
command -v python3 > /dev/null || skip "python3 is missing"
guest_lab_ready
# KVM where the students' QEMU may open it (here: not), else TCG
# shellcheck disable=SC2034 # guest_start reads it
GUEST_ACCEL=kvm:tcg
world_add_user stu1 61001
world_add_user stu2 61002
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=isolated domain=lab max_taps=6 > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> >(tee -a "$W/vmnetd.log" >&2)

world_spawn "$CTL" hold stu1 900; S1=$SPAWNED
world_spawn "$CTL" hold stu2 900
wait_until 10 test -e /sys/class/net/tap-stu1 -a -e /sys/class/net/tap-stu2 || fail "no login links"
for u in stu1 stu2; do
        runuser -u "$u" -- "$VMNET" segment add lan2 > "$W/add.$u" 2>&1 || fail "$u: segment add lan2: $(cat "$W/add.$u")"
done
lan2_bridge() { sed -n 's/^segment lan2: link [^,]*, bridge \(.*\)$/\1/p' "$W/add.$1"; }
BR1=$(lan2_bridge stu1) BR2=$(lan2_bridge stu2)
if [ -z "$BR1" ] || [ -z "$BR2" ] || [ "$BR1" = "$BR2" ]; then fail "lan2 bridges: stu1 '$BR1', stu2 '$BR2'"; fi
LAN2="bridge,id=n0,br=lan2,helper=$HELPER"

# --- the guests: stu1's router and client, stu2's server on its own lan2 -----
# (the second NIC in a later PCI slot than guest_start's: the guest's eth1)
# shellcheck disable=SC2034 # guest_start reads it
GUEST_QEMU_ARGS=(-netdev "bridge,id=n1,br=lan2,helper=$HELPER"
                 -device "virtio-net-pci,netdev=n1,mac=52:55:00:ee:51:02,romfile=,addr=0x10")
guest_start router stu1 52:55:00:ee:51:01 "$NETDEV" vmrouter=192.168.50.1 vmctl=1
# shellcheck disable=SC2034 # guest_start reads it
GUEST_QEMU_ARGS=()
guest_start other stu2 52:55:00:ee:52:01 "$LAN2" vmdhcpd=192.168.50.1
router_ip=$(guest_wait_ready router 180)
[[ $router_ip == 10.77.0.* ]] || fail "the router's lab NIC leased $router_ip"
# the host's way back to lan2 is the router (a student's routed exercise)
ip route add 192.168.50.0/24 via "$router_ip" dev vmnet0
guest_start client stu1 52:55:00:ee:51:11 "$LAN2" vmping=10.77.0.1 vmctl=1
client_ip=$(guest_wait_ready client 180)
guest_wait_ready other 180 > /dev/null
log "router $router_ip (lab) + 192.168.50.1 (lan2), client $client_ip on lan2"

# the VMs' taps (tun devices) among a bridge's ports
vm_taps_on() {
        local p
        for p in "/sys/class/net/$1/brif/"*; do
                [ ! -e "/sys/class/net/${p##*/}/tun_flags" ] || echo "${p##*/}"
        done
}
expect_eq "VM taps on stu1's lan2 (the router's second NIC, the client)" 2 "$(vm_taps_on "$BR1" | wc -l)"
expect_eq "VM taps on stu2's lan2" 1 "$(vm_taps_on "$BR2" | wc -l)"
for t in $(vm_taps_on "$BR1"); do
        [[ $t == vmns* ]] || fail "a tap on lan2 named $t"
        expect_eq "owner of $t" 61001 "$(cat "/sys/class/net/$t/owner")"
done

# --- DHCP on lan2 is the student's own ---------------------------------------
[[ $client_ip == 192.168.50.6[0-9] ]] || fail "the client's lease $client_ip is not from the router's server"
# the log shows what the lab's dnsmasq hears (else the checks below prove nothing)
grep -qi 'DHCPACK(vmnet0) .* 52:55:00:ee:51:01' "$W/vmnetd.log" ||
        fail "vmnetd's log has no DHCPACK of the lab's dnsmasq for the router's lab NIC"
! grep -qi '52:55:00:ee:51:11' /run/vmnet/dnsmasq.leases || fail "the lab's dnsmasq leased to the client on lan2"
! grep -qi '52:55:00:ee:51:11' "$W/vmnetd.log" || fail "the lab's dnsmasq heard the client: $(grep -i 52:55:00:ee:51:11 "$W/vmnetd.log")"
! grep -qi '52:55:00:ee:51:02' "$W/vmnetd.log" || fail "the lab's dnsmasq heard the router's lan2 NIC"
grep -qi '52:55:00:ee:51:01' /run/vmnet/dnsmasq.leases || fail "the router's lab NIC has no lease of the lab's"
log "the client's lease $client_ip came from the router's udhcpd; the lab's dnsmasq heard nothing of lan2"

# --- routing: the client reaches the host through the router ----------------
ping=$(guest_wait_line client '^VMNET-GUEST-PING ' 60) || fail "the client did not ping"
[[ $ping == *"target=10.77.0.1 received=3" ]] || fail "the client's pings to the host through the router: $ping"
out=$(guest_exec client 20 "ip route; timeout 10 wget -q -O - http://$router_ip/ | grep -o 'VMNET-GUEST-PAGE[^<]*'") ||
        fail "the client cannot fetch the router's lab side: $out"
grep -q "default via 192.168.50.1" <<< "$out" || fail "the client's route is not the router: $out"
log "the client reached 10.77.0.1 and $router_ip through the router"

# --- stu2's QEMU on stu1's lan2: the one refusal --------------------------
qemu_refusal() { # qemu_refusal BRIDGE: what QEMU run by stu2 with br=BRIDGE says, stu2's helper's line
        local rc=0
        runuser -u stu2 -- timeout 30 qemu-system-x86_64 -machine accel=tcg -nographic -no-reboot -m 64 \
                -netdev "bridge,id=n0,br=$1,helper=$HELPER" -device virtio-net-pci,netdev=n0 \
                -kernel "$W/guest/vmlinuz" < /dev/null > "$W/refused.$1" 2>&1 || rc=$?
        [ "$rc" -ne 0 ] || fail "QEMU of stu2's started on br=$1"
        grep -o "vmnet-bridge-helper: .*" "$W/refused.$1" | head -n 1
}
r_lan3=$(qemu_refusal lan3) r_nosuch=$(qemu_refusal nosuch)
[[ $r_lan3 == "vmnet-bridge-helper: vmnetd refused a tap on bridge 'lan3' (it serves only the lab bridge and segments of your own"* ]] ||
        fail "stu2's QEMU on br=lan3 (stu1 has none, stu2 none): $r_lan3 / $(cat "$W/refused.lan3")"
runuser -u stu1 -- "$VMNET" segment add lan3 > /dev/null || fail "stu1 cannot add lan3"
r_stu1s=$(qemu_refusal lan3)
expect_eq "the refusal for stu1's lan3" "$r_lan3" "$r_stu1s"
expect_eq "the refusal for a bridge nobody has" "${r_lan3//lan3/nosuch}" "$r_nosuch"
expect_eq "VM taps on stu1's lan2 after stu2's tries" 2 "$(vm_taps_on "$BR1" | wc -l)"
log "stu2's QEMU on stu1's lan3 heard: $r_stu1s"

# --- the VirtualBox path into each lan2 ---------------------------------------
standin() { python3 "$ROOT/tests/lib/wire_standin.py" "$1" 52:55:00:ee:5f:01 192.168.50.77 arp "$2"; }
out=$(standin stu1=lan2 192.168.50.1) || fail "a guest behind stu1=lan2 cannot ping the router: $out"
grep -qx "192.168.50.1 is-at 52:55:00:ee:51:02" <<< "$out" || fail "192.168.50.1 on stu1's lan2 is not the router: $out"
out=$(standin stu1=lan2 "$client_ip") || fail "a guest behind stu1=lan2 cannot ping the client: $out"
out=$(standin stu2=lan2 192.168.50.1) || fail "a guest behind stu2=lan2 cannot ping stu2's server: $out"
grep -qx "192.168.50.1 is-at 52:55:00:ee:52:01" <<< "$out" || fail "192.168.50.1 on stu2's lan2 is not stu2's guest: $out"
out=$(standin stu2=lan2 "$client_ip") && fail "stu2's lan2 reaches stu1's client: $out"
log "the links carry what VirtualBox sends into each student's own lan2, and only there"

# --- del under the VMs: refused; status lists the segment with them ---------
rc=0; runuser -u stu1 -- "$VMNET" segment del lan2 > "$W/out" 2> "$W/err" || rc=$?
expect_eq "exit of segment del lan2 under two VMs" 1 "$rc"
grep -q "VMs or containers are attached to the segment" "$W/err" || fail "del under VMs: $(cat "$W/err")"
runuser -u stu1 -- "$VMNET" status > "$W/status" || fail "vmnet status failed"
grep -Eq "^  lan2 +link stu1=lan2 +bridge $BR1 +until your last logout; vmns[0-9]+, vmns[0-9]+$" "$W/status" ||
        fail "vmnet status does not show lan2 with the two VMs: $(cat "$W/status")"

# --- kill -9 and a restart: adopted, the guests still on it -----------------
links() { ip -o link show | awk -F': ' '{ print $1 ": " $2 }' | sed 's/@.*//' | sort; }
before=$(links)
kill -KILL "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true
world_start_vmnetd "$W/vmnet.conf" 2> >(tee -a "$W/vmnetd.log" >&2)
expect_eq "links after the restart" "$before" "$(links)"
out=$(guest_exec client 20 "ping -c 2 -W 2 10.77.0.1 | grep -o '[0-9] packets received'") ||
        fail "the client no longer reaches the host through the router after the restart: $out"
expect_eq "the client's pings after the restart" "2 packets received" "$out"
rc=0; runuser -u stu1 -- "$VMNET" segment del lan2 2> "$W/err" || rc=$?
expect_eq "exit of segment del lan2 under the VMs after the restart" 1 "$rc"

# --- the last logout: lan2 goes, and the guests are cut from it --------------
kill "$S1"
wait_until 5 test ! -e /sys/class/net/stu1=lan2 || fail "stu1's logout left stu1=lan2"
wait_until 5 test ! -e "/sys/class/net/$BR1" || fail "stu1's logout left $BR1"
out=$(guest_exec router 20 "ping -c 2 -W 1 $client_ip > /dev/null && echo reached || echo cut") || true
expect_eq "the router pinging the client after lan2 went" cut "$out"
[ -e "/sys/class/net/$BR2" ] || fail "stu1's logout took stu2's lan2"
guest_running router || fail "the router died with lan2"
log "PASS"
