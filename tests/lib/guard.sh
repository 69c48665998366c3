# shellcheck shell=bash
# Checks for the guard's tests (58-, 59-): what an attacked victim guest,
# the host and the guard's counters say.  Source after world.sh and
# guest.sh; the guests are booted with vmctl=1.  The victim guest is called
# "victim" unless VICTIM says otherwise.

VICTIM=${VICTIM:-victim}

# guard_lab_up [KEY=VALUE...]: the lab these tests share: guests ready to
# boot, students stu1 (61001) and stu2 (61002), vmnetd on vmnet0
# (10.77.0.1/24, nat, domain lab, and the keys given), its log in
# $W/vmnetd.log.
guard_lab_up() {
        guest_lab_ready
        world_add_user stu1 61001
        world_add_user stu2 61002
        world_config bridge=vmnet0 address=10.77.0.1/24 uplink=nat domain=lab "$@" > "$W/vmnet.conf"
        world_start_vmnetd "$W/vmnet.conf" 2>> "$W/vmnetd.log"
}

# victim_reaches_host: the victim pings the host (two of three answered).
victim_reaches_host() {
        local out
        out=$(guest_exec "$VICTIM" 15 "ping -c 3 -W 2 10.77.0.1") || true
        [[ $out =~ ([0-9]+)\ packets\ received ]] && [ "${BASH_REMATCH[1]}" -ge 2 ]
}

# host_reaches IP: the host pings IP (two of three answered).
host_reaches() {
        local out
        out=$(busybox ping -c 3 -W 2 "$1" 2>&1) || true
        [[ $out =~ ([0-9]+)\ packets\ received ]] && [ "${BASH_REMATCH[1]}" -ge 2 ]
}

# victim_neighbour_is IP MAC: the victim's ARP entry for IP says MAC.
victim_neighbour_is() {
        local out
        out=$(guest_exec "$VICTIM" 10 "ping -c 1 -W 1 $1 > /dev/null; ip neigh show $1") || true
        grep -qi "lladdr $2" <<< "$out" || { log "the victim's ARP entry for $1: $out"; return 1; }
}

# host_neighbour_is IP MAC: the host's ARP entry for IP on the bridge says MAC.
host_neighbour_is() {
        local out
        busybox ping -c 1 -W 1 "$1" > /dev/null 2>&1 || true
        out=$(ip neigh show "$1" dev vmnet0)
        grep -qi "lladdr $2" <<< "$out" || { log "the host's ARP entry for $1: $out"; return 1; }
}

# port_of_guest NAME: the bridge port its tap is (the tap QEMU holds).
port_of_guest() {
        local p owner
        owner=$(stat -c %u "$(guest_dir "$1")")
        for p in /sys/class/net/vmnet0/brif/*; do
                p=${p##*/}
                if [ "$(cat "/sys/class/net/$p/owner" 2>/dev/null)" = "$owner" ] &&
                   [ "$(cat "/sys/class/net/$p/carrier" 2>/dev/null)" = 1 ]; then
                        echo "$p"
                        return 0
                fi
        done
        return 1
}

# fdb_port_is MAC PORT: the bridge learned MAC behind PORT (and nowhere else).
fdb_port_is() {
        local ports
        ports=$(bridge fdb show br vmnet0 | awk -v m="$1" 'tolower($1) == tolower(m) && !/permanent/ { print $3 }' | sort -u)
        [ "$ports" = "$2" ] || { log "the FDB has $1 behind '${ports//$'\n'/ }', not $2"; return 1; }
}

# victim_dhcp_once: one DHCP exchange of the victim's (its address stays);
# prints "lease ip=IP router=R serverid=S ".
victim_dhcp_once() {
        guest_exec "$VICTIM" 20 "printf '#!/bin/sh\n[ \"\$1\" = bound ] && echo \"lease ip=\$ip router=\$router serverid=\$serverid \"\nexit 0\n' > /run/print.script; chmod +x /run/print.script; udhcpc -q -n -f -i eth0 -t 4 -T 1 -A 1 -s /run/print.script" |
                grep '^lease ' | tail -n 1 | grep .
}

# guard_drops USER KIND: the packets the guard dropped as KIND for USER,
# summed over their MACs (nft's own listing of the drops set).
guard_drops() {
        local uid kind
        uid=$(printf '0x%08x' "$(id -u "$1")")
        kind=$(printf '0x%08x' "$(guard_kind_number "$2")")
        nft list set bridge vmnet_guard drops |
                tr ',' '\n' | { grep -E "$uid \. [0-9a-f:]+ \. $kind " || true; } |
                sed -n 's/.*packets \([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }'
}

# guard_kind_number NAME: common/guard_drop.h's number of a kind of drop.
guard_kind_number() {
        local n=0 k
        for k in dhcp_server dhcpv6_server ipv6_router redirect host_mac mac_taken too_many_macs host_address \
                 address_taken too_many_addresses arp_foreign dhcp_foreign dhcp_rate dns_rate exam vlan; do
                n=$((n + 1))
                [ "$k" = "$1" ] && { echo "$n"; return 0; }
        done
        fail "guard_kind_number: no kind $1"
}

# expect_drops USER KIND: the guard counted drops of KIND for USER.
expect_drops() {
        local n
        n=$(guard_drops "$1" "$2")
        [ "$n" -gt 0 ] || fail "the guard counted no $2 drops for $1: $(nft list set bridge vmnet_guard drops)"
        log "  $1: $n frames dropped as $2"
}

# attacker_runs SECONDS COMMAND: COMMAND in the attacker's guest ("attacker"
# unless ATTACKER says otherwise) must succeed; its output goes to the log.
attacker_runs() {
        local out rc=0
        out=$(guest_exec "${ATTACKER:-attacker}" "$@") || rc=$?
        [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/    attacker: /' >&2
        [ "$rc" -eq 0 ] || fail "in the attacker's guest, exit $rc: ${*:2}"
}

# status_says USER REGEX: `vmnet status` as USER has a line matching REGEX
# (extended), what a student reads about the guard.
status_says() {
        local out
        out=$(runuser -u "$1" -- "$BUILD/vmnet" status 2>&1) || fail "vmnet status as $1 failed: $out"
        grep -Eq -- "$2" <<< "$out" || fail "vmnet status as $1 does not say /$2/: $out"
        log "  $1's vmnet status: $(grep -E -- "$2" <<< "$out" | head -n 1 | sed 's/^ *//')"
}

# spoof_stays_in GUEST OWN_IP SEEN_AS: GUEST (vmctl=1) sends UDP to the LAN
# peer (tests/lib/lan.sh) from a spoofed source and from OWN_IP; the
# spoofed ones must not reach the LAN, its own must, seen from SEEN_AS (the
# host's LAN address with nat, OWN_IP with routed).
spoof_stays_in() {
        local guest=$1 own=$2 seen=$3 mac
        mac=$(cat /sys/class/net/vmnet0/address)
        world_spawn ip netns exec lan tcpdump -l -n -i eth0 udp port 9999 > "$W/lan-udp.txt" 2> "$W/lan-udp.err"
        # not a blind second: after a flood the machine may take longer
        wait_until 20 grep -q 'listening on' "$W/lan-udp.err" || fail "tcpdump on the LAN did not start"
        ATTACKER=$guest attacker_runs 10 "vmraw udp eth0 192.168.99.9 $LAN_PEER $mac 9999 3 &&
vmraw udp eth0 $own $LAN_PEER $mac 9999 3"
        # its own come after the spoofed ones, on the same path: once they
        # are in, so would the spoofed ones be.  Waited for, not a blind 2
        # s: right after a flood the LAN once saw nothing within them.
        wait_until 15 grep -q "${seen//./\\.}\.[0-9]* > ${LAN_PEER//./\\.}\.9999" "$W/lan-udp.txt" || {
                log "the LAN saw nothing from $seen; the host's conntrack holds" \
                        "$(cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo '?') entries;" \
                        "its neighbours on the LAN side: $(ip neigh show to "$LAN_PEER" | tr '\n' ';')"
                fail "$guest's own packets did not reach the LAN from $seen either: the check proves nothing"
        }
        log "the LAN saw: $(tr '\n' ';' < "$W/lan-udp.txt")"
        ! grep -q '192\.168\.99\.9' "$W/lan-udp.txt" || fail "a spoofed source reached the LAN"
}
