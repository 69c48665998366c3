#!/usr/bin/env bash
# Names are guarded (issue 12), with real guests: stu1 boots a VM called
# gitlab (a LAN machine's name, which the host's DNS should answer) and
# one called like the host itself.  Root's lookup of gitlab is not the
# VM's (vmnet sits before dns in nsswitch.conf: a bare name answers only
# its owner, and root has no VMs); stu1 still finds its own gitlab, and
# anyone finds gitlab.stu1.lab and gitlab.lab; stu2's bare gitlab is not
# stu1's.  The VM called like the host is published under no name at all,
# not even to its owner, neither to the NSS module nor to the lab's DNS.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"

guest_lab_ready
world_add_user stu1 61001
world_add_user stu2 61002
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=isolated domain=lab > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"
host=$(hostname -s | tr '[:upper:]' '[:lower:]')
# The host's own name, as /etc/hosts gives it on Debian (127.0.1.1).
echo "127.0.1.1 $host" >> /etc/hosts

guest_start gitlab stu1 52:54:00:77:64:01 "$NETDEV"
ip_gitlab=$(guest_wait_ready gitlab 120)
wait_until 5 resolves_to gitlab.stu1.lab "$ip_gitlab" || fail "gitlab.stu1.lab does not give $ip_gitlab"
expect_eq "gitlab.lab" "$ip_gitlab" "$(addr_of gitlab.lab)"
expect_eq "stu1's own gitlab" "$ip_gitlab" "$(world_as stu1 getent hosts gitlab | awk '{ print $1 }')"
rc=0; out=$(getent hosts gitlab) || rc=$?
expect_eq "root's getent hosts gitlab (the VM must not answer it: $out)" 2 "$rc"
rc=0; out=$(world_as stu2 getent hosts gitlab) || rc=$?
expect_eq "stu2's getent hosts gitlab ($out)" 2 "$rc"

guest_start like-the-host stu1 52:54:00:77:64:02 "$NETDEV" "vmhost=$host"
ip_host=$(guest_wait_ready like-the-host 120)
sleep 1 # the names program ran for its lease (it did for gitlab's within 5 s)
expect_eq "root's getent hosts $host" "127.0.1.1 $host" "$(getent hosts "$host" | tr -s ' ')"
expect_eq "stu1's getent hosts $host" "127.0.1.1 $host" "$(world_as stu1 getent hosts "$host" | tr -s ' ')"
[ -z "$(addr_of "$host.lab")" ] || fail "$host.lab was published: $(getent hosts "$host.lab")"
[ -z "$(addr_of "$host.stu1.lab")" ] || fail "$host.stu1.lab was published"
! grep -q "^$ip_host " /run/vmnet/dns/hosts-* || fail "the lab's DNS has a record for the VM called $host"
grep -q " $ip_host \\* " /run/vmnet/dnsmasq.leases || fail "dnsmasq named the lease of the VM called $host"
log "gitlab is $ip_gitlab for stu1 and nobody's for root; the VM called $host ($ip_host) has no name"
log "PASS"
