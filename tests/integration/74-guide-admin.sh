#!/usr/bin/env bash
# docs/admin.md's claims that can run here: its key table gives the
# defaults etc/vmnet.conf.example shows and vmnetd accepts; its example
# configuration passes --check-config; uplink = external without the
# admin's bridge stops vmnetd with the message the guide quotes, and with
# it vmnetd runs no dnsmasq, adds no address and no nftables table, puts
# the login tap's bridge end on the admin's bridge, and --down leaves that
# bridge and its port; the guide's lxc-usernet lines (a user, a @group) let
# lxc-user-nic plug a veth into the bridge.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guide.sh
. "$ROOT/tests/lib/guide.sh"

DOC=$ROOT/docs/admin.md
[ -x "$VMNETD" ] || skip "build/vmnetd is not built"

# --- the key table: defaults as the shipped file shows them, keys vmnetd knows --
n=0
while IFS='|' read -r _ key default _; do
        key=${key//[\` ]/}
        default=$(sed 's/^ *//; s/ *$//; s/`//g' <<< "$default")
        [[ $key =~ ^[a-z_]+$ ]] || continue
        [ "$key" != key ] || continue
        n=$(( n + 1 ))
        [ "$default" != "(empty)" ] || default=
        shipped=$(sed -n "s/^#$key = *//p; s/^#$key =\$//p" "$ROOT/etc/vmnet.conf.example")
        grep -Eq "^#$key( |$)" "$ROOT/etc/vmnet.conf.example" || fail "key '$key' of docs/admin.md is not in etc/vmnet.conf.example"
        expect_eq "default of $key (docs/admin.md vs etc/vmnet.conf.example)" "$shipped" "$default"
        printf '%s = %s\n' "$key" "$default" > "$W/one.conf"
        "$VMNETD" --check-config "$W/one.conf" > "$W/check" 2>&1 ||
                fail "vmnetd refuses the guide's default '$key = $default': $(cat "$W/check")"
done < <(sed -n '/^| key | default | what |$/,/^$/p' "$DOC")
expect_eq "keys in the guide's table vs etc/vmnet.conf.example" \
        "$(grep -cE '^#[a-z_]+ =' "$ROOT/etc/vmnet.conf.example")" "$n"

guide_block "$DOC" admin-example > "$W/example.conf"
echo "students:x:61500:" >> /etc/group   # the example names it; --check-config checks that it exists
"$VMNETD" --check-config "$W/example.conf" > "$W/check" 2>&1 ||
        fail "the guide's example configuration is refused: $(cat "$W/check")"

# --- uplink = external ----------------------------------------------------------
world_add_user alice 61001 students
world_config uplink=external bridge=vmnet0 > "$W/external.conf"
rc=0
timeout 10 "$VMNETD" -f -c "$W/external.conf" > "$W/ext.log" 2>&1 || rc=$?
if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then
        fail "vmnetd without the admin's bridge: exit $rc, $(cat "$W/ext.log")"
fi
grep -q "uplink = external: bridge vmnet0 does not exist" "$W/ext.log" ||
        fail "vmnetd does not say the bridge is missing: $(cat "$W/ext.log")"
grep -Fq "uplink = external: bridge vmnet0 does not" "$DOC" || fail "the guide no longer quotes that message"

# The admin's bridge, as ifupdown or networkd would make it: the LAN port
# (a veth standing for eth0) and the host's LAN address on the bridge.
ip link add lan0 type veth peer name lanpeer
ip link add vmnet0 type bridge
ip link set vmnet0 address 02:00:00:00:00:10
ip link set lan0 master vmnet0 up
ip link set lanpeer up
ip addr add 192.0.2.10/24 dev vmnet0
ip link set vmnet0 up
addrs_before=$(ip -4 -o addr show dev vmnet0 | awk '{ print $4 }')
world_start_vmnetd "$W/external.conf"
world_spawn "$BUILD/tests/tools/vmnetctl" hold alice 300
wait_until 10 test -e /sys/class/net/tap-alice || fail "no tap-alice on the admin's bridge"
peer=$(login_peer tap-alice) || fail "tap-alice is not a veth pair"
expect_eq "bridge of tap-alice's other end $peer" vmnet0 "$(basename "$(readlink "/sys/class/net/$peer/master")")"
[ ! -e /sys/class/net/tap-alice/master ] || fail "tap-alice itself is a bridge port (a tap, not a login link?)"
wait_until 5 login_link_is_forwarding tap-alice || fail "tap-alice does not forward on the admin's bridge"
expect_eq "addresses of the admin's bridge" "$addrs_before" "$(ip -4 -o addr show dev vmnet0 | awk '{ print $4 }')"
[ -z "$(pgrep -P "$VMNETD_PID" -x dnsmasq || true)" ] || fail "vmnetd runs a dnsmasq with uplink = external"
[ ! -e /run/vmnet/dnsmasq.conf ] || fail "vmnetd wrote a dnsmasq.conf with uplink = external"
if command -v nft > /dev/null; then
        ! nft list table inet vmnet > /dev/null 2>&1 || fail "an nftables table inet vmnet exists with uplink = external"
fi
expect_eq "MAC of the admin's bridge with a tap on it" 02:00:00:00:00:10 "$(cat /sys/class/net/vmnet0/address)"

kill -TERM "$VMNETD_PID"
wait_until 10 sh -c "! kill -0 $VMNETD_PID 2>/dev/null" || fail "vmnetd did not stop"
"$VMNETD" -c "$W/external.conf" --down > "$W/down.log" 2>&1 || fail "--down failed: $(cat "$W/down.log")"
[ ! -e /sys/class/net/tap-alice ] || fail "--down left tap-alice"
[ -e /sys/class/net/vmnet0 ] || fail "--down removed the admin's bridge"
expect_eq "port of the admin's bridge after --down" lan0 "$(ls /sys/class/net/vmnet0/brif)"

# --- the lxc-usernet lines ---------------------------------------------------------
USERNIC=/usr/libexec/lxc/lxc-user-nic
if [ -u "$USERNIC" ]; then
        # a private /etc (the host has no file to bind a copy over)
        cp -a /etc "$W/etc-all"
        mount --bind "$W/etc-all" /etc
        mapfile -t lines < <(guide_block "$DOC" admin-lxc-usernet)
        expect_eq "the guide's lxc-usernet lines" 2 "${#lines[@]}"
        for line in "${lines[@]}"; do
                echo "$line" > /etc/lxc/lxc-usernet
                world_spawn runuser -u alice -- unshare -Urn sleep 60
                holder=$SPAWNED
                wait_until 5 pgrep -P "$holder" -x sleep || fail "alice's namespace holder did not start"
                pid=$(pgrep -P "$holder" -x sleep)
                WORLD_PIDS+=("$pid")
                out=$(runuser -u alice -- "$USERNIC" create lxc c0 "$pid" veth vmnet0 eth0 2>&1) ||
                        fail "lxc-user-nic refused with '$line': $out"
                veth=$(cut -d: -f3 <<< "$out")
                expect_eq "bridge of $veth ('$line')" vmnet0 "$(basename "$(readlink "/sys/class/net/$veth/master")")"
                kill -KILL "$pid"
        done
else
        log "no setuid $USERNIC: the lxc-usernet lines are not checked"
fi
log "PASS"
