#!/usr/bin/env bash
# ip_forward after --down (what the package's removal runs) is what it was
# before vmnetd came: off stays off after nat (also across a restart, which
# must not take vmnetd's own "1" for the admin's), on stays on after routed
# (the host was a router before), and isolated never touches it.
. "$(dirname "$0")/../lib/world.sh"
world_enter "$@"

sysctl_file=/proc/sys/net/ipv4/ip_forward
record=/run/vmnet/ip_forward.before
stop_vmnetd() {
        kill -TERM "$VMNETD_PID"
        wait "$VMNETD_PID" 2>/dev/null || true
}

# lab MODE BEFORE RESTART: vmnetd with uplink MODE on a host whose forwarding
# was BEFORE; RESTART=1 stops and starts vmnetd once more before --down.
lab() {
        local mode=$1 before=$2 restart=$3 on
        echo "$before" > "$sysctl_file"
        world_config uplink="$mode" > "$W/vmnet.conf"
        world_start_vmnetd "$W/vmnet.conf"
        case $mode in nat|routed) on=1 ;; *) on=$before ;; esac
        expect_eq "ip_forward while vmnetd runs with uplink $mode" "$on" "$(cat "$sysctl_file")"
        if [ "$restart" = 1 ]; then
                stop_vmnetd
                world_start_vmnetd "$W/vmnet.conf"
                expect_eq "what vmnetd recorded after a restart ($mode)" "$before" "$(cat "$record")"
        fi
        stop_vmnetd
        "$VMNETD" -c "$W/vmnet.conf" --down || fail "vmnetd --down failed after uplink $mode"
        expect_eq "ip_forward after --down (uplink $mode, $before before)" "$before" "$(cat "$sysctl_file")"
        [ ! -e "$record" ] || fail "--down left $record"
}

lab nat 0 1
lab routed 1 0
lab isolated 0 0
log "PASS: --down puts ip_forward back as it was before vmnetd"
