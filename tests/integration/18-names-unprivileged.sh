#!/usr/bin/env bash
# The names program (vmnet-names, dnsmasq's dhcp-script) as dnsmasq runs it:
# as vmnetd's user with dnsmasq's two capabilities, ambient ones.  It sheds
# them before it reads what the guest chose: the process that asks vmnetd
# whose VM it is (OWNER; a stand-in records the asker) holds none, with
# no_new_privs.  It publishes the name for the NSS module and for dnsmasq
# (first claim in vm1.lab, each owner's NAME.USER.lab), keeps it across a
# restart of dnsmasq (which forgets what guests said), takes it back on del,
# never publishes a reserved name, and says what is wrong with a call it
# does not understand.  As root it refuses to run at all.  Installed as
# the package does (an empty set of file capabilities) it holds none from
# dnsmasq's exec on, in one exec; without them its second run still shows
# as vmnet-names (not "exe").  Then the whole chain: vmnetd's dnsmasq runs
# it for a real DHCP client.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"

command -v python3 >/dev/null || skip "python3 is missing"
command -v busybox >/dev/null || skip "busybox (udhcpc) is missing"
[ -x "$BUILD/vmnet-names" ] || fail "$BUILD/vmnet-names missing: run make"
command -v strace >/dev/null || fail "strace is missing (tools/install-deps --tests)"
# a copy without file capabilities (cp keeps no xattr): it sheds them by an exec
mkdir -m 0755 "$W/plain" "$W/installed"
NAMES=$W/plain/vmnet-names
cp "$BUILD/vmnet-names" "$NAMES"
cp "$BUILD/vmnet-names" "$W/installed/vmnet-names"
world_names_installed "$W/installed/vmnet-names"
NAMES_WRAP=()
expiry=$(( $(date +%s) + 3600 ))
host=$(hostname -s | tr '[:upper:]' '[:lower:]')

install -d -o "$VMNETD_USER" -g "$VMNETD_USER" /run/vmnet /run/vmnet/dns
world_spawn python3 "$ROOT/tests/lib/owner_standin.py" "$W/owner.sock" "$W/askers" 61001 stu1 20
wait_until 5 test -S "$W/owner.sock" || fail "the OWNER stand-in did not start"

# names_call ACTION MAC IP [VAR=VALUE...]: one call as dnsmasq makes it.
names_call() {
        local action=$1 mac=$2 ip=$3
        shift 3
        "${NAMES_WRAP[@]}" setpriv --reuid="$VMNETD_USER" --regid="$VMNETD_USER" --clear-groups \
                --inh-caps=+net_admin,+net_bind_service --ambient-caps=+net_admin,+net_bind_service \
                env -i PATH=/usr/bin:/bin VMNET_RUN_DIR=/run/vmnet VMNET_SOCKET="$W/owner.sock" VMNET_DOMAIN=lab \
                DNSMASQ_INTERFACE=vmnet0 "$@" "$NAMES" "$action" "$mac" "$ip"
}

names_call add 52:54:00:17:00:01 10.77.0.171 DNSMASQ_LEASE_EXPIRES="$expiry" DNSMASQ_SUPPLIED_HOSTNAME=VM1 ||
        fail "vmnet-names add failed"
# who asked OWNER: vmnetd's user, nothing in any set, no_new_privs
expect_eq "the process that asked OWNER" \
        "uid=$VMNETD_UID eff=0000000000000000 prm=0000000000000000 amb=0000000000000000 nnp=1" "$(cat "$W/askers")"
expect_eq "owner of the snapshot" "$VMNETD_USER" "$(stat -c %U /run/vmnet/hosts)"
expect_eq "vm1.stu1.lab" 10.77.0.171 "$(addr_of vm1.stu1.lab)"
expect_eq "vm1.lab" 10.77.0.171 "$(addr_of vm1.lab)"
grep -qx "10.77.0.171 vm1.stu1.lab vm1.lab" /run/vmnet/dns/hosts-* ||
        fail "dnsmasq's records lack vm1: $(cat /run/vmnet/dns/hosts-*)"
# temporary files are dot files, which dnsmasq's hostsdir passes over
[ -z "$(find /run/vmnet/dns -name '.*' -newer /run/vmnet/hosts)" ] || fail "a temporary file is left in run_dir/dns"

# a second vm1 (a later claim) and what no VM may be called
names_call add 52:54:00:17:00:02 10.77.0.172 DNSMASQ_LEASE_EXPIRES="$expiry" DNSMASQ_SUPPLIED_HOSTNAME=vm1 ||
        fail "the second add failed"
expect_eq "vm1.lab after a later claim" 10.77.0.171 "$(addr_of vm1.lab)"
for reserved in wpad localhost "$host"; do
        names_call add 52:54:00:17:00:09 10.77.0.179 DNSMASQ_LEASE_EXPIRES="$expiry" \
                DNSMASQ_SUPPLIED_HOSTNAME="$reserved" || fail "add of $reserved failed"
        [ -z "$(addr_of "$reserved.lab")" ] || fail "$reserved.lab was published"
        ! grep -q "^10.77.0.179 " /run/vmnet/dns/hosts-* || fail "dnsmasq got a record for $reserved"
done

# dnsmasq restarted: it calls "old" for every lease, without the names
names_call old 52:54:00:17:00:01 10.77.0.171 DNSMASQ_LEASE_EXPIRES="$expiry" DNSMASQ_DATA_MISSING=1 ||
        fail "old after dnsmasq's restart failed"
expect_eq "vm1.lab after dnsmasq's restart" 10.77.0.171 "$(addr_of vm1.lab)"
# the lease goes: the next claim in line gets vm1.lab
names_call del 52:54:00:17:00:01 10.77.0.171 || fail "del failed"
[ -z "$(addr_of vm1.stu1.lab)" ] || { addr_of vm1.stu1.lab | grep -qx 10.77.0.172; } ||
        fail "the deleted lease still answers"
expect_eq "vm1.lab once the first claim went" 10.77.0.172 "$(addr_of vm1.lab)"
# what it ignores, and what it does not understand
names_call tftp 1024 10.77.0.171 || fail "a TFTP call failed"
rc=0; out=$(names_call add 52:54:00:17 10.77.0.171 DNSMASQ_LEASE_EXPIRES="$expiry" 2>&1) || rc=$?
expect_eq "exit of a malformed call" 1 "$rc"
grep -q "vmnet-names: a dhcp-script call it does not understand" <<< "$out" || fail "a malformed call says: $out"
# Installed with empty file capabilities: dnsmasq's exec is the only one.
NAMES=$W/installed/vmnet-names NAMES_WRAP=(strace -f -qq -e trace=execve -e signal=none -o "$W/execs")
names_call add 52:54:00:17:00:03 10.77.0.173 DNSMASQ_LEASE_EXPIRES="$expiry" DNSMASQ_SUPPLIED_HOSTNAME=vm3 ||
        fail "the installed names program failed"
NAMES=$W/plain/vmnet-names NAMES_WRAP=()
expect_eq "vm3.lab (installed names program)" 10.77.0.173 "$(addr_of vm3.lab)"
expect_eq "execs of the installed names program" 1 "$(grep -c "execve(\"$W/installed/vmnet-names\"" "$W/execs")"
! grep -q 'vmnet-names:shed' "$W/execs" || fail "the installed names program executed itself again: $(cat "$W/execs")"
# Without them, its second run (blocked on the names' lock here) is named
# vmnet-names in ps, as its first was.
install -o "$VMNETD_USER" -g "$VMNETD_USER" -m 0600 /dev/null /run/vmnet/names.lock
exec 9< /run/vmnet/names.lock
flock -x 9
# (the call must not hold the locked descriptor itself)
names_call old 52:54:00:17:00:03 10.77.0.173 DNSMASQ_LEASE_EXPIRES="$expiry" DNSMASQ_SUPPLIED_HOSTNAME=vm3 9<&- &
caller=$!
wait_until 5 pgrep -f '^vmnet-names:shed old' > /dev/null || fail "no second run of the names program seen"
shed=$(pgrep -f '^vmnet-names:shed old')
expect_eq "the second run's name" vmnet-names "$(cat "/proc/$shed/comm")"
exec 9<&-
wait "$caller" || fail "the names program failed once the lock was free"
# every asker held nothing
! grep -v "eff=0000000000000000 prm=0000000000000000 amb=0000000000000000 nnp=1" "$W/askers" ||
        fail "a call asked OWNER with capabilities"

# As root (a dnsmasq run as root, whose script would be root): it refuses.
rc=0; out=$(env VMNET_RUN_DIR=/run/vmnet VMNET_SOCKET="$W/owner.sock" VMNET_DOMAIN=lab \
        DNSMASQ_LEASE_EXPIRES="$expiry" DNSMASQ_SUPPLIED_HOSTNAME=rootvm \
        "$NAMES" add 52:54:00:17:00:05 10.77.0.175 2>&1) || rc=$?
expect_eq "exit as root" 1 "$rc"
grep -q "refusing to read guests' names with capabilities" <<< "$out" || fail "as root it says: $out"
[ -z "$(addr_of rootvm.lab)" ] || fail "a root names program published rootvm"

# The whole chain: vmnetd's dnsmasq runs it for a DHCP client behind a port
# that is no student's (the owner is unknown: NAME.lab only).
rm -rf /run/vmnet/hosts /run/vmnet/dns /run/vmnet/names.lock
# the one records file an older names program wrote goes when dnsmasq starts
install -d -o "$VMNETD_USER" -g "$VMNETD_USER" /run/vmnet/dns
echo "10.77.0.99 stale.lab" > /run/vmnet/dns/hosts
chown "$VMNETD_USER:$VMNETD_USER" /run/vmnet/dns/hosts
world_config uplink=isolated > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"
[ ! -e /run/vmnet/dns/hosts ] || fail "the records file of an older names program is still there for dnsmasq"
lease=$(world_dhcp_lease PC17) || fail "no DHCP lease from vmnetd's dnsmasq"
wait_until 5 resolves_to pc17.lab "$lease" || fail "pc17.lab does not give $lease: $(tail -n 5 "$W/vmnetd.log")"
grep -q "^$lease pc17.lab\$" /run/vmnet/dns/hosts-* || fail "dnsmasq's records lack pc17: $(cat /run/vmnet/dns/hosts-*)"
# A guest calling itself wpad: dnsmasq takes no name from a guest itself
# (its lease shows the published name, and this one has none).
wpad_ip=$(world_dhcp_lease wpad -x 0x3d:01aabbccddee01) || fail "no second DHCP lease"
sleep 0.5
[ -z "$(addr_of wpad.lab)" ] || fail "wpad.lab was published"
grep -q " $wpad_ip \* " /run/vmnet/dnsmasq.leases ||
        fail "dnsmasq named the lease of a guest called wpad: $(cat /run/vmnet/dnsmasq.leases)"
ip netns del dhcpc
log "PASS"
