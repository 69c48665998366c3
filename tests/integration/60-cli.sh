#!/usr/bin/env bash
# vmnet as two students use it against a real vmnetd, one logged in
# through PAM: each sees only their own taps (text and JSON, which
# parses); tap add works up to max_taps and is then refused with a clear
# message and exit 1; deleting another
# student's tap is refused with the very message a tap that does not exist
# gets, and the tap stays; hints name the student's own tap and bridge,
# and QEMU runs the hinted lines (the helper's quota line shows in QEMU);
# no vmnetd is exit 3 with one clear line; bad usage is exit 2; --version
# of each program is the package's.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"

VMNET=$BUILD/vmnet
[ -x "$VMNET" ] || skip "build/vmnet is not built"
command -v python3 >/dev/null || skip "python3 is missing"
MAX=3
world_add_user stu1 61001
world_add_user stu2 61002
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=isolated domain=lab max_taps=$MAX \
        > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"

# as USER CMD...: runs CMD as USER; stdout and stderr to $W/out, $W/err; exit code in $RC.
as() {
        local user=$1; shift
        RC=0
        runuser -u "$user" -- "$@" > "$W/out" 2> "$W/err" || RC=$?
}
# json_taps FILE: the tap names in a vmnet status --json output, sorted, one a line.
json_taps() {
        python3 -c 'import json, sys; print("\n".join(sorted(t["name"] for t in json.load(open(sys.argv[1]))["taps"])))' "$1"
}

# --- stu2 logs in: a real PAM session through runuser -l ------------------
# (only the -l service gets pam_vmnet, so the other runuser calls open none)
[ -e "$BUILD/pam_vmnet.so" ] || skip "build/pam_vmnet.so is not built"
echo "session optional $BUILD/pam_vmnet.so" >> /etc/pam.d/runuser-l
world_spawn runuser -l stu2 -c 'sleep 300'
wait_until 10 test -e /sys/class/net/tap-stu2 || fail "stu2's login made no tap-stu2"

# --- tap add, as each student ---------------------------------------------
as stu1 "$VMNET" tap add
expect_eq "vmnet tap add (stu1) exit" 0 "$RC"
s1a=$(cat "$W/out")
[ -e "/sys/class/net/$s1a" ] || fail "stu1's new tap '$s1a' is not an interface"
expect_eq "owner of $s1a" 61001 "$(cat "/sys/class/net/$s1a/owner")"
expect_eq "bridge of $s1a" vmnet0 "$(basename "$(readlink "/sys/class/net/$s1a/master")")"

as stu2 "$VMNET" tap add
expect_eq "vmnet tap add (stu2) exit" 0 "$RC"
s2a=$(cat "$W/out")
[ -e "/sys/class/net/$s2a" ] || fail "stu2's new tap '$s2a' is not an interface"
expect_eq "owner of $s2a" 61002 "$(cat "/sys/class/net/$s2a/owner")"

# --- status: each sees their own ------------------------------------------
as stu1 "$VMNET" status
expect_eq "vmnet status (stu1) exit" 0 "$RC"
grep -q "$s1a" "$W/out" || fail "stu1's status lacks $s1a: $(cat "$W/out")"
! grep -q "$s2a" "$W/out" || fail "stu1's status shows stu2's $s2a: $(cat "$W/out")"
grep -q '^bridge .*vmnet0.*10\.77\.0\.1/24.*isolated' "$W/out" ||
        fail "stu1's status does not describe the lab: $(cat "$W/out")"
grep -q '^no login tap' "$W/out" || fail "stu1's status does not say it has no login tap: $(cat "$W/out")"
as stu2 "$VMNET" status
expect_eq "vmnet status (stu2) exit" 0 "$RC"
grep -q '^  tap-stu2  *login ' "$W/out" || fail "stu2's status lacks its login tap: $(cat "$W/out")"
! grep -q "$s1a" "$W/out" || fail "stu2's status shows stu1's $s1a: $(cat "$W/out")"

for who in stu1 stu2; do
        as "$who" "$VMNET" status --json
        expect_eq "vmnet status --json ($who) exit" 0 "$RC"
        python3 -m json.tool "$W/out" > /dev/null || fail "$who's status is not JSON: $(cat "$W/out")"
        cp "$W/out" "$W/$who.json"
done
expect_eq "stu1's taps in JSON" "$s1a" "$(json_taps "$W/stu1.json")"
expect_eq "stu2's taps in JSON" "$(printf '%s\n' "$s2a" tap-stu2 | sort)" "$(json_taps "$W/stu2.json")"
python3 - "$W/stu1.json" "$MAX" <<'EOF' || fail "stu1's JSON lab fields are wrong: $(cat "$W/stu1.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["user"] == "stu1", s["user"]
assert s["bridge"] == "vmnet0" and s["address"] == "10.77.0.1/24", s
assert s["uplink"] == "isolated" and s["domain"] == "lab", s
assert s["max_taps"] == int(sys.argv[2]), s["max_taps"]
assert [t["kind"] for t in s["taps"]] == ["persistent"], s["taps"]
assert isinstance(s["vms"], list)
EOF

# --- quota -----------------------------------------------------------------
# stu1 has no login session, so all max_taps places are for tap add.
mine=("$s1a")
for (( i = 1; i < MAX; i++ )); do
        as stu1 "$VMNET" tap add
        expect_eq "tap add number $(( i + 1 )) of $MAX exit" 0 "$RC"
        mine+=("$(cat "$W/out")")
done
as stu1 "$VMNET" tap add
expect_eq "tap add over max_taps exit" 1 "$RC"
[ ! -s "$W/out" ] || fail "a refused tap add printed a name: $(cat "$W/out")"
grep -q '^vmnet: tap quota reached (max_taps)' "$W/err" ||
        fail "unclear quota refusal: $(cat "$W/err")"
as stu1 "$VMNET" status --json
expect_eq "stu1's taps after the refusal" "$(printf '%s\n' "${mine[@]}" | sort)" "$(json_taps "$W/out")"

# --- del: another's tap and a missing tap look the same ---------------------
as stu1 "$VMNET" tap del "$s2a"
expect_eq "stu1 deleting stu2's tap exit" 1 "$RC"
other=$(sed "s/$s2a/NAME/g" "$W/err")
[ -e "/sys/class/net/$s2a" ] || fail "stu1 deleted stu2's $s2a"
as stu1 "$VMNET" tap del tap-nosuch
expect_eq "stu1 deleting a missing tap exit" 1 "$RC"
missing=$(sed "s/tap-nosuch/NAME/g" "$W/err")
expect_eq "refusal for another's tap vs a missing one" "$missing" "$other"
[ -n "$other" ] || fail "the refusal said nothing"

# stu2's own login tap: refused too, and said why (STATUS shows it anyway).
as stu2 "$VMNET" tap del tap-stu2
expect_eq "stu2 deleting its login tap exit" 1 "$RC"
grep -q "tap-stu2 is your login tap" "$W/err" || fail "unclear login tap refusal: $(cat "$W/err")"
[ -e /sys/class/net/tap-stu2 ] || fail "tap del removed stu2's login tap"

as stu1 "$VMNET" tap del "$s1a"
expect_eq "stu1 deleting own $s1a exit" 0 "$RC"
wait_until 5 test ! -e "/sys/class/net/$s1a" || fail "$s1a is still there after tap del"
as stu1 "$VMNET" tap add
expect_eq "tap add after a del frees a place exit" 0 "$RC"

# --- hints ------------------------------------------------------------------
as stu1 "$VMNET" status --json
json_taps "$W/out" > "$W/stu1.taps"
as stu1 "$VMNET" hint qemu
expect_eq "vmnet hint qemu exit" 0 "$RC"
hinted=$(sed -n 's/.*-nic tap,ifname=\([^,]*\),.*/\1/p' "$W/out")
[ -n "$hinted" ] || fail "qemu hint names no tap: $(cat "$W/out")"
grep -qxF "$hinted" "$W/stu1.taps" || fail "qemu hint names $hinted, not one of stu1's taps"
grep -q "br=vmnet0,helper=/usr/lib/vmnet/vmnet-bridge-helper" "$W/out" ||
        fail "qemu hint lacks the bridge helper line: $(cat "$W/out")"
# qemu_hinted USER HINT-LINE-PATTERN: runs QEMU (stopped, -S) with the
# hinted line as USER; its output in $W/qemu.out, exit code in $RC.
qemu_hinted() {
        local user=$1 line args
        line=$(grep -F -- "$2" "$W/hint.qemu" | grep -v TAP | head -n 1)
        args=${line#*qemu-system-x86_64 ... }
        args=${args//\/usr\/lib\/vmnet\/vmnet-bridge-helper/$BUILD/vmnet-bridge-helper}
        RC=0
        # shellcheck disable=SC2086 # the hint's words, split as a shell would
        printf 'info network\nquit\n' | runuser -u "$user" -- timeout 20 qemu-system-x86_64 \
                -accel tcg -S -display none -nodefaults -monitor stdio $args > "$W/qemu.out" 2>&1 ||
                RC=$?
}
qemu_accepts() { # qemu_accepts USER HINT-LINE-PATTERN EXPECTED-IN-INFO-NETWORK
        qemu_hinted "$1" "$2"
        expect_eq "QEMU exit with the hinted '$2' line: $(cat "$W/qemu.out")" 0 "$RC"
        grep -qF -- "$3" "$W/qemu.out" || fail "QEMU with the '$2' line is not on $3: $(cat "$W/qemu.out")"
}
# QEMU takes both hinted lines as they are (the helper from this build, as
# it is not installed here), and attaches to the tap each names.
if command -v qemu-system-x86_64 > /dev/null; then
        # shellcheck source=../lib/guest.sh
        . "$ROOT/tests/lib/guest.sh"
        guest_allow_tun
        cp "$W/out" "$W/hint.qemu"
        qemu_accepts stu1 "-nic tap," "type=tap,ifname=$hinted,"
        # stu1 has max_taps taps: QEMU fails and shows the helper's one line.
        qemu_hinted stu1 "-nic bridge,"
        [ "$RC" -ne 0 ] || fail "QEMU started on a VM tap over stu1's quota"
        grep -q "^vmnet-bridge-helper: tap quota reached" "$W/qemu.out" ||
                fail "QEMU does not show the helper's quota message: $(cat "$W/qemu.out")"
        # stu2 has room (login tap + one of max_taps=$MAX).
        qemu_accepts stu2 "-nic bridge," "type=tap,helper=$BUILD/vmnet-bridge-helper,br=vmnet0"
else
        log "qemu-system-x86_64 is missing: hinted QEMU lines not run"
fi
as stu1 "$VMNET" hint libvirt
expect_eq "vmnet hint libvirt exit" 0 "$RC"
grep -q "<source bridge='vmnet0'/>" "$W/out" || fail "libvirt hint lacks the bridge: $(cat "$W/out")"
as stu1 "$VMNET" hint lxc
for line in "lxc.net.0.type = empty" "lxc.hook.start-host = /usr/lib/vmnet/vmnet-lxc-hook"; do
        grep -qx "  $line" "$W/out" || fail "lxc hint lacks '$line': $(cat "$W/out")"
done
! grep -q "lxc-usernet" "$W/out" || fail "lxc hint still asks for an lxc-usernet line: $(cat "$W/out")"
as stu2 "$VMNET" hint virtualbox
expect_eq "vmnet hint virtualbox (stu2, logged in) exit" 0 "$RC"
grep -q -- "--bridgeadapter1 tap-stu2$" "$W/out" || fail "virtualbox hint lacks tap-stu2: $(cat "$W/out")"
# VMware is bound to the lab bridge once per machine: the same hint for a
# student without a session (the admin's line while VMware is not bound)
as stu1 env VMNET_VMWARE_NETWORKING=/nonexistent "$VMNET" hint vmware
expect_eq "vmnet hint vmware (stu1, no session) exit" 0 "$RC"
grep -q "add_bridge_mapping vmnet0 0" "$W/out" || fail "vmware hint lacks the admin's line for vmnet0: $(cat "$W/out")"
# VirtualBox needs the login tap, which stu1 (no session) does not have.
as stu1 "$VMNET" hint virtualbox
expect_eq "vmnet hint virtualbox without a login tap exit" 1 "$RC"
grep -q "no login tap" "$W/err" || fail "unclear hint refusal: $(cat "$W/err")"
as stu1 "$VMNET" hint hyperv
expect_eq "vmnet hint of an unknown hypervisor exit" 2 "$RC"

# --- usage and no vmnetd ----------------------------------------------------
as stu1 "$VMNET" frobnicate
expect_eq "unknown command exit" 2 "$RC"
as stu1 "$VMNET" tap del
expect_eq "tap del without a name exit" 2 "$RC"
as stu1 "$VMNET" --help
expect_eq "--help exit" 0 "$RC"
grep -q "^usage: vmnet" "$W/out" || fail "--help says no usage: $(cat "$W/out")"
# --version: every program says the version of debian/changelog's first
# entry (its upstream part), and nothing else
version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$ROOT/debian/changelog")
for prog in vmnet vmnetd vmnet-bridge-helper; do
        as stu1 "$BUILD/$prog" --version
        expect_eq "$prog --version exit" 0 "$RC"
        expect_eq "$prog --version" "$prog ${version%-*}" "$(cat "$W/out")"
done
as stu1 env VMNET_SOCKET=/run/vmnet/absent.sock "$VMNET" status
expect_eq "status without vmnetd exit" 3 "$RC"
expect_eq "message without vmnetd" "vmnet: vmnetd is not running (no /run/vmnet/absent.sock)" \
        "$(cat "$W/err")"

log "PASS"
