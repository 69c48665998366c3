#!/usr/bin/env bash
# docs/virtualbox.md and docs/vmware.md bridge a VM to the student's login
# tap.  VirtualBox and VMware are not in Debian, so a stand-in takes their
# place: AF_PACKET sockets bound to tap-alice (what their host drivers
# register on the device they bridge to: an ETH_P_ALL packet handler; and
# what they send "to the wire" they transmit on it, as an AF_PACKET send
# does), with no hypervisor and no VM behind it.  While alice is logged
# in, tap-alice exists, is the student's end of a veth pair whose other
# end forwards on vmnet0 (no tun device, nothing holding it), and the
# stand-in sees the lab's broadcasts: the host's ARP request on the bridge
# and the DHCP broadcast of another student's booting guest.  A made-up
# guest behind tap-alice resolves and pings, by unicast, the host
# (10.77.0.1, vmnet0's MAC) and that other student's guest.  Then the
# commands the two guides show are the ones "vmnet hint" prints, and a
# guest behind tap-alice that takes a lease shows in alice's vmnet status.
#
# VMware for a whole room (docs/vmware.md): its bridged network bound once
# to vmnet0 itself.  "vmnet hint vmware" says what the admin does until
# /etc/vmware/networking binds it (a file of the test's), then what the
# student does; the guide's blocks are in it.  Two students' "VMware
# guests" (network namespaces behind a stand-in of VMware's bridge driver
# bound to vmnet0: tests/lib/vmware_bridge_standin.py) take leases through
# vmnet0, ping the host, bobvm and each other, and resolve on the host as
# the guide shows, owned by nobody.
#
# Root runs the stand-ins (AF_PACKET needs CAP_NET_RAW; the hypervisors'
# kernel drivers have it); the login-tap one binds to alice's tap only.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
# shellcheck source=../lib/guide.sh
. "$ROOT/tests/lib/guide.sh"

[ -x "$BUILD/vmnet" ] || skip "build/vmnet is not built"
command -v python3 > /dev/null || skip "python3 is missing"
guest_build
world_add_user alice 61001
world_add_user bob 61002
world_config bridge=vmnet0 address=10.77.0.1/24 domain=lab uplink=isolated > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"

# alice logs in: her session's opener stays while the test runs.
world_spawn "$BUILD/tests/tools/vmnetctl" hold alice 600
wait_until 10 test -e /sys/class/net/tap-alice || fail "alice's session made no tap-alice"
peer=$(login_peer tap-alice) || fail "tap-alice is not a veth pair"
expect_eq "bridge of tap-alice's other end $peer" vmnet0 "$(basename "$(readlink "/sys/class/net/$peer/master")")"
[ ! -e /sys/class/net/tap-alice/master ] || fail "tap-alice itself is a bridge port (a tap, not a login link?)"
[ ! -e /sys/class/net/tap-alice/tun_flags ] || fail "tap-alice is a tun/tap device"
wait_until 5 login_link_is_forwarding tap-alice ||
        fail "tap-alice does not forward: carrier $(cat /sys/class/net/tap-alice/carrier), port state $(brport_state "$peer")"

# Step 1 of the guide, before anything sent on tap-alice (the stand-in's
# frames below make alice's status list a nameless VM behind it).
as_alice() { runuser -u alice -- "$BUILD/vmnet" "$@" > "$W/out" 2> "$W/err"; }
as_alice status || fail "vmnet status failed: $(cat "$W/err")"
# the guide's lab is uplink nat; this world's is isolated
diff <(guide_output "$ROOT/docs/virtualbox.md" vbox-status | sed 's/uplink nat/uplink isolated/') "$W/out" ||
        fail "vmnet status does not print what step 1 of docs/virtualbox.md shows"

# The stand-in: prints "ready", then one line per frame of interest until
# both kinds were seen or SECONDS passed:
#   arp-broadcast SRCMAC who-has IP     dhcp-broadcast SRCMAC
cat > "$W/standin.py" <<'EOF'
import socket, struct, sys, time
dev, secs, arp_ip = sys.argv[1], float(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))  # ETH_P_ALL
s.bind((dev, 0))
s.settimeout(0.2)
print("ready", flush=True)
seen, end = set(), time.time() + secs
while time.time() < end and seen != {"arp", "dhcp"}:
    try:
        f = s.recv(2048)
    except socket.timeout:
        continue
    if len(f) < 42 or f[0:6] != b"\xff" * 6:
        continue
    src, etype = f[6:12].hex(":"), struct.unpack("!H", f[12:14])[0]
    if etype == 0x0806 and struct.unpack("!H", f[20:22])[0] == 1:
        target = socket.inet_ntoa(f[38:42])
        if target == arp_ip:
            print("arp-broadcast %s who-has %s" % (src, target), flush=True)
            seen.add("arp")
    elif etype == 0x0800 and f[23] == 17 and struct.unpack("!H", f[36:38])[0] == 67:
        print("dhcp-broadcast %s" % src, flush=True)
        seen.add("dhcp")
EOF
world_spawn python3 "$W/standin.py" tap-alice 120 10.77.0.77 > "$W/standin.out" 2> "$W/standin.err"
wait_until 10 grep -qx ready "$W/standin.out" || fail "stand-in did not start: $(cat "$W/standin.err")"

# The host asks for an address on the bridge (nobody has it; the broadcast is the point).
brmac=$(cat /sys/class/net/vmnet0/address)
busybox arping -c 2 -w 2 -I vmnet0 10.77.0.77 > /dev/null 2>&1 || true
wait_until 5 grep -qx "arp-broadcast $brmac who-has 10.77.0.77" "$W/standin.out" ||
        fail "the stand-in on tap-alice did not see the host's ARP broadcast: $(cat "$W/standin.out")"

# Another student's guest boots on the lab and asks DHCP.
guest_start bobvm bob 52:55:00:ee:4a:01 "bridge,id=n0,br=vmnet0,helper=$BUILD/vmnet-bridge-helper"
wait_until 90 grep -qx "dhcp-broadcast 52:55:00:ee:4a:01" "$W/standin.out" ||
        fail "the stand-in on tap-alice did not see bob's guest's DHCP broadcast: $(cat "$W/standin.out")"
ip=$(guest_wait_ready bobvm 90)
log "stand-in on tap-alice saw the host's ARP and bobvm's DHCP broadcast; bobvm leased $ip"
login_link_is_forwarding tap-alice || fail "tap-alice stopped forwarding"

# What a bridged guest sends "to the wire" is transmitted on tap-alice; its
# unicast, not only its broadcasts, must reach the lab: a made-up guest
# (52:55:00:ee:49:01, 10.77.0.66) asks for the host and for bobvm by ARP
# and pings each at the MAC it was told (tests/lib/wire_standin.py).
standin() { python3 "$ROOT/tests/lib/wire_standin.py" tap-alice 52:55:00:ee:49:01 10.77.0.66 arp "$1"; }
# (vmnet0's MAC now: a bridge takes the lowest MAC of its ports, and bob's
# VM tap came since)
brmac=$(cat /sys/class/net/vmnet0/address)
out=$(standin 10.77.0.1) || fail "a guest behind tap-alice cannot ping the host: $out"
grep -qx "10.77.0.1 is-at $brmac" <<< "$out" || fail "the host's ARP reply is not vmnet0's MAC $brmac: $out"
out=$(standin "$ip") || fail "a guest behind tap-alice cannot ping bobvm at $ip: $out"
grep -qx "$ip is-at 52:55:00:ee:4a:01" <<< "$out" || fail "bobvm's ARP reply is not its MAC: $out"
log "a guest behind tap-alice pinged the host and bobvm by unicast"

# --- the guides say what the hints say ------------------------------------
as_alice hint virtualbox || fail "vmnet hint virtualbox failed: $(cat "$W/err")"
for tag in vbox-commands vbox-running; do
        mapfile -t cmds < <(guide_commands "$ROOT/docs/virtualbox.md" "$tag")
        expect_eq "commands in docs/virtualbox.md ($tag)" 1 "${#cmds[@]}"
        grep -Fxq -- "  ${cmds[0]}" "$W/out" ||
                fail "docs/virtualbox.md says '${cmds[0]}', vmnet hint virtualbox does not: $(cat "$W/out")"
done
# vmnet hint vmware on a machine whose admin has not bound VMware yet: the
# guide's admin line and VM setting; once bound (the guide's line in the
# file), that it is and the VM setting; bound as another VMnet, that one.
vmware_hint() { # vmware_hint NETWORKING-FILE
        runuser -u alice -- env VMNET_VMWARE_NETWORKING="$1" "$BUILD/vmnet" hint vmware > "$W/out" 2> "$W/err" ||
                fail "vmnet hint vmware failed: $(cat "$W/err")"
}
hint_says() { # hint_says TAG: every line of the guide's block TAG is in the hint
        local line
        while IFS= read -r line; do
                [ -n "$line" ] || continue
                grep -Fq -- "$line" "$W/out" ||
                        fail "docs/vmware.md ($1) says '$line', vmnet hint vmware does not: $(cat "$W/out")"
        done < <(guide_block "$ROOT/docs/vmware.md" "$1")
}
vmware_hint "$W/no-such-networking"
hint_says vmware-networking
hint_says vmware-vmx
grep -q "no VMware network is bridged to the lab" "$W/out" || fail "the hint does not say VMware is not set up: $(cat "$W/out")"
{ echo "VERSION=1,0"; guide_block "$ROOT/docs/vmware.md" vmware-networking; } > "$W/networking"
vmware_hint "$W/networking"
hint_says vmware-vmx
grep -q "VMnet0 is bridged to the" "$W/out" || fail "the hint does not see the guide's mapping: $(cat "$W/out")"
printf 'add_bridge_mapping eth0 0\nadd_bridge_mapping vmnet0 2\n' > "$W/networking2"
vmware_hint "$W/networking2"
grep -Fq 'ethernet0.vnet = "/dev/vmnet2"' "$W/out" || fail "the hint does not name VMnet2: $(cat "$W/out")"

# --- a guest behind tap-alice is alice's (docs/virtualbox.md, step 3) -------
# The stand-in guest asks DHCP through tap-alice (busybox udhcpc on the
# device, with its MAC, naming itself vbox1); alice's status lists it.
# shellcheck disable=SC2016 # a script for udhcpc
printf '#!/bin/sh\n[ "$1" = bound ] && echo "$ip" > %s/vbox1.ip\nexit 0\n' "$W" > "$W/dhcp.sh"
chmod +x "$W/dhcp.sh"
busybox udhcpc -i tap-alice -n -q -t 5 -T 1 -s "$W/dhcp.sh" -x hostname:vbox1 > "$W/udhcpc.log" 2>&1 ||
        fail "no lease for a guest behind tap-alice: $(cat "$W/udhcpc.log")"
vip=$(cat "$W/vbox1.ip") vmac=$(cat /sys/class/net/tap-alice/address)
lists_vbox1() { as_alice status && grep -Eq "^  vbox1\.alice\.lab +$vip +$vmac\$" "$W/out"; }
wait_until 10 lists_vbox1 || fail "alice's status does not list vbox1.alice.lab at $vip ($vmac): $(cat "$W/out")"

# --- VMware for a whole room (docs/vmware.md): bound once to vmnet0 ------
# Two students' VMware guests, each a network namespace (vmw-alice, vmw-bob)
# whose NIC's other end the stand-in of VMware's bridge driver relays to
# vmnet0 as VMware does when bound to it (tests/lib/vmware_bridge_standin.py):
# "down" on vmnet0 itself, "up" through vmw-up, whose egress tc redirects
# into vmnet0's ingress.  Nothing per student: the same for both.
ip link add vmw-up type veth peer name vmw-up-end
ip link set vmw-up up
ip link set vmw-up-end up
tc qdisc add dev vmw-up clsact
tc filter add dev vmw-up egress protocol all u32 match u32 0 0 action mirred ingress redirect dev vmnet0
# shellcheck disable=SC2016 # a script for udhcpc
printf '#!/bin/sh\n[ "$1" = bound ] && ip addr add "$ip/24" dev eth0 && echo "$ip" > "$VMW_IP_FILE"\nexit 0\n' > "$W/vmw-dhcp.sh"
chmod +x "$W/vmw-dhcp.sh"
declare -A vmw_ip=()
vmware_guest() { # vmware_guest STUDENT MAC: alice's (or bob's) VMware guest, leased
        local who=$1 mac=$2 ns=vmw-$1
        ip netns add "$ns"
        ip link add "vmwh-$who" type veth peer name eth0 netns "$ns"
        echo 1 > "/proc/sys/net/ipv6/conf/vmwh-$who/disable_ipv6"
        ip link set "vmwh-$who" up
        ip -n "$ns" link set eth0 address "$mac"
        ip -n "$ns" link set lo up
        ip -n "$ns" link set eth0 up
        world_spawn python3 "$ROOT/tests/lib/vmware_bridge_standin.py" vmnet0 vmw-up "vmwh-$who" "$mac" 300 \
                > "$W/vmw-$who.out" 2> "$W/vmw-$who.err"
        wait_until 10 grep -qx ready "$W/vmw-$who.out" || fail "VMware stand-in for $who: $(cat "$W/vmw-$who.err")"
        ip netns exec "$ns" env VMW_IP_FILE="$W/vmw-$who.ip" busybox udhcpc -i eth0 -n -q -t 5 -T 1 \
                -s "$W/vmw-dhcp.sh" -x "hostname:$who-vm1" > "$W/vmw-$who.udhcpc" 2>&1 ||
                fail "$who's VMware guest got no lease through vmnet0: $(cat "$W/vmw-$who.udhcpc") $(cat "$W/vmw-$who.err")"
        vmw_ip[$who]=$(cat "$W/vmw-$who.ip")
}
vmware_guest alice 00:0c:29:77:73:01
vmware_guest bob 00:0c:29:77:73:02
log "VMware guests leased ${vmw_ip[alice]} (alice) and ${vmw_ip[bob]} (bob) through vmnet0 itself"
# Their unicast reaches the lab both ways: the host, a VM on a port, each other.
for target in 10.77.0.1 "$ip" "${vmw_ip[bob]}"; do
        ip netns exec vmw-alice busybox ping -c 1 -W 3 "$target" > /dev/null ||
                fail "alice's VMware guest cannot ping $target"
done
ip netns exec vmw-bob busybox ping -c 1 -W 3 "${vmw_ip[alice]}" > /dev/null ||
        fail "bob's VMware guest cannot ping alice's"
# From the host, by name, as the guide shows; and owned by nobody.
wait_until 10 getent hosts alice-vm1.lab || fail "alice-vm1.lab does not resolve"
diff <(guide_output "$ROOT/docs/vmware.md" vmware-getent | sed "s/10\.77\.0\.143/${vmw_ip[alice]}/") \
        <(getent hosts alice-vm1.lab) || fail "getent hosts alice-vm1.lab is not what docs/vmware.md shows"
busybox ping -c 1 -W 3 alice-vm1.lab > /dev/null || fail "the host cannot ping alice-vm1.lab"
# a bare name is only ever the caller's own VM: this one is nobody's
! getent hosts alice-vm1 > /dev/null || fail "root resolves the bare name of a VM nobody owns"
as_alice status || fail "vmnet status failed: $(cat "$W/err")"
! grep -q "alice-vm1" "$W/out" || fail "alice's status lists a VM on the bridge itself, which has no owner: $(cat "$W/out")"
log "two VMware guests on vmnet0 itself reached the host, bobvm and each other; alice-vm1.lab resolves, owned by nobody"
# tap-alice has no address of its own: the host answers no ARP on it
# (else every VM's "who has 10.77.0.1" is answered from tap-alice's MAC too,
# and the guard drops and counts that against alice, who did nothing)
as_alice status || fail "vmnet status failed: $(cat "$W/err")"
grep -qx "blocked   nothing" "$W/out" || fail "the guard blocked frames of alice's: $(cat "$W/out")"
log "PASS: tap-alice forwards with nothing holding it; lab broadcasts reach it, its unicast reaches the lab; its guest is alice's; VMware bound to vmnet0 puts every student's guests on the lab"
