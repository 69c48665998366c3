#!/usr/bin/env bash
# vmnetd started as root becomes the user vmnet with CAP_NET_ADMIN and
# CAP_NET_BIND_SERVICE only (no other capability, an empty bounding set,
# no_new_privs, undumpable), after making run_dir its own (files an older
# root vmnetd left in it too); dnsmasq runs as the same user with the same
# two and gives a lease; the lab works within them: the bridge, a login
# link (IPv6 off through its sysctl), a tap, nat's table and ip_forward.
# Said clearly: no vmnet user, a start without capabilities, and a
# /dev/net/tun that vmnetd may not open (at start and when a tap is asked
# for), which then works once the node is 0666 again, and a reload of a
# file vmnet may not read.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"

command -v busybox >/dev/null || skip "busybox (udhcpc) is missing"
CTL=$BUILD/tests/tools/vmnetctl
[ -x "$CTL" ] || fail "$CTL missing: run make"
world_add_user stu1 61001
world_config uplink=nat > "$W/vmnet.conf"

# status_field PID FIELD: a line of /proc/PID/status, its value only.
status_field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }
NET_CAPS=0000000000001400 # CAP_NET_BIND_SERVICE (10) and CAP_NET_ADMIN (12)
expect_caps() { # expect_caps WHAT PID EFFECTIVE_PERMITTED AMBIENT
        expect_eq "$1: effective" "$3" "$(status_field "$2" CapEff)"
        expect_eq "$1: permitted" "$3" "$(status_field "$2" CapPrm)"
        expect_eq "$1: ambient" "$4" "$(status_field "$2" CapAmb)"
        expect_eq "$1: bounding set" 0000000000000000 "$(status_field "$2" CapBnd)"
        expect_eq "$1: no_new_privs" 1 "$(status_field "$2" NoNewPrivs)"
        expect_eq "$1: user" "$VMNETD_UID $VMNETD_UID $VMNETD_UID $VMNETD_UID" \
                "$(status_field "$2" Uid | tr -s '[:space:]' ' ' | sed 's/ $//')"
        expect_eq "$1: group" "$VMNETD_UID $VMNETD_UID $VMNETD_UID $VMNETD_UID" \
                "$(status_field "$2" Gid | tr -s '[:space:]' ' ' | sed 's/ $//')"
        expect_eq "$1: supplementary groups" "" "$(status_field "$2" Groups | tr -d '[:space:]')"
}

# No vmnet user: vmnetd says what to do, and touches nothing.
cp /etc/passwd "$W/passwd.with-vmnet"
world_etc_edit passwd "/^$VMNETD_USER:/d"
rc=0; timeout 10 "$VMNETD" -f -c "$W/vmnet.conf" 2> "$W/no-user.log" || rc=$?
[ "$rc" -ne 0 ] || fail "vmnetd ran without a vmnet user"
grep -q "there is no user vmnet for vmnetd to run as" "$W/no-user.log" ||
        fail "no vmnet user, and vmnetd says: $(cat "$W/no-user.log")"
[ ! -e /sys/class/net/vmnet0 ] || fail "vmnetd made the bridge although it could not become vmnet"
cat "$W/passwd.with-vmnet" > /etc/passwd

# Not root and without capabilities (a user running build/vmnetd by hand).
rc=0; timeout 10 setpriv --reuid="$VMNETD_USER" --regid="$VMNETD_USER" --clear-groups -- \
        "$VMNETD" -f -c "$W/vmnet.conf" 2> "$W/no-caps.log" || rc=$?
[ "$rc" -ne 0 ] || fail "vmnetd ran without CAP_NET_ADMIN"
grep -q "vmnetd lacks CAP_NET_ADMIN: start it as root" "$W/no-caps.log" ||
        fail "without capabilities vmnetd says: $(cat "$W/no-caps.log")"

# What a vmnetd of old, run as root, left in run_dir becomes vmnet's.
install -d -m 0755 /run/vmnet
printf '%s 52:54:00:16:00:09 10.77.0.209 old *\n' "$(( $(date +%s) + 3600 ))" > /run/vmnet/dnsmasq.leases
world_tun 0600 # first: vmnetd may not open it, and says so at start
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"
grep -q "cannot open /dev/net/tun: Permission denied; vmnetd runs as the user vmnet" "$W/vmnetd.log" ||
        fail "no word at start of a /dev/net/tun vmnetd cannot open: $(cat "$W/vmnetd.log")"
expect_caps vmnetd "$VMNETD_PID" "$NET_CAPS" 0000000000000000
# undumpable: its /proc files are root's, not vmnet's (no ptrace, no /proc/PID/mem)
expect_eq "owner of vmnetd's /proc/PID/environ" 0 "$(stat -c %u "/proc/$VMNETD_PID/environ")"
expect_eq "owner of /run/vmnet" "$VMNETD_USER" "$(stat -c %U /run/vmnet)"
expect_eq "owner of the old lease file" "$VMNETD_USER" "$(stat -c %U /run/vmnet/dnsmasq.leases)"

# dnsmasq: the same user, the same two capabilities, passed on as ambient
# ones (which is how they reached it across exec).
wait_until 10 test -s /run/vmnet/dnsmasq.pid || fail "dnsmasq wrote no pid file"
dnsmasq_pid=$(cat /run/vmnet/dnsmasq.pid)
wait_until 5 kill -0 "$dnsmasq_pid" || fail "dnsmasq is not running: $(tail -n 5 "$W/vmnetd.log")"
expect_caps dnsmasq "$dnsmasq_pid" "$NET_CAPS" "$NET_CAPS"
expect_eq "dnsmasq's parent" "$VMNETD_PID" "$(status_field "$dnsmasq_pid" PPid)"
lease=$(world_dhcp_lease pc1) || fail "no DHCP lease from a dnsmasq with two capabilities"
[[ $lease == 10.77.0.* ]] || fail "odd lease '$lease'"
ip netns del dhcpc

# The lab, within the two capabilities: nat's table and ip_forward (a net
# sysctl), a login link with IPv6 off (another), a VM tap once the node
# lets vmnetd in.
nft list table inet vmnet > /dev/null || fail "no table inet vmnet"
expect_eq "ip_forward with uplink nat" 1 "$(cat /proc/sys/net/ipv4/ip_forward)"
world_spawn "$CTL" hold stu1 60 # a session whose process stays, as sshd's does
wait_until 5 test -e /sys/class/net/tap-stu1 || fail "no login link tap-stu1"
expect_eq "IPv6 on the login link" 1 "$(cat /proc/sys/net/ipv6/conf/tap-stu1/disable_ipv6)"
rc=0; out=$(runuser -u stu1 -- "$CTL" tap-add 2>&1) || rc=$?
[ "$rc" -ne 0 ] || fail "a tap was made through a /dev/net/tun vmnetd cannot open: $out"
wait_until 5 grep -q "cannot open /dev/net/tun: Permission denied.*0666" "$W/vmnetd.log" ||
        fail "no word of /dev/net/tun when a tap was asked for: $(tail -n 5 "$W/vmnetd.log")"
world_tun 0666
tap=$(runuser -u stu1 -- "$CTL" tap-add) || fail "tap-add with /dev/net/tun 0666: $tap"
expect_eq "owner of $tap" 61001 "$(cat "/sys/class/net/$tap/owner")"
expect_eq "master of $tap" vmnet0 "$(basename "$(readlink "/sys/class/net/$tap/master")")"
[ -e /sys/class/net/tap-stu1 ] || fail "the login link went while its session lives"

# A reload reads the file as vmnet: one only root may read is refused and
# said, the lab keeps running; readable again, it reloads.
chmod 0600 "$W/vmnet.conf"
kill -HUP "$VMNETD_PID"
wait_until 10 grep -q "reload refused" "$W/vmnetd.log" ||
        fail "a configuration vmnet cannot read was not refused: $(tail -n 5 "$W/vmnetd.log")"
grep -q "Permission denied" "$W/vmnetd.log" || fail "the refused reload does not say why: $(tail -n 5 "$W/vmnetd.log")"
kill -0 "$VMNETD_PID" || fail "vmnetd died on a configuration it cannot read"
chmod 0644 "$W/vmnet.conf"
kill -HUP "$VMNETD_PID"
wait_until 10 grep -q "configuration reloaded" "$W/vmnetd.log" ||
        fail "no reload as vmnet of a readable file: $(tail -n 5 "$W/vmnetd.log")"
log "PASS"
