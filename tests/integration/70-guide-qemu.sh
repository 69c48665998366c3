#!/usr/bin/env bash
# docs/qemu.md, run as its student would: the guide's own commands (read
# from the guide, not copied here) boot the test guest as alice, logged
# in, once through the bridge helper and once on a tap from "vmnet tap
# add"; each VM gets a lease, shows in "vmnet status" under its name and
# answers ping by name; the two VMs have the two MACs the guide gives.
# The guide's pitfall holds too: QEMU on the login tap (a veth, no tun
# device) fails with the message the guide quotes.  And "vmnet hint qemu"
# gives the same lines as the guide, up to alice's own uid.
#
# What is replaced in the guide's commands: "..." by the test guest's
# options (kernel, initrd, console, pid file), the installed helper path
# by build/vmnet-bridge-helper, and "vmnet" is build/vmnet on PATH.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
# shellcheck source=../lib/guide.sh
. "$ROOT/tests/lib/guide.sh"

DOC=$ROOT/docs/qemu.md
if [ ! -x "$BUILD/vmnet" ] || [ ! -x "$BUILD/vmnet-bridge-helper" ]; then skip "build/vmnet is not built"; fi
guest_build
world_add_user alice 61001
world_config bridge=vmnet0 address=10.77.0.1/24 domain=lab uplink=isolated max_taps=4 \
        > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"
mkdir -p "$W/bin"
ln -s "$BUILD/vmnet" "$W/bin/vmnet"
export PATH="$W/bin:$PATH"

# alice is logged in: her session's opener stays while the test runs.
world_spawn "$BUILD/tests/tools/vmnetctl" hold alice 600
wait_until 10 test -e /sys/class/net/tap-alice || fail "alice's session made no tap-alice"

# as_alice CMD: runs the shell command CMD as alice; output in $W/out, $W/err, exit in $RC.
as_alice() {
        RC=0
        runuser -u alice -- env PATH="$PATH" bash -c "$1" > "$W/out" 2> "$W/err" || RC=$?
}

# guide_qemu NAME CMD: starts the guide's QEMU command CMD as alice, with the
# test guest's options for "...", laid out as guest.sh lays out its guests.
guide_qemu() {
        local name=$1 cmd=$2 d opts
        d=$(guest_dir "$name")
        mkdir -p "$d"
        chown alice "$d"
        echo "$name" > "$d/hostname"
        date +%s.%N > "$d/started"
        opts="-machine accel=${GUEST_ACCEL:-tcg} -nographic -no-reboot -m 256 -vga none"
        opts+=" -kernel $W/guest/vmlinuz -initrd $W/guest/initrd.gz"
        opts+=" -append '$GUEST_CMDLINE vmhost=$name' -pidfile $d/qemu.pid"
        [[ $cmd == "qemu-system-x86_64 ... "* ]] || fail "guide command does not start with 'qemu-system-x86_64 ... ': $cmd"
        cmd=${cmd/ ... / $opts }
        cmd=${cmd//\/usr\/lib\/vmnet\/vmnet-bridge-helper/$BUILD/vmnet-bridge-helper}
        world_spawn runuser -u alice -- env PATH="$PATH" bash -c "exec $cmd" \
                < /dev/null > "$(guest_log "$name")" 2>&1
        echo "$SPAWNED" > "$d/runuser.pid"
        wait_until 10 guest_started_or_exited "$name" || fail "$name: QEMU wrote no pid file"
        if guest_qemu_pid "$name" > /dev/null; then WORLD_PIDS+=("$(guest_qemu_pid "$name")"); fi
}

# status_lists NAME IP: alice's "vmnet status" shows NAME.alice.lab at IP.
status_lists() {
        as_alice "vmnet status"
        grep -Eq "^  $1\.alice\.lab +$2 " "$W/out"
}

# --- step 1: vmnet status, as the guide shows it --------------------------
mapfile -t cmds < <(guide_commands "$DOC" qemu-status)
expect_eq "commands of step 1" "vmnet status" "${cmds[*]}"
as_alice "${cmds[0]}"
expect_eq "exit of vmnet status" 0 "$RC"
# the guide's lab is uplink nat; this world's is isolated
diff <(guide_output "$DOC" qemu-status | sed 's/uplink nat/uplink isolated/') "$W/out" ||
        fail "vmnet status does not print what step 1 of the guide shows"

# --- step 3 first: a tap of one's own ------------------------------------
# (first, so that no VM tap has taken the +1 the guide shows)
mapfile -t cmds < <(guide_commands "$DOC" qemu-tap)
expect_eq "commands of step 3" 2 "${#cmds[@]}"
expect_eq "first command of step 3" "vmnet tap add" "${cmds[0]}"
as_alice "${cmds[0]}"
expect_eq "exit of vmnet tap add" 0 "$RC"
expect_eq "name vmnet tap add printed (the guide's)" "$(guide_output "$DOC" qemu-tap)" "$(cat "$W/out")"
# /dev/net/tun 0600, as on a machine without udev: the error step 3 names
world_tun 0600
as_alice "${cmds[1]/ ... / -machine accel=${GUEST_ACCEL:-tcg} -nographic -m 64 -kernel $W/guest/vmlinuz }"
[ "$RC" -ne 0 ] || fail "QEMU opened /dev/net/tun 0600 as alice"
grep -Fq "could not open /dev/net/tun: Permission denied" "$W/err" ||
        fail "QEMU without access to /dev/net/tun says '$(cat "$W/err")', not what step 3 quotes"
grep -Fq 'could not open /dev/net/tun: Permission' "$DOC" || fail "step 3 no longer quotes the error"
guest_allow_tun         # 0666, as on a desktop
guide_qemu vm2 "${cmds[1]}"
ip2=$(guest_wait_ready vm2 120)
log "step 3: vm2 leased $ip2 on tap-alice+1 in $(guest_boot_seconds vm2) s"
expect_eq "port state of tap-alice+1 with vm2 on it" 3 "$(brport_state tap-alice+1)"

# --- step 2: the bridge helper ----------------------------------------------
mapfile -t cmds < <(guide_commands "$DOC" qemu-helper)
expect_eq "commands of step 2" 1 "${#cmds[@]}"
guide_qemu vm1 "${cmds[0]}"
ip1=$(guest_wait_ready vm1 120)
log "step 2: vm1 leased $ip1 in $(guest_boot_seconds vm1) s"
wait_until 10 status_lists vm1 "$ip1" || fail "vmnet status does not list vm1.alice.lab at $ip1: $(cat "$W/out")"
grep -Eq '^  [^ ]+ +vm +in use by a VM$' "$W/out" || fail "no VM tap in use in vmnet status: $(cat "$W/out")"
vmtap=$(awk '$2 == "vm" { print $1 }' "$W/out")

# --- step 4: the checks --------------------------------------------------
mapfile -t cmds < <(guide_commands "$DOC" qemu-check)
expect_eq "first check of step 4" "vmnet status" "${cmds[0]}"
wait_until 10 status_lists vm2 "$ip2" || fail "vmnet status does not list vm2.alice.lab at $ip2: $(cat "$W/out")"
status_lists vm1 "$ip1" || fail "vm1 left vmnet status: $(cat "$W/out")"
# the guide's picture, with this run's tap and lease put in
as_alice "vmnet status"
guide_output "$DOC" qemu-check | sed 's/uplink nat/uplink isolated/' > "$W/shown"
for l in "user      alice" "bridge    vmnet0, address 10.77.0.1/24, uplink isolated, domain lab" \
         "  tap-alice        login       ready for VirtualBox/VMware" \
         "VMs       (seen behind your links and taps, or holding a lease of yours)"; do
        grep -Fxq "$l" "$W/shown" || fail "the guide's step 4 no longer shows '$l'"
        grep -Fxq "$l" "$W/out" || fail "vmnet status does not print the guide's '$l': $(cat "$W/out")"
done
# each VM has the MAC its guide line gives, and the two differ
mac_in() { guide_commands "$DOC" "$1" | sed -nE 's/.*,mac=([0-9a-f:]{17}).*/\1/p'; }
mac1=$(mac_in qemu-helper) mac2=$(mac_in qemu-tap)
{ [ -n "$mac1" ] && [ "$mac1" != "$mac2" ]; } || fail "the guide gives the MACs '$mac1' and '$mac2' for two VMs"
grep -Eq "^  vm1\.alice\.lab +$ip1 +$mac1\$" "$W/out" || fail "vm1 is not at $ip1 with $mac1: $(cat "$W/out")"
grep -Eq "^  vm2\.alice\.lab +$ip2 +$mac2\$" "$W/out" || fail "vm2 is not at $ip2 with $mac2: $(cat "$W/out")"
expect_eq "second check of step 4" "ping -c 3 vm1" "${cmds[1]}"
# ping by name from the host, through libnss_vmnet: alice's vm1 is alice's
# (busybox ping needs root, and root, with no VMs, has no vm1: it pings
# the name that is the same for everyone)
as_alice "getent hosts vm1"
expect_eq "getent hosts vm1 as alice" "$ip1" "$(awk '{ print $1 }' "$W/out")"
! getent hosts vm1 > /dev/null || fail "root resolves vm1, a name of alice's: $(getent hosts vm1)"
busybox ping -c 3 -W 1 vm1.alice.lab > "$W/ping" 2>&1 || fail "ping vm1.alice.lab failed: $(cat "$W/ping")"
grep -q "3 packets received" "$W/ping" || fail "ping vm1 lost packets: $(cat "$W/ping")"
busybox ping -c 1 -W 1 vm2.lab > "$W/ping" 2>&1 || fail "ping vm2.lab failed: $(cat "$W/ping")"
busybox ping -c 1 -W 1 vm2.alice.lab > "$W/ping" 2>&1 || fail "ping vm2.alice.lab failed: $(cat "$W/ping")"

# --- the tap of step 2 goes with QEMU, the one of step 3 stays -------------
guest_stop vm1
wait_until 10 test ! -e "/sys/class/net/$vmtap" || fail "$vmtap is left after its QEMU exited"
guest_stop vm2
[ -e /sys/class/net/tap-alice+1 ] || fail "tap-alice+1 went with QEMU; the guide says it stays"

# --- pitfall: the login tap is no tun/tap device, QEMU gets EINVAL ---------------
mapfile -t cmds < <(guide_commands "$DOC" qemu-login-tap)
expect_eq "commands of the login tap pitfall" 1 "${#cmds[@]}"
said=$(guide_output "$DOC" qemu-login-tap)
as_alice "${cmds[0]/ ... / -machine accel=${GUEST_ACCEL:-tcg} -nographic -m 64 -kernel $W/guest/vmlinuz }"
[ "$RC" -ne 0 ] || fail "QEMU on the login tap did not fail"
grep -Fxq "$said" "$W/err" || fail "QEMU on the login tap says '$(cat "$W/err")', the guide '$said'"
login_link_is_forwarding tap-alice || fail "tap-alice stopped forwarding after QEMU tried it"

# --- pitfall: no helper= runs QEMU's own, which needs root ---------------------
mapfile -t cmds < <(guide_commands "$DOC" qemu-default-helper)
expect_eq "commands of the default helper pitfall" 1 "${#cmds[@]}"
said=$(guide_output "$DOC" qemu-default-helper)
as_alice "${cmds[0]/ ... / -machine accel=${GUEST_ACCEL:-tcg} -nographic -m 64 -kernel $W/guest/vmlinuz }"
[ "$RC" -ne 0 ] || fail "QEMU's own bridge helper worked for alice"
grep -Fxq "$said" "$W/err" || fail "QEMU's own helper says '$(cat "$W/err")', the guide '$said'"

# --- the hint and the guide agree ----------------------------------------------
# same lines up to alice's MAC series and the "..." of the command
as_alice "vmnet hint qemu"
expect_eq "exit of vmnet hint qemu" 0 "$RC"
norm() { sed -E 's/52:55(:[0-9a-f]{2}){3}:/52:55:U:U:U:/g; s/^ +//'; }
hinted=$(grep -E '^ +qemu-system-x86_64 ' "$W/out" | norm)
for tag in qemu-helper qemu-tap; do
        line=$(guide_commands "$DOC" "$tag" | grep '^qemu-system' | norm)
        grep -Fxq "$line" <<< "$hinted" || fail "guide's $tag line '$line' is not among the hint's: $hinted"
done
# tap-alice has no address of its own: the host answers no ARP on it
# (else every VM's "who has 10.77.0.1" is answered from tap-alice's MAC too,
# and the guard drops and counts that against alice, who did nothing)
as_alice "vmnet status"; [ "$RC" = 0 ] || fail "vmnet status failed: $(cat "$W/err")"
grep -qx "blocked   nothing" "$W/out" || fail "the guard blocked frames of alice's: $(cat "$W/out")"
log "PASS: vm1 $ip1 (bridge helper, tap $vmtap), vm2 $ip2 (tap-alice+1)"
