#!/usr/bin/env bash
# docs/libvirt.md as its student runs it, in libvirt session mode
# (qemu:///session: alice's own libvirtd, no root): without the guide's
# step 1 a bridge interface fails with the message the guide quotes; with
# it, the guide's <interface type='bridge'> boots the test guest, which
# gets a lease, shows in "vmnet status" and answers ping by name; the
# guide's <interface type='ethernet'> on a tap from "vmnet tap add" does
# the same.  With a private segment (step 5), the guide's interface on it
# puts a VM's tap on the segment's bridge, where what VirtualBox sends on
# the segment's link (the AF_PACKET stand-in) reaches it.  The guide's
# lines are the ones "vmnet hint libvirt" prints.
#
# What is replaced: the installed helper path by build/vmnet-bridge-helper,
# "vmnet" is build/vmnet on PATH; the domain around the guide's
# <interface> is the test guest's (direct kernel boot, serial console to a
# file, type 'qemu' as there is no /dev/kvm here).
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
# shellcheck source=../lib/guide.sh
. "$ROOT/tests/lib/guide.sh"

DOC=$ROOT/docs/libvirt.md
if [ ! -x "$BUILD/vmnet" ] || [ ! -x "$BUILD/vmnet-bridge-helper" ]; then skip "build/vmnet is not built"; fi
command -v virsh > /dev/null || skip "virsh is missing: install libvirt-clients (tools/install-deps --tests)"
[ -x /usr/sbin/libvirtd ] || [ -x /usr/sbin/virtqemud ] ||
        skip "no libvirt daemon: install libvirt-daemon and libvirt-daemon-driver-qemu (tools/install-deps --tests)"
guest_build
world_add_user alice 61001
world_config bridge=vmnet0 address=10.77.0.1/24 domain=lab uplink=isolated max_taps=4 \
        > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"
guest_allow_tun         # the ethernet form opens /dev/net/tun as alice, as on a desktop
mkdir -p "$W/bin"
ln -s "$BUILD/vmnet" "$W/bin/vmnet"
export PATH="$W/bin:$PATH"
H=$W/home/alice
RUNTIME=/run/user/61001         # on the world's private /run
mkdir -m 0700 "$RUNTIME"
chown alice: "$RUNTIME"

# alice is logged in: her session's opener stays while the test runs.
world_spawn "$BUILD/tests/tools/vmnetctl" hold alice 600
wait_until 10 test -e /sys/class/net/tap-alice || fail "alice's session made no tap-alice"

# as_alice CMD: the shell command CMD as alice in her session environment;
# output in $W/out, $W/err, exit in $RC.
as_alice() {
        RC=0
        runuser -u alice -- env HOME="$H" XDG_RUNTIME_DIR="$RUNTIME" PATH="$PATH" \
                bash -c "$1" > "$W/out" 2> "$W/err" || RC=$?
}

# The session libvirtd, its virtlogd and QEMU daemonize away from us; they
# leave pid files under alice's runtime directory: end them by those PIDs.
libvirt_cleanup() {
        local f pid
        set +e
        as_alice "for d in \$(virsh -c qemu:///session list --name); do virsh -c qemu:///session destroy \$d; done"
        while IFS= read -r f; do
                pid=$( { tr -dc '0-9' < "$f"; } 2>/dev/null )
                [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && LIBVIRT_ENDED+=("$pid")
        done < <(find "$RUNTIME" -name '*.pid' 2>/dev/null)
        return 0
}
LIBVIRT_ENDED=()
libvirt_gone() {
        local pid
        for pid in "${LIBVIRT_ENDED[@]}"; do ! kill -0 "$pid" 2>/dev/null || return 1; done
}
# shellcheck disable=SC2154 # rc is the trap's own
trap 'rc=$?; libvirt_cleanup; (exit $rc); world_cleanup' EXIT

# domain_xml NAME INTERFACE_XML [KERNEL_ARGS]: the test guest as a session domain.
domain_xml() {
        local d type=qemu
        # (the accelerator the other guests get: tests/lib/accel.sh)
        [ "${GUEST_ACCEL:-tcg}" != kvm ] || type=kvm
        d=$(guest_dir "$1")
        mkdir -p "$d"
        chown alice "$d"
        cat <<EOF
<domain type='$type'>
  <name>$1</name>
  <memory unit='MiB'>256</memory>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$W/guest/vmlinuz</kernel>
    <initrd>$W/guest/initrd.gz</initrd>
    <cmdline>$GUEST_CMDLINE vmhost=$1${3:+ $3}</cmdline>
  </os>
  <on_reboot>destroy</on_reboot>
  <devices>
    <serial type='file'><source path='$(guest_log "$1")'/></serial>
    <video><model type='none'/></video>
$2
  </devices>
</domain>
EOF
}

# vm_ready NAME SECONDS: the lease the guest reports on its console.
vm_ready() {
        local log line
        log=$(guest_log "$1")
        for _ in $(seq $(( $2 * 10 ))); do
                line=$(tr -d '\r' < "$log" 2>/dev/null | grep -m 1 -E '^VMNET-GUEST-(READY|NOLEASE|ERROR)' || true)
                [ -z "$line" ] || break
                sleep 0.1
        done
        [[ $line == "VMNET-GUEST-READY name=$1 "* ]] || fail "$1 did not get a lease: '${line:-nothing in $2 s}'"
        sed -n 's/.* ip=\([0-9.]*\).*/\1/p' <<< "$line"
}

status_lists() { # status_lists NAME IP
        as_alice "vmnet status"
        grep -Eq "^  $1\\.alice\\.lab +$2 " "$W/out"
}

interface_xml() { guide_block "$DOC" "$1" | sed 's/^/    /'; }

# libvirt itself, before vmnet is involved: session mode must work here
as_alice "virsh -c qemu:///session version"
[ "$RC" -eq 0 ] || skip "libvirt session mode does not work here (nothing of vmnet's): $(head -n 3 "$W/err")"
libvirt_cleanup
set -e
wait_until 10 libvirt_gone || fail "alice's first libvirtd did not end"

# --- without step 1: QEMU's own helper, refused ---------------------------------
domain_xml vm0 "$(interface_xml libvirt-interface)" > "$W/vm0.xml"
as_alice "virsh -c qemu:///session define $W/vm0.xml"
expect_eq "virsh define vm0 ($(cat "$W/err"))" 0 "$RC"
as_alice "virsh -c qemu:///session start vm0"
[ "$RC" -ne 0 ] || fail "vm0 started with QEMU's own bridge helper"
grep -Fq "failed to parse default acl file '/etc/qemu/bridge.conf'" <(tr '`' "'" < "$W/err") ||
        fail "libvirt's error differs from the guide's: $(cat "$W/err")"
grep -Fq "failed to parse default acl file '/etc/qemu/bridge.conf'" "$DOC" ||
        fail "the guide no longer quotes the error"
# the daemon read qemu.conf when it started: end it, as the guide says
libvirt_cleanup
set -e
wait_until 10 libvirt_gone || fail "alice's libvirtd did not end"

# --- step 1 ------------------------------------------------------------------------
mapfile -t cmds < <(guide_commands "$DOC" libvirt-setup)
expect_eq "commands of step 1" 2 "${#cmds[@]}"
for c in "${cmds[@]}"; do
        as_alice "${c//\/usr\/lib\/vmnet\/vmnet-bridge-helper/$BUILD/vmnet-bridge-helper}"
        expect_eq "exit of '$c' ($(cat "$W/err"))" 0 "$RC"
done
expect_eq "alice's qemu.conf" "bridge_helper = \"$BUILD/vmnet-bridge-helper\"" "$(cat "$H/.config/libvirt/qemu.conf")"

# --- a tap one keeps (first, so that it is the guide's +1) ------------------------
mapfile -t cmds < <(guide_commands "$DOC" libvirt-tap)
expect_eq "command for a kept tap" "vmnet tap add" "${cmds[*]}"
as_alice "${cmds[0]}"
expect_eq "vmnet tap add exit" 0 "$RC"
expect_eq "the tap vmnet tap add made (the guide's)" "$(guide_output "$DOC" libvirt-tap)" "$(cat "$W/out")"
domain_xml vm2 "$(interface_xml libvirt-ethernet)" > "$W/vm2.xml"
as_alice "virsh -c qemu:///session define $W/vm2.xml && virsh -c qemu:///session start vm2"
expect_eq "virsh start vm2 ($(cat "$W/err"))" 0 "$RC"
ip2=$(vm_ready vm2 120)
log "ethernet interface: vm2 leased $ip2 on tap-alice+1"
expect_eq "port state of tap-alice+1" 3 "$(brport_state tap-alice+1)"

# --- step 2 and 3: the bridge interface -------------------------------------------
domain_xml vm1 "$(interface_xml libvirt-interface)" > "$W/vm1.xml"
as_alice "virsh -c qemu:///session define $W/vm1.xml"
expect_eq "virsh define vm1 ($(cat "$W/err"))" 0 "$RC"
mapfile -t cmds < <(guide_commands "$DOC" libvirt-check)
expect_eq "start command of step 3" "virsh -c qemu:///session start vm1" "${cmds[0]}"
as_alice "${cmds[0]}"
expect_eq "virsh start vm1 ($(cat "$W/err"))" 0 "$RC"
expect_eq "what virsh start says" "$(guide_output "$DOC" libvirt-check | head -n 1)" "$(head -n 1 "$W/out")"
ip1=$(vm_ready vm1 120)
log "bridge interface: vm1 leased $ip1"
expect_eq "second command of step 3" "vmnet status" "${cmds[1]}"
wait_until 10 status_lists vm1 "$ip1" || fail "vmnet status does not list vm1.alice.lab at $ip1: $(cat "$W/out")"
status_lists vm2 "$ip2" || fail "vmnet status does not list vm2.alice.lab at $ip2: $(cat "$W/out")"
grep -Eq '^  tap-alice\+[0-9]+ +vm +in use by a VM$' "$W/out" || fail "no VM tap in vmnet status: $(cat "$W/out")"
for l in "user      alice" "  tap-alice        login       ready for VirtualBox/VMware" \
         "VMs       (seen behind your links and taps, or holding a lease of yours)"; do
        guide_output "$DOC" libvirt-check | grep -Fxq "$l" || fail "the guide's step 3 no longer shows '$l'"
        grep -Fxq "$l" "$W/out" || fail "vmnet status does not print the guide's '$l': $(cat "$W/out")"
done
expect_eq "third command of step 3" "ping -c 3 vm1" "${cmds[2]}"
# alice's vm1 is alice's (busybox ping needs root, who has no vm1 of its
# own: it pings the name that is the same for everyone)
as_alice "getent hosts vm1"
expect_eq "getent hosts vm1 as alice" "$ip1" "$(awk '{ print $1 }' "$W/out")"
busybox ping -c 3 -W 1 vm1.alice.lab > "$W/ping" 2>&1 || fail "ping vm1.alice.lab failed: $(cat "$W/ping")"
grep -q "3 packets received" "$W/ping" || fail "ping vm1 lost packets: $(cat "$W/ping")"

# --- step 5: a segment of alice's ------------------------------------------------------
as_alice "vmnet segment add lan2"
expect_eq "vmnet segment add lan2 ($(cat "$W/err"))" 0 "$RC"
seg_bridge=$(sed -n 's/^segment lan2: link [^,]*, bridge \(.*\)$/\1/p' "$W/out")
# a DHCP server of alice's own there: its READY needs no lease
domain_xml vm3 "$(interface_xml libvirt-segment)" vmdhcpd=192.168.50.1 > "$W/vm3.xml"
as_alice "virsh -c qemu:///session define $W/vm3.xml && virsh -c qemu:///session start vm3"
expect_eq "virsh start vm3 on lan2 ($(cat "$W/err"))" 0 "$RC"
expect_eq "vm3's address" 192.168.50.1 "$(vm_ready vm3 120)"
seg_ports=("/sys/class/net/$seg_bridge/brif/vmns"*)
expect_eq "ports on alice's lan2 (its link's, vm3's tap)" 2 "${#seg_ports[@]}"
out=$(python3 "$ROOT/tests/lib/wire_standin.py" alice=lan2 52:55:00:ee:71:01 192.168.50.77 arp 192.168.50.1) ||
        fail "a guest behind alice=lan2 cannot ping vm3 on lan2: $out"
log "segment: vm3 on lan2 ($seg_bridge), reached through alice=lan2"

# --- the hint and the guide agree ------------------------------------------------------
as_alice "vmnet hint libvirt"
expect_eq "vmnet hint libvirt exit" 0 "$RC"
while IFS= read -r line; do
        grep -Fq -- "$line" "$W/out" || fail "docs/libvirt.md says '$line', vmnet hint libvirt does not: $(cat "$W/out")"
done < <(guide_commands "$DOC" libvirt-setup; guide_block "$DOC" libvirt-interface
         guide_block "$DOC" libvirt-ethernet; guide_block "$DOC" libvirt-segment)
log "PASS: session mode, vm1 $ip1 (bridge helper), vm2 $ip2 (tap-alice+1)"
