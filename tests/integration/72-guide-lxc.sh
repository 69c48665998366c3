#!/usr/bin/env bash
# docs/lxc.md as its student runs it: with the admin's line from the guide
# in a private copy of /etc/lxc/lxc-usernet, alice (no root) puts a veth on
# the lab bridge with lxc-user-nic, then creates and starts a whole
# unprivileged busybox container with the guide's default.conf; it gets a
# lease from vmnetd's dnsmasq, lxc-info shows it, the host pings it.
# Without the admin's line, lxc-user-nic refuses with the guide's words.
#
# The world's /etc is a private copy (this test writes subuid, subgid and
# lxc-usernet; the host's /etc is never touched).  There is no systemd
# here, so where the guide says "systemd-run --user --scope -p
# Delegate=yes --", root makes alice a cgroup of her own as that scope
# would, and runs the rest of the guide's line in it; the cgroup is
# removed at exit.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guide.sh
. "$ROOT/tests/lib/guide.sh"

DOC=$ROOT/docs/lxc.md
USERNIC=/usr/libexec/lxc/lxc-user-nic
[ -u "$USERNIC" ] || skip "no setuid $USERNIC: install lxc (tools/install-deps --tests)"
command -v lxc-create > /dev/null || skip "lxc-create is missing"
command -v newuidmap > /dev/null || skip "newuidmap is missing: install uidmap"
command -v busybox > /dev/null || skip "busybox is missing (the busybox template copies it)"
world_add_user alice 61001
world_config bridge=vmnet0 address=10.77.0.1/24 domain=lab uplink=isolated > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"

# A private /etc: a copy of what this world sees (its passwd with alice),
# so that files the host lacks (subuid) can be made.
cp -a /etc "$W/etc-all"
mount --bind "$W/etc-all" /etc
H=$W/home/alice

# as_alice CMD: the shell command CMD as alice, in her cgroup once there is one;
# output in $W/out, $W/err (readable by root only), exit in $RC.
CG=
as_alice() {
        local enter=:
        [ -z "$CG" ] || enter="echo \$\$ > $CG/cgroup.procs"
        RC=0
        sh -c "$enter && exec runuser -u alice -- env HOME=$H bash -c \"\$0\"" "$1" \
                > "$W/out" 2> "$W/err" || RC=$?
}

# --- lxc-user-nic without the admin's line: refused ---------------------------
: > /etc/lxc/lxc-usernet
world_spawn runuser -u alice -- unshare -Urn sleep 120
ns_pid() { pgrep -P "$1" -x sleep || { [ "$(cat "/proc/$1/comm")" = sleep ] && echo "$1"; }; }
wait_until 5 ns_pid "$SPAWNED" || fail "alice's namespace holder did not start"
P=$(ns_pid "$SPAWNED")
WORLD_PIDS+=("$P")
as_alice "$USERNIC create lxc c0 $P veth vmnet0 eth0"
[ "$RC" -ne 0 ] || fail "lxc-user-nic made a veth without the admin's line: $(cat "$W/out")"
grep -q "Quota reached" "$W/err" || fail "lxc-user-nic refusal does not say 'Quota reached': $(cat "$W/err")"
[ -z "$(find /sys/class/net/vmnet0/brif/ -mindepth 1 -name 'veth*')" ] || fail "a veth reached vmnet0 without the line"

# --- step 1: the admin's line ----------------------------------------------
guide_block "$DOC" lxc-usernet > /etc/lxc/lxc-usernet
expect_eq "the guide's lxc-usernet line" "alice veth vmnet0 4" "$(cat /etc/lxc/lxc-usernet)"
as_alice "$USERNIC create lxc c0 $P veth vmnet0 eth0"
expect_eq "lxc-user-nic exit with the admin's line" 0 "$RC"
veth=$(cut -d: -f3 "$W/out")
[ -n "$veth" ] || fail "lxc-user-nic printed no veth: $(cat "$W/out")"
expect_eq "bridge of $veth" vmnet0 "$(basename "$(readlink "/sys/class/net/$veth/master")")"
nsenter --preserve-credentials -U -n -t "$P" ip link show eth0 > /dev/null ||
        fail "no eth0 in alice's namespace"
log "lxc-user-nic put $veth on vmnet0 for alice's namespace"

# --- step 2: subordinate ids and default.conf -------------------------------
mapfile -t said < <(guide_output "$DOC" lxc-subuid)
expect_eq "lines the guide shows for the subordinate ids" 2 "${#said[@]}"
echo "${said[0]#/etc/subuid:}" > /etc/subuid
echo "${said[1]#/etc/subgid:}" > /etc/subgid
as_alice "$(guide_commands "$DOC" lxc-subuid)"
expect_eq "grep of the subordinate ids" "$(printf '%s\n' "${said[@]}")" "$(cat "$W/out")"
mkdir -p "$H/.config/lxc"
guide_block "$DOC" lxc-default-conf > "$H/.config/lxc/default.conf"
chown -R alice: "$H/.config"

# --- step 3: create and start --------------------------------------------
# the cgroup systemd-run --user --scope -p Delegate=yes would give alice
mount -t cgroup2 vmnet-test-cgroup /sys/fs/cgroup ||
        skip "cannot mount the cgroup2 hierarchy here"
CG=/sys/fs/cgroup/${W##*/}
mkdir "$CG"
chown -R alice: "$CG"
lxc_cleanup() {
        local d pid
        set +e
        [ -n "$CG" ] && [ -d "$CG" ] || return 0
        runuser -u alice -- env HOME="$H" lxc-stop -n c1 -k > /dev/null 2>&1
        # whatever is left in alice's cgroup was started here: end it by PID
        while IFS= read -r d; do
                while read -r pid; do kill -KILL "$pid" 2>/dev/null; done < "$d/cgroup.procs"
        done < <(find "$CG" -depth -type d)
        for _ in $(seq 40); do
                find "$CG" -depth -type d -exec rmdir {} + 2>/dev/null
                [ -d "$CG" ] || return 0
                sleep 0.05
        done
        log "could not remove $CG"
}
# shellcheck disable=SC2154 # rc is the trap's own
trap 'rc=$?; lxc_cleanup; (exit $rc); world_cleanup' EXIT

mapfile -t cmds < <(guide_commands "$DOC" lxc-create)
expect_eq "the guide's create command" "lxc-create -n c1 -t busybox" "${cmds[*]}"
start=$(date +%s.%N)
as_alice "${cmds[0]}"
expect_eq "lxc-create exit" 0 "$RC"
mapfile -t cmds < <(guide_commands "$DOC" lxc-start)
expect_eq "commands to start" 1 "${#cmds[@]}"
[[ ${cmds[0]} == "systemd-run --user --scope -p Delegate=yes -- "* ]] ||
        fail "the guide's start line is not the systemd-run scope: ${cmds[0]}"
# without the admin's line, the guide says, lxc-start fails and its log says why
usernet=$(cat /etc/lxc/lxc-usernet)
: > /etc/lxc/lxc-usernet
as_alice "${cmds[0]#systemd-run --user --scope -p Delegate=yes -- } --logfile $H/nonet.log --logpriority ERROR"
[ "$RC" -ne 0 ] || fail "lxc-start started c1 without the admin's lxc-usernet line"
grep -q "Quota reached" "$H/nonet.log" ||
        fail "lxc-start without the line does not log 'Quota reached': $(cat "$H/nonet.log" "$W/err")"
echo "$usernet" > /etc/lxc/lxc-usernet
as_alice "${cmds[0]#systemd-run --user --scope -p Delegate=yes -- }"
expect_eq "lxc-start exit ($(cat "$W/err"))" 0 "$RC"

# --- step 4: the checks --------------------------------------------------
mapfile -t cmds < <(guide_commands "$DOC" lxc-check)
expect_eq "first check" "lxc-info -n c1 -iH" "${cmds[0]}"
leased() { as_alice "${cmds[0]}"; grep -Eq '^10\.77\.0\.[0-9]+$' "$W/out"; }
wait_until 60 leased || fail "c1 has no lab address after 60 s: $(cat "$W/out" "$W/err")"
ip=$(cat "$W/out")
secs=$(echo "$(date +%s.%N) $start" | awk '{ printf "%.1f", $1 - $2 }')
log "c1 (busybox, unprivileged, alice) leased $ip, $secs s from lxc-create"
grep -q " $ip " /run/vmnet/dnsmasq.leases || fail "vmnetd's dnsmasq has no lease for $ip"
as_alice "lxc-info -n c1 -H -p"
pid=$(cat "$W/out")
expect_eq "uid 0 of c1 on the host" 100000 "$(awk '$1 == 0 { print $2 }' "/proc/$pid/uid_map")"
[[ ${cmds[1]} == "ping -c 3 "* ]] || fail "the second check is not a ping: ${cmds[1]}"
busybox ping -c 3 -W 1 "$ip" > "$W/ping" 2>&1 || fail "ping $ip failed: $(cat "$W/ping")"
grep -q "3 packets received" "$W/ping" || fail "ping $ip lost packets: $(cat "$W/ping")"
# --- the hint and the guide agree ----------------------------------------------
if [ -x "$BUILD/vmnet" ]; then
        as_alice "$BUILD/vmnet hint lxc"
        expect_eq "exit of vmnet hint lxc" 0 "$RC"
        while IFS= read -r line; do
                grep -Fq -- "$line" "$W/out" || fail "docs/lxc.md says '$line', vmnet hint lxc does not: $(cat "$W/out")"
        done < <(guide_block "$DOC" lxc-usernet; guide_block "$DOC" lxc-default-conf
                 guide_commands "$DOC" lxc-start
                 grep -E '^    lxc-create -n c1 -t download ' "$DOC" | sed 's/^ *//')
fi
log "PASS: c1 at $ip on vmnet0"
