#!/usr/bin/env bash
# A changed vmnet.conf applies cleanly: for each of address, bridge,
# tap_name, uplink, uplink_interface and dhcp_range, with a student logged
# in and a kept tap, by reload (SIGHUP) and by restart, the kernel matches
# the new configuration — what the old one made and the new one does not
# want is gone (the old bridge and its address and route, the old
# firewall), the login link and the kept tap are the same links, on the new
# bridge and under the new names, and vmnet status shows them — and then
# --down, given the old or the new file, leaves nothing: no link, address,
# route, nftables table or run file, and ip_forward as it was.  Then to
# uplink = external: onto the admin's bridge (vmnetd's own goes), or with
# the name of vmnetd's bridge (handed over: --down leaves it).
. "$(dirname "$0")/../lib/world.sh"
world_enter "$@"
CTL=$BUILD/tests/tools/vmnetctl
VMNET=$BUILD/vmnet

world_add_user stu1 61001
# the host's two would-be uplinks for uplink_interface (the test's own links)
ip link add up0 type veth peer name up0p
ip link add up1 type veth peer name up1p
OWN_LINKS='^(lo|up0|up0p|up1|up1p)$'
echo 0 > /proc/sys/net/ipv4/ip_forward

# (dhcp_range is left to its default, which follows the address)
BASE=(uplink=nat uplink_interface=up0 bridge=vmnet0 address=10.77.0.1/24 tap_name=tap-%u)
# the change of each key (what the lab must look like after it: below)
# shellcheck disable=SC2054 # a comma inside the dhcp_range value
declare -A CHANGE=(
        [address]=10.88.0.1/24 [bridge]=lab1 [tap_name]=lab-%u [uplink]=isolated
        [uplink_interface]=up1 [dhcp_range]=10.77.0.50,10.77.0.60
)

config() { # config KEY=VALUE...: BASE with these replaced, into $C
        local kv k o out=()
        for kv in "${BASE[@]}"; do
                k=${kv%%=*}
                for o in "$@"; do [ "${o%%=*}" != "$k" ] || kv=$o; done
                out+=("$kv")
        done
        for o in "$@"; do [[ " ${BASE[*]%%=*} " == *" ${o%%=*} "* ]] || out+=("$o"); done
        world_config "${out[@]}" > "$C"
}

ifindex() { cat "/sys/class/net/$1/ifindex" 2>/dev/null; }
master() { basename "$(readlink "/sys/class/net/$1/master")" 2>/dev/null; }

start() {
        world_start_vmnetd "$C" 2> >(tee -a "$W/vmnetd.log" >&2)
}

stop() {
        kill -TERM "$VMNETD_PID"
        wait "$VMNETD_PID" 2>/dev/null || true
}

reload() {
        local n
        n=$(grep -c "configuration reloaded" "$W/vmnetd.log" || true)
        kill -HUP "$VMNETD_PID"
        wait_until 10 sh -c "[ \$(grep -c 'configuration reloaded' '$W/vmnetd.log') -gt $n ]" ||
                fail "$CASE: the reload was not taken: $(tail -n 5 "$W/vmnetd.log")"
}

# lab_is BRIDGE ADDRESS LOGIN KEPT UPLINK UPLINK_IF RANGE: the kernel and
# vmnetd as that configuration says, with the login link and the kept tap
# the very links made before the change.
lab_is() {
        local br=$1 addr=$2 login=$3 kept=$4 uplink=$5 upif=$6 range=$7 peer subnet ruleset
        [ -d "/sys/class/net/$br/bridge" ] || fail "$CASE: no bridge $br"
        expect_eq "$CASE: addresses of $br" "$addr" "$(ip -4 -o addr show dev "$br" | awk '{ print $4 }' | paste -sd' ')"
        subnet=$(python3 -c "import ipaddress, sys; print(ipaddress.ip_interface(sys.argv[1]).network)" "$addr")
        expect_eq "$CASE: routes" "$subnet dev $br" "$(ip -4 route show | awk '{ print $1, $2, $3 }' | paste -sd';')"
        expect_eq "$CASE: bridges" "$br" "$(ip -o link show type bridge | awk -F': ' '{ print $2 }' | paste -sd' ')"
        expect_eq "$CASE: the login link is the one made before the change" "$LOGIN_IFINDEX" "$(ifindex "$login")"
        expect_eq "$CASE: the kept tap is the one made before the change" "$KEPT_IFINDEX" "$(ifindex "$kept")"
        peer=$(login_peer "$login") || fail "$CASE: $login has no peer"
        expect_eq "$CASE: bridge of $login's bridge end" "$br" "$(master "$peer")"
        expect_eq "$CASE: bridge of the kept tap $kept" "$br" "$(master "$kept")"
        wait_until 5 login_link_is_forwarding "$login" || fail "$CASE: $login does not forward"
        # vmnetd's own view, and what the student sees
        runuser -u stu1 -- "$CTL" status > "$W/status"
        grep -q "bridge $br address $addr " "$W/status" || fail "$CASE: vmnetd reports: $(cat "$W/status")"
        grep -qx "tap $login login.*" "$W/status" || fail "$CASE: no login link $login in: $(cat "$W/status")"
        grep -qx "tap $kept persistent.*" "$W/status" || fail "$CASE: no kept tap $kept in: $(cat "$W/status")"
        runuser -u stu1 -- "$VMNET" status > "$W/vmnet-status" || fail "$CASE: vmnet status failed"
        grep -q "^  $login .*login" "$W/vmnet-status" || fail "$CASE: vmnet status lost $login: $(cat "$W/vmnet-status")"
        # the firewall for this uplink (re-applied on reload too)
        ruleset=$(nft list table inet vmnet 2>&1) || fail "$CASE: no table inet vmnet"
        grep -q "ip saddr != $subnet drop\|iifname \"$br\" oifname != \"$br\" drop" <<< "$ruleset" ||
                fail "$CASE: the firewall is not for $br, $subnet: $ruleset"
        if [ "$uplink" = nat ]; then
                grep -q "oifname \"$upif\" masquerade" <<< "$ruleset" || fail "$CASE: no masquerade on $upif: $ruleset"
                expect_eq "$CASE: ip_forward with nat" 1 "$(cat /proc/sys/net/ipv4/ip_forward)"
        else
                ! grep -q masquerade <<< "$ruleset" || fail "$CASE: masquerade with uplink $uplink: $ruleset"
                expect_eq "$CASE: ip_forward back as it was with $uplink" 0 "$(cat /proc/sys/net/ipv4/ip_forward)"
        fi
        # dnsmasq on the new bridge with the new range
        grep -qx "interface=$br" /run/vmnet/dnsmasq.conf || fail "$CASE: dnsmasq.conf: $(cat /run/vmnet/dnsmasq.conf)"
        grep -q "^dhcp-range=$range," /run/vmnet/dnsmasq.conf || fail "$CASE: dnsmasq.conf: $(cat /run/vmnet/dnsmasq.conf)"
        # shellcheck disable=SC2016 # the inner shell reads the pid file
        wait_until 5 sh -c 'kill -0 "$(cat /run/vmnet/dnsmasq.pid)"' || fail "$CASE: dnsmasq is not running"
}

nothing_left() {
        local links
        links=$(ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | grep -Ev "$OWN_LINKS" | paste -sd' ' || true)
        expect_eq "$CASE: links left after --down" "" "$links"
        expect_eq "$CASE: addresses left after --down" "127.0.0.1/8" "$(ip -4 -o addr show | awk '{ print $4 }' | paste -sd' ')"
        expect_eq "$CASE: routes left after --down" "" "$(ip -4 route show)"
        expect_eq "$CASE: nftables tables left after --down" "" "$(nft list tables)"
        expect_eq "$CASE: run files left after --down" "" "$(ls -A /run/vmnet 2>/dev/null)"
        expect_eq "$CASE: ip_forward after --down" 0 "$(cat /proc/sys/net/ipv4/ip_forward)"
}

# begin CASE: vmnetd on the base configuration, stu1 logged in (the holder
# in $HOLDER) with a kept tap ($kept); their ifindexes remembered.
begin() {
        CASE=$1
        log "--- $CASE"
        config
        : > "$W/vmnetd.log"
        start
        rm -f "$W/hold"   # the last case's answer must not pass for this one's
        "$CTL" hold stu1 600 > "$W/hold" &
        HOLDER=$!
        WORLD_PIDS+=("$HOLDER")
        wait_until 5 test -s "$W/hold" || fail "$CASE: no login link for stu1"
        kept=$(runuser -u stu1 -- "$CTL" tap-add) || fail "$CASE: tap-add failed"
        LOGIN_IFINDEX=$(ifindex tap-stu1)
        KEPT_IFINDEX=$(ifindex "$kept")
}

end() { # the case's session ends (its links went with --down)
        kill "$HOLDER" 2>/dev/null || true
        wait "$HOLDER" 2>/dev/null || true
}

C=$W/vmnet.conf
for how in reload restart; do
        for key in address bridge tap_name uplink uplink_interface dhcp_range; do
                begin "$key by $how"
                lab_is vmnet0 10.77.0.1/24 tap-stu1 tap-stu1+1 nat up0 10.77.0.100

                config "$key=${CHANGE[$key]}"
                if [ "$how" = reload ]; then reload; else stop; start; fi
                br=vmnet0 addr=10.77.0.1/24 login=tap-stu1 kept=tap-stu1+1 uplink=nat upif=up0 range=10.77.0.100
                case $key in
                address) addr=10.88.0.1/24 range=10.88.0.100 ;;
                bridge) br=lab1 ;;
                tap_name) login=lab-stu1 kept=lab-stu1+1 ;;
                uplink) uplink=isolated ;;
                uplink_interface) upif=up1 ;;
                dhcp_range) range=10.77.0.50 ;;
                esac
                lab_is "$br" "$addr" "$login" "$kept" "$uplink" "$upif" "$range"
                [ "$key" != address ] || [ ! -e /run/vmnet/dnsmasq.leases ] || ! grep -q ' 10\.77\.' /run/vmnet/dnsmasq.leases ||
                        fail "$CASE: leases of the old subnet are still there"
                if grep -q "warning:.*overlaps" "$W/vmnetd.log"; then
                        fail "$CASE: the lab's own address taken for another network: $(grep overlaps "$W/vmnetd.log")"
                fi

                # --down, after a stop, with the file as it was (restart) or as
                # it is now (reload): what vmnetd made goes either way
                stop
                [ "$how" = restart ] && config
                "$VMNETD" -c "$C" --down 2>> "$W/vmnetd.log" || fail "$CASE: --down failed: $(tail -n 5 "$W/vmnetd.log")"
                nothing_left
                end
        done
done
# --- to uplink = external, by reload: the admin's bridge, or vmnetd's handed over ---
for target in br-adm vmnet0; do
        begin "uplink external on $target"
        if [ "$target" = br-adm ]; then
                ip link add br-adm type bridge
                ip addr add 192.168.9.1/24 dev br-adm
                ip link set br-adm up
        fi
        config uplink=external "bridge=$target"
        reload
        peer=$(login_peer tap-stu1) || fail "$CASE: tap-stu1 has no peer"
        expect_eq "$CASE: bridge of tap-stu1's bridge end" "$target" "$(master "$peer")"
        expect_eq "$CASE: bridge of the kept tap" "$target" "$(master "$kept")"
        expect_eq "$CASE: bridges" "$target" "$(ip -o link show type bridge | awk -F': ' '{ print $2 }' | paste -sd' ')"
        expect_eq "$CASE: vmnetd's addresses" "" "$(ip -4 -o addr show | awk '$4 ~ /^10\.77\./ { print $4 }')"
        # no inet vmnet there; the guard stays between the students' ports
        expect_eq "$CASE: nftables tables" "table bridge vmnet_guard" "$(nft list tables)"
        expect_eq "$CASE: ip_forward" 0 "$(cat /proc/sys/net/ipv4/ip_forward)"
        # shellcheck disable=SC2016 # the inner shell reads the pid file
        wait_until 5 sh -c '! kill -0 "$(cat /run/vmnet/dnsmasq.pid 2>/dev/null)" 2>/dev/null' ||
                fail "$CASE: dnsmasq still runs with uplink = external"
        stop
        "$VMNETD" -c "$C" --down 2>> "$W/vmnetd.log" || fail "$CASE: --down failed"
        [ -d "/sys/class/net/$target/bridge" ] || fail "$CASE: --down removed the admin's bridge $target"
        if [ -e /sys/class/net/tap-stu1 ] || [ -e "/sys/class/net/$kept" ]; then fail "$CASE: --down left links"; fi
        if [ "$target" = br-adm ]; then
                expect_eq "$CASE: the admin's address" 192.168.9.1/24 "$(ip -4 -o addr show dev br-adm | awk '{ print $4 }')"
        fi
        ip link del "$target"
        CASE="$CASE, then the admin's bridge deleted"
        nothing_left
        end
done
log "PASS"
