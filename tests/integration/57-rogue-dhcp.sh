#!/usr/bin/env bash
# A student's VM runs its own DHCP server on the lab bridge: a rogue guest
# of stu1 (static 10.77.0.5, busybox udhcpd offering 10.77.0.60-69 with
# itself as router and DNS) and honest guests of stu2, booted one after
# another while it runs.  The guard drops DHCP server messages from every
# student's port: each honest guest always gets its lease from the lab's
# dnsmasq, however fast the rogue answers (it does answer: its udhcpd
# sends OFFERs), and stu1 is told in `vmnet status` that their VM's DHCP
# answers were blocked.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
# shellcheck source=../lib/guard.sh
. "$ROOT/tests/lib/guard.sh"

guard_lab_up

guest_start rogue stu1 52:54:00:77:57:01 "$NETDEV" vmdhcpd=10.77.0.5 vmhost=rogue
guest_wait_ready rogue 120 > /dev/null
# the rogue answers once udhcpd is up: wait for its web page as a sign of life
wait_until 10 curl -s --max-time 1 -o /dev/null http://10.77.0.5/ || fail "the rogue guest is not up"

for n in 1 2 3; do
        guest_start "honest$n" stu2 "52:54:00:77:57:1$n" "$NETDEV" vmhost=honest
        ip=$(guest_wait_ready "honest$n" 120)
        case $ip in
        10.77.0.1[0-9][0-9]|10.77.0.2[0-4][0-9]|10.77.0.250) ;;
        *) fail "boot $n: the honest guest took $ip, not from the lab's dnsmasq" ;;
        esac
        log "boot $n: the honest guest took $ip from the lab's dnsmasq"
        guest_stop "honest$n"
done
kill -0 "$(cat /run/vmnet/dnsmasq.pid)" || fail "the lab's dnsmasq died"
offers=$(tr -d '\r' < "$(guest_log rogue)" | grep -c '^udhcpd: sending OFFER' || true)
log "the rogue's udhcpd sent $offers OFFERs, none of which reached stu2's guests"
[ "$offers" -gt 0 ] || fail "the rogue sent no OFFER: the test proves nothing"
expect_drops stu1 dhcp_server
status_says stu1 "^blocked +a VM \(52:54:00:77:57:01\) answered DHCP on the lab: [0-9]+ frames? blocked"
log "PASS: three boots of stu2's guest, three leases from the lab's dnsmasq; the rogue's $offers offers dropped"
