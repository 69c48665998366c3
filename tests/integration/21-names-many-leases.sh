#!/usr/bin/env bash
# A lab that starts with more than 1000 leases (issue 17, names at once):
# dnsmasq keeps at most dhcp-lease-max leases (1000 unless told) and gave
# a new client no answer at all in such a lab; vmnetd lets it lease the
# whole dhcp_range.  dnsmasq's start tells the names program every lease
# again ("old"): the names stay, and a new client gets a lease and a name
# (once the runs queued before it are done).
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
. "$ROOT/tests/lib/nss.sh"

command -v busybox >/dev/null || skip "busybox (udhcpc) is missing"
present=1100
world_config uplink=isolated address=10.77.0.1/20 dhcp_range=10.77.1.1,10.77.15.250 lease_time=86400 \
        > "$W/vmnet.conf"
nss_seed_leases "$present"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"
lease=$(world_dhcp_lease newcomer) ||
        fail "a lab holding $present leases gave a new client none: $(grep -v inotify "$W/vmnetd.log" | tail -n 6)"
# its name comes after the start's runs dnsmasq queued before it (each
# "old" is a run of the names program, one at a time)
t0=$(date +%s)
wait_until 120 resolves_to newcomer.lab "$lease" || fail "newcomer.lab does not give $lease"
log "newcomer.lab answered $(( $(date +%s) - t0 )) s after its lease"
for i in 0 $(( present - 1 )); do
        [ -n "$(addr_of "seeded$i.lab")" ] || fail "seeded$i.lab, present before vmnetd started, is gone"
done
log "a new client got $lease and its name beside $present leases"
log "PASS"
