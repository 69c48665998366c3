# shellcheck shell=bash
# A lab that has run a while, for benchmarks: leases dnsmasq and the names
# program knew before vmnetd started, and the wait until vmnetd's start
# has told them all to the names program again (the leases are
# nss_seed_leases', tests/lib/nss.sh).  Source after world.sh and nss.sh,
# inside the world.
#
#   lab_up N              vmnetd on a fresh run_dir with N leases present,
#                         once its names have settled (seconds: $W/settled.N)
#   lab_down              stops it and takes the lab down
#   lab_settle_time T0    waits until the names hold still; seconds from T0

# What the lab's names are at: the snapshot's generation, dnsmasq's
# records, vmnetd's log ($W/vmnetd.log), and the runs of the names program
# so far.  A run that changes nothing (dnsmasq's start tells every lease
# it knew again) leaves no trace in the files, so the runs are counted
# where dnsmasq's script helper (the child of dnsmasq that runs them, one
# at a time) reaps them: the minor page faults of its waited-for children
# (/proc/PID/stat, field 11), which every exec adds to.
lab_signature() {
        local main child
        od -An -tu8 -j24 -N8 /run/vmnet/hosts 2>/dev/null | tr -d ' '
        stat -c %i.%Y.%y /run/vmnet/dns/hosts-* 2>/dev/null || true
        stat -c %s "$W/vmnetd.log"
        main=$(cat /run/vmnet/dnsmasq.pid 2>/dev/null) || return 0
        for child in $(pgrep -P "$main"); do
                awk '{ print $11 }' "/proc/$child/stat" 2>/dev/null || true
        done
}

# lab_settle_time T0 [MAX_SECONDS]: waits until the signature holds still
# for 2 s (at most MAX_SECONDS, default 300), and prints the seconds from
# T0 (date +%s.%N) to its last change.
lab_settle_time() {
        local t0=$1 max=${2:-300} i now sig prev="" changed
        changed=$(date +%s.%N)
        for (( i = 0; i < max * 5; i++ )); do
                sig=$(lab_signature)
                now=$(date +%s.%N)
                if [ "$sig" != "$prev" ]; then
                        prev=$sig changed=$now
                elif awk -v a="$now" -v b="$changed" 'BEGIN { exit !(a - b >= 2) }'; then
                        awk -v a="$changed" -v b="$t0" 'BEGIN { printf "%.2f\n", a - b }'
                        return 0
                fi
                sleep 0.2
        done
        fail "the names program was still busy $max s after vmnetd started"
}

# lab_up N: vmnetd on a fresh run_dir with N leases present (a lab of
# 10.77.0.0/18: nss_seed_leases puts 10,000 up to 10.77.40.250); the seconds it took the names
# to settle into "$W/settled.N".
lab_up() {
        local t0
        world_config uplink=isolated address=10.77.0.1/18 dhcp_range=10.77.1.1,10.77.63.250 lease_time=86400 \
                > "$W/vmnet.conf"
        rm -rf /run/vmnet
        [ "$1" = 0 ] || nss_seed_leases "$1"
        t0=$(date +%s.%N)
        world_start_vmnetd "$W/vmnet.conf" 2>> "$W/vmnetd.log"
        lab_settle_time "$t0" "${LAB_SETTLE_MAX:-300}" > "$W/settled.$1"
        if [ "$1" != 0 ] && [ -z "$(addr_of "seeded$(( $1 - 1 )).lab")" ]; then
                fail "the $1 names present before vmnetd started are gone"
        fi
}

lab_down() {
        kill -TERM "$VMNETD_PID"
        wait_until 10 sh -c "! kill -0 $VMNETD_PID" || fail "vmnetd did not stop"
        ip netns del dhcpc 2>/dev/null || true
        # the next lab starts from nothing, as this one did (no adopted bridge)
        "$VMNETD" -c "$W/vmnet.conf" --down 2>> "$W/vmnetd.log" || fail "vmnetd --down failed"
}
