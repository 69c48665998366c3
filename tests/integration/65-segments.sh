#!/usr/bin/env bash
# Private segments without a VM: vmnet segment add/list/del as students.
# A segment is a bridge of its own (no address, no IPv6, no DHCP, not the
# lab's) with a link for VirtualBox and VMware named from student and
# segment; max_segments holds; names are checked; only the owner lists or
# deletes one.  A network namespace of the student's joins it (vmnet netns
# attach --segment, and LXC's hook the same way), and frames sent on the
# segment's link as VirtualBox sends them (the AF_PACKET stand-in) reach
# it; the host answers nothing on a segment, not even ARP for its lab
# address.  kill -9 and a restart adopt segments and links (the same
# ifindexes, nothing left over); the last logout takes the segments not
# kept, a restart without a session keeps the kept one; --down removes
# every segment and the seal.  A teacher (teacher_groups) sees every
# student's segments, their links and what is attached, in vmnet status
# --all (text and JSON) and in lab.html, a kept one after its owner's last
# logout too; a student still cannot run status --all.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/netns.sh
. "$ROOT/tests/lib/netns.sh"
# shellcheck source=../lib/guide.sh
. "$ROOT/tests/lib/guide.sh"
DOC=$ROOT/docs/segments.md

VMNET=$BUILD/vmnet
CTL=$BUILD/tests/tools/vmnetctl
[ -x "$VMNET" ] || skip "build/vmnet is not built"
command -v python3 > /dev/null || skip "python3 is missing"
command -v busybox > /dev/null || skip "busybox is missing"
world_add_user alice 61001 lab
world_add_user bob 61002 lab
world_add_user outsider 61009
world_add_user teach1 61010 teachers
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=nat domain=lab max_taps=6 max_segments=2 \
        allow_groups=lab teacher_groups=teachers > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"

hold() { # hold USER: a session whose opener stays; its pid in $HELD
        world_spawn "$CTL" hold "$1" 600
        HELD=$SPAWNED
        wait_until 10 test -e "/sys/class/net/tap-$1" || fail "no login link for $1"
}
# as USER ARGS...: vmnet ARGS as USER; stdout in $W/out, stderr in $W/err, exit in $RC
as() {
        local user=$1
        shift
        RC=0
        runuser -u "$user" -- "$VMNET" "$@" > "$W/out" 2> "$W/err" || RC=$?
}
bridge_of() { basename "$(readlink "/sys/class/net/$1/master")"; }
ifindex() { cat "/sys/class/net/$1/ifindex"; }
# the links vmnetd made for segments: bridges, links, ports
segment_links() { ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | grep -E '^(b~|s~|vmns)|=' | sort || true; }

hold alice; S1=$HELD
hold bob

# --- add: a bridge of its own, and its link -----------------------------
expect_eq "the guide's command" "vmnet segment add lan2" "$(guide_commands "$DOC" segment-add)"
as alice segment add lan2
expect_eq "exit of segment add lan2 ($(cat "$W/err"))" 0 "$RC"
diff <(guide_output "$DOC" segment-add) "$W/out" || fail "segment add does not print what docs/segments.md shows"
link=$(sed -n 's/^segment lan2: link \([^,]*\), bridge \(.*\)$/\1/p' "$W/out")
br=$(sed -n 's/^segment lan2: link \([^,]*\), bridge \(.*\)$/\2/p' "$W/out")
expect_eq "alice's link for lan2" "alice=lan2" "$link"
[[ $br == b~?????????? ]] || fail "odd bridge name '$br': $(cat "$W/out")"
grep -q "QEMU and libvirt attach with br=lan2, VirtualBox and VMware to alice=lan2" "$W/out" ||
        fail "segment add does not say how to attach: $(cat "$W/out")"
grep -q "It goes when your last session ends" "$W/out" || fail "segment add does not say when it goes: $(cat "$W/out")"
expect_eq "kind of $br" bridge "$(ip -d -o link show "$br" | grep -o 'bridge ' | head -n 1 | tr -d ' ')"
[ -z "$(ip -o addr show dev "$br")" ] || fail "$br has an address: $(ip -o addr show dev "$br")"
expect_eq "IPv6 on $br" 1 "$(cat "/proc/sys/net/ipv6/conf/$br/disable_ipv6")"
peer=$(login_peer "$link") || fail "$link is not a veth pair"
[[ $peer == vmns* ]] || fail "the bridge end of $link is $peer"
expect_eq "bridge of $peer" "$br" "$(bridge_of "$peer")"
[ ! -e "/sys/class/net/$link/master" ] || fail "$link itself is a bridge port"
wait_until 5 login_link_is_forwarding "$link" || fail "$link does not forward"
[ "$(bridge_of "$peer")" != vmnet0 ] || fail "lan2 is the lab bridge"
log "alice's lan2: bridge $br, link $link (its other end $peer)"

# names: checked here and by vmnetd; the student's own once; never the lab bridge's
for bad in Lan2 2lan lan/2 'lan 2' abcdefghijklmnop 'lan,br=vmnet0'; do
        as alice segment add "$bad"
        expect_eq "exit of segment add '$bad'" 2 "$RC"
        grep -q "^vmnet: '.*' is no segment name: it " "$W/err" || fail "segment add '$bad': $(cat "$W/err")"
done
as alice segment add vmnet0
expect_eq "exit of segment add vmnet0" 1 "$RC"
grep -q "malformed request" "$W/err" || fail "segment add vmnet0: $(cat "$W/err")"
as alice segment add lan2
expect_eq "exit of a second lan2" 1 "$RC"
expect_eq "a second lan2" "vmnet: you have a segment of that name already ('vmnet segment list')" "$(cat "$W/err")"
# max_segments = 2
as alice segment add lan3 --keep
expect_eq "exit of segment add lan3 --keep ($(cat "$W/err"))" 0 "$RC"
grep -q "It stays until 'vmnet segment del lan3' or the machine restarts" "$W/out" ||
        fail "segment add --keep does not say when it goes: $(cat "$W/out")"
before=$(segment_links)
as alice segment add lan4
expect_eq "exit over max_segments" 1 "$RC"
grep -q "segment quota reached (max_segments)" "$W/err" || fail "over max_segments: $(cat "$W/err")"
expect_eq "links after a refused segment" "$before" "$(segment_links)"
# the lab's refusal for whom it does not admit
as outsider segment add lan2
expect_eq "exit of the outsider's segment add" 1 "$RC"
grep -q "vmnetd refused a segment" "$W/err" || fail "outsider: $(cat "$W/err")"

# list, status: the owner's only
as alice segment list
expect_eq "exit of segment list" 0 "$RC"
grep -q "^segments  2 of at most 2$" "$W/out" || fail "segment list: $(cat "$W/out")"
grep -Eq "^  lan2 +link alice=lan2 +bridge $br +until your last logout; no VM attached by tap$" "$W/out" ||
        fail "segment list lacks lan2: $(cat "$W/out")"
grep -Eq "^  lan3 +link alice=lan3 +bridge b~.* kept; " "$W/out" || fail "segment list lacks lan3: $(cat "$W/out")"
as alice status
grep -q "^segments  2 of at most 2$" "$W/out" || fail "vmnet status does not list segments: $(cat "$W/out")"
as bob status
! grep -q "segments\|lan2" "$W/out" || fail "bob's status shows alice's segments: $(cat "$W/out")"
as bob segment list --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["segments"] == [] and d["max_segments"] == 2, d' \
        "$W/out" || fail "bob's segment list: $(cat "$W/out")"

# bob's own lan2: another segment
as bob segment add lan2
expect_eq "exit of bob's lan2" 0 "$RC"
br2=$(sed -n 's/^segment lan2: link [^,]*, bridge \(.*\)$/\1/p' "$W/out")
[ "$br2" != "$br" ] || fail "bob's lan2 is alice's bridge $br"
[ -e /sys/class/net/bob=lan2 ] || fail "no bob=lan2"
# only the owner deletes: anyone else hears the one refusal
as bob segment del lan3
expect_eq "exit of bob deleting alice's lan3" 1 "$RC"
grep -q "vmnetd refused: you have no segment of that name" "$W/err" || fail "bob del lan3: $(cat "$W/err")"
[ -e /sys/class/net/alice=lan3 ] || fail "bob deleted alice's lan3"

# --- a namespace of the student's on the segment, and the VirtualBox path ---
ns_start alice; N1=$NS_PID
as alice netns attach --segment lan2 --name eth1 "$N1"
expect_eq "exit of netns attach --segment lan2 ($(cat "$W/err"))" 0 "$RC"
nsport=$(cat "$W/out")
[[ $nsport == vmns* ]] || fail "netns attach --segment printed '$nsport'"
expect_eq "bridge of $nsport" "$br" "$(bridge_of "$nsport")"
in_ns "$N1" ip link set lo up
in_ns "$N1" ip addr add 192.168.50.88/24 dev eth1 || fail "no eth1 in alice's namespace"
# LXC's hook, as LXC runs it for a container's second interface
runuser -u alice -- env LXC_PID="$N1" "$BUILD/vmnet-lxc-hook" --name eth2 --segment lan2 c1 lxc start-host \
        > "$W/hook" 2>&1 || fail "vmnet-lxc-hook --segment lan2 failed: $(cat "$W/hook")"
hookport=$(tail -n 1 "$W/hook")
expect_eq "bridge of the hook's $hookport" "$br" "$(bridge_of "$hookport")"
in_ns "$N1" ip -o link show eth2 > /dev/null || fail "the hook made no eth2"
# another's segment by name: the one refusal, nothing made
ns_start bob; N2=$NS_PID
as bob netns attach --segment lan3 "$N2"
expect_eq "exit of bob attaching to alice's lan3" 1 "$RC"
grep -q "vmnetd refused to attach that network namespace" "$W/err" || fail "bob to lan3: $(cat "$W/err")"
as alice segment list
grep -Eq "^  lan2 .*until your last logout; ($nsport, $hookport|$hookport, $nsport)$" "$W/out" ||
        fail "segment list does not show what is attached to lan2: $(cat "$W/out")"
# the guide's listing, but for the numbers of the ports (and lan3, which it does not have)
ports() { sed 's/vmns[0-9]*/vmnsN/g'; }
diff <(guide_output "$DOC" segment-list | sed 's/1 of at most 2/2 of at most 2/' | ports) \
     <(grep -v '^  lan3 ' "$W/out" | ports) || fail "segment list does not print what docs/segments.md shows"
# the guide's QEMU line is the hint's, but for the MAC
as alice hint qemu
grep -Fxq "  $(guide_block "$DOC" segment-qemu | sed 's/mac=.*/mac=/')$(sed -n 's/.*br=lan2,.*mac=\(.*\)/\1/p' "$W/out")" \
        "$W/out" || fail "vmnet hint qemu lacks the guide's line for lan2: $(cat "$W/out")"

# frames sent on alice=lan2 as VirtualBox sends them reach the namespace
standin() { python3 "$ROOT/tests/lib/wire_standin.py" "$1" 52:55:00:ee:50:01 192.168.50.77 arp "$2"; }
out=$(standin alice=lan2 192.168.50.88) || fail "a guest behind alice=lan2 cannot ping 192.168.50.88 on lan2: $out"
# (Linux answers ARP on each of the namespace's links on lan2: either MAC is its)
nsmacs=$(in_ns "$N1" ip -o link show | sed -n 's|.* link/ether \([0-9a-f:]*\) .*|\1|p')
grep -qxF "$(sed -n 's/^192.168.50.88 is-at //p' <<< "$out")" <<< "$nsmacs" ||
        fail "the ARP reply is not from the namespace's links ($nsmacs): $out"
# ... and never another student's segment, nor the host
out=$(standin bob=lan2 192.168.50.88) && fail "bob's lan2 reaches alice's namespace: $out"
out=$(standin alice=lan2 10.77.0.1) && fail "the host answers on alice's lan2: $out"
# (the host's end of alice=lan2 takes what is flooded on lan2, as VirtualBox's
# hook needs it to; the host's stack must not answer there either)
in_ns "$N1" ip route add default dev eth1
in_ns "$N1" busybox arping -c 2 -w 3 -I eth1 10.77.0.1 > "$W/arping" 2>&1 &&
        fail "the host answers ARP for 10.77.0.1 on lan2: $(cat "$W/arping")"
in_ns "$N1" busybox ping -c 1 -W 2 10.77.0.1 > /dev/null && fail "the host answers a ping from lan2"
for f in bridge inet arp; do
        nft list table "$f" vmnet_segments > "$W/seal.$f" || fail "no table $f vmnet_segments"
done
# the lab's guard takes nothing on lan2 for the host's own: another
# student's MAC or address used there is never "taken" on the lab
nft list set bridge vmnet_guard trusted_addrs > "$W/trusted" || fail "no guard on the lab"
! grep -q '192\.168\.50\.' "$W/trusted" || fail "the guard trusts lan2's addresses: $(cat "$W/trusted")"
grep -q 'iifname "vmns\*" drop' "$W/seal.bridge" || fail "the bridge seal drops nothing: $(cat "$W/seal.bridge")"
expect_eq "device group of alice=lan2" $((0x766d6e73)) "$(cat /sys/class/net/alice=lan2/netdev_group)"
log "lan2: the namespace and the VirtualBox stand-in meet there; bob's lan2 and the host do not"

# --- the teacher's view: every student's segments -----------------------------
# segments_of FILE: "USER NAME BRIDGE LINK KEEP ATTACHED,..." per segment of a status --all --json, sorted
segments_of() {
        python3 - "$1" <<'PY' | sort
import json, sys
lab = json.load(open(sys.argv[1]))
for s in lab["students"]:
    for g in s["segments"]:
        assert isinstance(g["since"], int) and g["since"] > 0, g
        print(s["user"], g["name"], g["bridge"], g["link"], str(g["keep"]).lower(), ",".join(sorted(g["attached"])) or "-")
PY
}
lan3br=$(bridge_of "$(login_peer alice=lan3)")
want=$(printf '%s\n' "alice lan2 $br alice=lan2 false $(printf '%s\n' "$nsport" "$hookport" | sort | paste -sd,)" \
        "alice lan3 $lan3br alice=lan3 true -" "bob lan2 $br2 bob=lan2 false -")
teacher_sees() { # teacher_sees WANT: teach1's status --all --json lists exactly these segments
        runuser -u teach1 -- "$VMNET" status --all --json > "$W/all.json" 2> "$W/all.err" &&
                [ "$(segments_of "$W/all.json")" = "$1" ]
}
wait_until 5 teacher_sees "$want" ||
        fail "status --all --json does not list the segments '$want': $(segments_of "$W/all.json") $(cat "$W/all.err")"
as teach1 status --all
expect_eq "exit of status --all as teach1 ($(cat "$W/err"))" 0 "$RC"
grep -Eq "^    segment lan2 +bridge $br +link alice=lan2 +until the last logout, for [0-9]+ (s|min); attached: ($nsport, $hookport|$hookport, $nsport)\$" \
        "$W/out" || fail "status --all lacks alice's lan2: $(cat "$W/out")"
grep -Eq "^    segment lan3 +bridge $lan3br +link alice=lan3 +kept, for .*; nothing attached by tap\$" "$W/out" ||
        fail "status --all lacks alice's lan3: $(cat "$W/out")"
# under its owner: bob's lan2 follows bob's line
awk '/^  bob /{ b = 1 } b && /^    segment lan2 /{ print $4; exit }' "$W/out" | grep -qxF "$br2" ||
        fail "status --all does not list bob's lan2 under bob: $(cat "$W/out")"
# the page: a row per segment, a box in the owner's column
wait_until 5 grep -q "<tr class=\"segment\"><td>alice</td><td>lan3</td><td>$lan3br</td><td>alice=lan3</td><td>kept</td><td>nothing</td>" \
        /run/vmnet/lab.html || fail "lab.html lacks alice's lan3: $(grep -o '<h2>Private.*' /run/vmnet/lab.html)"
grep -q "<tr class=\"segment\"><td>bob</td><td>lan2</td><td>$br2</td>" /run/vmnet/lab.html || fail "lab.html lacks bob's lan2"
grep -q '<g class="segment">.*>lan2</text><text [^>]*>private, 2 attached</text>' /run/vmnet/lab.html ||
        fail "the picture lacks alice's lan2 with its 2 ports"
# a student still sees only their own
for how in "" --json --html; do
        # shellcheck disable=SC2086 # no option is no word
        as alice status --all $how
        expect_eq "exit of status --all $how as alice" 1 "$RC"
        grep -q "the whole lab is shown only to root and to members of teacher_groups" "$W/err" ||
                fail "status --all $how as alice: $(cat "$W/err")"
        [ ! -s "$W/out" ] || fail "a refused status --all printed: $(cat "$W/out")"
done
log "teach1 sees alice's lan2 (2 ports), lan3 (kept) and bob's lan2"

# del: refused while something is attached; then done
as alice segment del lan2
expect_eq "exit of del with links attached" 1 "$RC"
expect_eq "del with links attached" "$(guide_output "$DOC" segment-del-busy)" "$(cat "$W/err")"
[ -e "/sys/class/net/$br" ] || fail "a refused del took $br"

# --- kill -9, restart: everything adopted, nothing left over ------------------
links_before=$(segment_links)
idx_before="$(ifindex "$br") $(ifindex alice=lan2) $(ifindex "$nsport")"
kill -KILL "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true
world_start_vmnetd "$W/vmnet.conf"
expect_eq "segment links after the restart" "$links_before" "$(segment_links)"
expect_eq "ifindexes after the restart" "$idx_before" "$(ifindex "$br") $(ifindex alice=lan2) $(ifindex "$nsport")"
wait_until 5 login_link_is_forwarding alice=lan2 || fail "alice=lan2 is not forwarding after the restart"
out=$(standin alice=lan2 192.168.50.88) || fail "lan2 does not carry frames after the restart: $out"
as alice segment list
grep -Eq "^  lan2 .*($nsport, $hookport|$hookport, $nsport)$" "$W/out" || fail "after the restart: $(cat "$W/out")"
"$BUILD/tests/tools/vmnet-state" > "$W/state" || fail "no state"
grep -Eq " segment 61001 0 lan3 keep [1-9][0-9]*$" "$W/state" || fail "the state lacks lan3 (and when it was made): $(cat "$W/state")"

# the namespace goes: its links go; then del takes lan2 whole
kill "$N1"
wait_until 5 test ! -e "/sys/class/net/$nsport" || fail "$nsport outlived its namespace"
wait_until 5 test ! -e "/sys/class/net/$hookport" || fail "$hookport outlived its namespace"
as alice segment del lan2
expect_eq "exit of segment del lan2 ($(cat "$W/err"))" 0 "$RC"
for l in "$br" alice=lan2 "$peer"; do [ ! -e "/sys/class/net/$l" ] || fail "segment del left $l"; done
as alice segment add lan2
expect_eq "exit of making lan2 again ($(cat "$W/err"))" 0 "$RC"
br=$(sed -n 's/^segment lan2: link [^,]*, bridge \(.*\)$/\1/p' "$W/out")

# --- the last logout: lan2 goes, lan3 (kept) stays -----------------------
kill "$S1"
wait_until 5 test ! -e /sys/class/net/tap-alice || fail "alice's logout left tap-alice"
wait_until 5 test ! -e /sys/class/net/alice=lan2 || fail "alice's logout left alice=lan2"
[ ! -e "/sys/class/net/$br" ] || fail "alice's logout left $br"
[ -e /sys/class/net/alice=lan3 ] || fail "alice's logout took the kept lan3"
[ -e /sys/class/net/bob=lan2 ] || fail "alice's logout took bob's lan2"
# a restart while alice has no session keeps lan3 too
kill -KILL "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true
world_start_vmnetd "$W/vmnet.conf"
[ -e /sys/class/net/alice=lan3 ] || fail "a restart without alice's session took the kept lan3"
wait_until 5 login_link_is_forwarding alice=lan3 || fail "alice=lan3 is not forwarding after the restart"
as alice segment list
grep -q "^  lan3 " "$W/out" || fail "alice's kept lan3 after the restart: $(cat "$W/out")"
# the teacher still sees it, its owner with no session
wait_until 5 teacher_sees "$(printf '%s\n' "alice lan3 $lan3br alice=lan3 true -" "bob lan2 $br2 bob=lan2 false -")" ||
        fail "after alice's logout, status --all lists: $(segments_of "$W/all.json")"
python3 -c 'import json, sys
a = [s for s in json.load(open(sys.argv[1]))["students"] if s["user"] == "alice"]
assert len(a) == 1 and a[0]["sessions"] == 0, a' "$W/all.json" || fail "alice is not listed without a session: $(cat "$W/all.json")"

# --- --down: every segment, and the seal, go -------------------------------
kill -TERM "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true
[ -e /sys/class/net/alice=lan3 ] || fail "SIGTERM took lan3"
"$BUILD/vmnetd" -c "$W/vmnet.conf" --down || fail "vmnetd --down failed"
expect_eq "segment links after --down" "" "$(segment_links)"
for f in bridge inet arp; do
        ! nft list table "$f" vmnet_segments > /dev/null 2>&1 || fail "--down left the table $f vmnet_segments"
done
log "PASS"
