#!/usr/bin/env bash
# Documents what happens today when a student's VM runs its own DHCP
# server on the lab bridge (no guard exists yet): a rogue guest of stu1
# (static 10.77.0.5, busybox udhcpd offering 10.77.0.60-69 with itself as
# router and DNS) and an honest guest of stu2 booted after it.  The test
# records which server the honest guest took its lease from; it fails only
# if the lab breaks in other ways (no address at all, the lab's dnsmasq
# dead).  Seen here: the rogue's OFFERs reach the other student's VM (no
# guard), but dnsmasq (no-ping) answers first and the client takes the
# first OFFER; a rogue that answered faster would win.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"

guest_lab_ready
LEASES=/run/vmnet/dnsmasq.leases
world_add_user stu1 61001
world_add_user stu2 61002
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=nat domain=lab > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"

guest_start rogue stu1 52:54:00:77:57:01 "$NETDEV" vmdhcpd=10.77.0.5
guest_wait_ready rogue 120 > /dev/null
# the rogue answers once udhcpd is up: wait for its web page as a sign of life
wait_until 10 curl -s --max-time 1 -o /dev/null http://10.77.0.5/ || fail "the rogue guest is not up"

results=()
for n in 1 2 3; do
        guest_start "honest$n" stu2 "52:54:00:77:57:1$n" "$NETDEV" vmhost=honest
        ip=$(guest_wait_ready "honest$n" 120)
        line=$(tr -d '\r' < "$(guest_log "honest$n")" | grep -m1 '^VMNET-GUEST-READY' || true)
        case $ip in
        10.77.0.6[0-9]) who="the rogue (udhcpd)" ;;
        10.77.0.1[0-9][0-9]|10.77.0.2[0-4][0-9]|10.77.0.250) who="the lab's dnsmasq" ;;
        *) fail "honest$n: lease $ip from nobody known: $line" ;;
        esac
        log "boot $n: the honest guest took $ip from $who"
        results+=("$ip")
        guest_stop "honest$n"
done
kill -0 "$(cat /run/vmnet/dnsmasq.pid)" || fail "the lab's dnsmasq died"
offers=$(tr -d '\r' < "$(guest_log rogue)" | grep -c '^udhcpd: sending OFFER' || true)
log "the rogue's udhcpd sent $offers OFFERs (its console):"
tr -d '\r' < "$(guest_log rogue)" | grep '^udhcpd: ' | sed 's/^/    /' >&2 || true
log "the lab's lease file:"
sed 's/^/    /' "$LEASES" >&2
log "dnsmasq's view of the contest (from vmnetd's log):"
grep -E "DHCP(OFFER|REQUEST|ACK|NAK)" "$W/vmnetd.log" | sed 's/^/    /' >&2 || true
log "DOCUMENTED: with a rogue DHCP server on a student's VM tap the honest guest's leases were: ${results[*]} (10.77.0.6x = rogue); the rogue sent $offers OFFERs"
