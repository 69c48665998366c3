#!/usr/bin/env bash
# docs/lxc.md as its student runs it: alice (no root) writes the guide's
# default.conf (lxc.net.0.type = empty and vmnet's start-host hook),
# creates an unprivileged busybox container, has its DHCP client send its
# name and starts it; vmnetd gives it eth0 on the lab bridge, it gets a
# lease, lxc-info shows it, vmnet status lists its link and the container,
# the host reaches it by name.  All with lxc-user-nic's setuid bit gone
# (a copy without it is bind-mounted over it) and no lxc-usernet line;
# a container configured the old way fails to start right then, which
# proves the two are off.  Stopping the container takes its link.
#
# The guide's old way is checked first, while lxc-user-nic is still
# setuid: without the admin's line it refuses with the guide's words, with
# it a veth reaches the lab bridge.
#
# The world's /etc is a private copy (this test writes subuid, subgid and
# lxc-usernet; the host's /etc is never touched).  There is no systemd
# here, so where the guide says "systemd-run --user --scope -p
# Delegate=yes --", root makes alice a cgroup of her own as that scope
# would, and runs the rest of the guide's line in it; the cgroup is
# removed at exit.  The hook and vmnet are the ones built here.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guide.sh
. "$ROOT/tests/lib/guide.sh"

DOC=$ROOT/docs/lxc.md
USERNIC=/usr/libexec/lxc/lxc-user-nic
HOOK=$BUILD/vmnet-lxc-hook
[ -x "$HOOK" ] || skip "$HOOK is not built"
command -v lxc-create > /dev/null || skip "lxc-create is missing: install lxc (tools/install-deps --tests)"
command -v newuidmap > /dev/null || skip "newuidmap is missing: install uidmap"
command -v busybox > /dev/null || skip "busybox is missing (the busybox template copies it)"
world_add_user alice 61001
world_config bridge=vmnet0 address=10.77.0.1/24 domain=lab uplink=isolated max_taps=1 > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"
# "vmnet" in the guide is the one built here
mkdir -p "$W/bin"
ln -s "$BUILD/vmnet" "$W/bin/vmnet"
export PATH="$W/bin:$PATH"

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

# --- the old way, lxc-user-nic: refused without the admin's line, works with it
if [ -u "$USERNIC" ]; then
        : > /etc/lxc/lxc-usernet
        world_spawn runuser -u alice -- unshare -Urn sleep 120
        ns_pid() { pgrep -P "$1" -x sleep || { [ "$(cat "/proc/$1/comm")" = sleep ] && echo "$1"; }; }
        wait_until 5 ns_pid "$SPAWNED" || fail "alice's namespace holder did not start"
        P=$(ns_pid "$SPAWNED")
        WORLD_PIDS+=("$P")
        as_alice "$USERNIC create lxc c0 $P veth vmnet0 eth0"
        [ "$RC" -ne 0 ] || fail "lxc-user-nic made a veth without the admin's line: $(cat "$W/out")"
        grep -q "Quota reached" "$W/err" || fail "lxc-user-nic refusal does not say 'Quota reached': $(cat "$W/err")"
        guide_block "$DOC" lxc-usernet > /etc/lxc/lxc-usernet
        expect_eq "the guide's lxc-usernet line" "alice veth vmnet0 4" "$(cat /etc/lxc/lxc-usernet)"
        as_alice "$USERNIC create lxc c0 $P veth vmnet0 eth0"
        expect_eq "lxc-user-nic exit with the admin's line" 0 "$RC"
        veth=$(cut -d: -f3 "$W/out")
        expect_eq "bridge of $veth" vmnet0 "$(basename "$(readlink "/sys/class/net/$veth/master")")"
        kill -KILL "$P"
        wait_until 5 test ! -e "/sys/class/net/$veth" || fail "lxc-user-nic's $veth outlived its namespace"
        log "the old way: lxc-user-nic put $veth on vmnet0 with the admin's line"
else
        log "no setuid $USERNIC: the guide's old way is not checked"
fi

# --- from here on: no setuid lxc-user-nic, no lxc-usernet line -------------
: > /etc/lxc/lxc-usernet
if [ -e "$USERNIC" ]; then
        cp "$USERNIC" "$W/lxc-user-nic"
        chmod 0755 "$W/lxc-user-nic"
        mount --bind "$W/lxc-user-nic" "$USERNIC"
        [ ! -u "$USERNIC" ] || fail "$USERNIC is still setuid"
fi

# --- step 1: subordinate ids ---------------------------------------------
mapfile -t said < <(guide_output "$DOC" lxc-subuid)
expect_eq "lines the guide shows for the subordinate ids" 2 "${#said[@]}"
echo "${said[0]#/etc/subuid:}" > /etc/subuid
echo "${said[1]#/etc/subgid:}" > /etc/subgid
as_alice "$(guide_commands "$DOC" lxc-subuid)"
expect_eq "grep of the subordinate ids" "$(printf '%s\n' "${said[@]}")" "$(cat "$W/out")"

# --- step 2: default.conf, with the hook built here ------------------------
mkdir -p "$H/.config/lxc"
guide_block "$DOC" lxc-default-conf > "$W/default.conf"
grep -qx 'lxc.net.0.type = empty' "$W/default.conf" || fail "the guide's default.conf has no 'lxc.net.0.type = empty'"
grep -qx 'lxc.hook.start-host = /usr/lib/vmnet/vmnet-lxc-hook' "$W/default.conf" ||
        fail "the guide's default.conf does not name /usr/lib/vmnet/vmnet-lxc-hook"
sed "s|/usr/lib/vmnet/vmnet-lxc-hook|$HOOK|" "$W/default.conf" > "$H/.config/lxc/default.conf"
chown -R alice: "$H/.config"

# --- step 3: create, name, start --------------------------------------------
# the cgroup systemd-run --user --scope -p Delegate=yes would give alice
mount -t cgroup2 vmnet-test-cgroup /sys/fs/cgroup ||
        skip "cannot mount the cgroup2 hierarchy here"
CG=/sys/fs/cgroup/${W##*/}
mkdir "$CG"
chown -R alice: "$CG"
lxc_cleanup() {
        local d pid c
        set +e
        [ -n "$CG" ] && [ -d "$CG" ] || return 0
        for c in c1 old; do runuser -u alice -- env HOME="$H" lxc-stop -n "$c" -k > /dev/null 2>&1; done
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
expect_eq "lxc-create exit ($(cat "$W/err"))" 0 "$RC"
as_alice "$(guide_commands "$DOC" lxc-dhcp-name)"
expect_eq "the guide's command naming c1 in DHCP ($(cat "$W/err"))" 0 "$RC"
grep -qx '/bin/udhcpc -x hostname:c1' "$H/.local/share/lxc/c1/rootfs/etc/init.d/rcS" ||
        fail "c1's rcS does not send its name: $(cat "$H/.local/share/lxc/c1/rootfs/etc/init.d/rcS")"
mapfile -t cmds < <(guide_commands "$DOC" lxc-start)
expect_eq "commands to start" 1 "${#cmds[@]}"
[[ ${cmds[0]} == "systemd-run --user --scope -p Delegate=yes -- "* ]] ||
        fail "the guide's start line is not the systemd-run scope: ${cmds[0]}"
start_cmd=${cmds[0]#systemd-run --user --scope -p Delegate=yes -- }

# the old way is off: a container configured with it does not start now
as_alice "lxc-create -n old -t busybox && grep -v -e '^lxc\.net\.0\.' -e '^lxc\.hook' ~/.local/share/lxc/old/config \
          > ~/old.config && mv ~/old.config ~/.local/share/lxc/old/config"
expect_eq "lxc-create of the old-way container ($(cat "$W/err"))" 0 "$RC"
guide_block "$DOC" lxc-veth-conf >> "$H/.local/share/lxc/old/config"
as_alice "lxc-start -n old --logfile $H/old.log --logpriority ERROR"
[ "$RC" -ne 0 ] || fail "a container with lxc.net.0.type = veth started: lxc-user-nic is still in use"
log "the old way fails now: $(grep -m1 -o 'lxc-user-nic.*\|Quota reached.*\|Operation not permitted.*' "$H/old.log" || tail -n1 "$H/old.log")"

as_alice "$start_cmd"
expect_eq "lxc-start exit ($(cat "$W/err"))" 0 "$RC"

# --- step 4: the checks --------------------------------------------------
mapfile -t cmds < <(guide_commands "$DOC" lxc-check)
expect_eq "first check" "lxc-info -n c1 -iH" "${cmds[0]}"
leased() { as_alice "${cmds[0]}"; grep -Eq '^10\.77\.0\.[0-9]+$' "$W/out"; }
wait_until 60 leased || fail "c1 has no lab address after 60 s: $(cat "$W/out" "$W/err")"
ip=$(cat "$W/out")
secs=$(echo "$(date +%s.%N) $start" | awk '{ printf "%.1f", $1 - $2 }')
log "c1 (busybox, unprivileged, alice) leased $ip, $secs s from lxc-create"
# (dnsmasq keeps no guest's name: the names program publishes c1)
grep -q " $ip \* " /run/vmnet/dnsmasq.leases || fail "vmnetd's dnsmasq has no lease for $ip: $(cat /run/vmnet/dnsmasq.leases)"
as_alice "lxc-info -n c1 -H -p"
pid=$(cat "$W/out")
expect_eq "uid 0 of c1 on the host" 100000 "$(awk '$1 == 0 { print $2 }' "/proc/$pid/uid_map")"

# its eth0 is vmnetd's link: the other end a vmnc port of vmnet0 that
# vmnetd lists among alice's, and the container is hers in vmnet status
runuser -u alice -- vmnet status > "$W/status" || fail "vmnet status failed for alice"
port=$(awk '$2 == "netns" { print $1 }' "$W/status")
[[ $port == vmnc* ]] || fail "alice's status lists no netns link: $(cat "$W/status")"
expect_eq "bridge of $port" vmnet0 "$(basename "$(readlink "/sys/class/net/$port/master")")"
expect_eq "c1's eth0 is the other end of $port" "$(cat "/sys/class/net/$port/iflink")" \
        "$(nsenter -t "$pid" -n ip -o link show eth0 | cut -d: -f1)"
grep -q "^  c1\.alice\.lab  *$ip " "$W/status" || fail "alice's status does not list c1.alice.lab $ip: $(cat "$W/status")"

[[ ${cmds[1]} == "ping -c 3 c1.alice.lab" ]] || fail "the second check is not a ping by name: ${cmds[1]}"
named() { [ "$(getent hosts c1.alice.lab | awk '{ print $1 }')" = "$ip" ]; }
wait_until 10 named || fail "c1.alice.lab does not resolve to $ip: $(getent hosts c1.alice.lab)"
busybox ping -c 3 -W 1 c1.alice.lab > "$W/ping" 2>&1 || fail "ping c1.alice.lab failed: $(cat "$W/ping")"
grep -q "3 packets received" "$W/ping" || fail "ping c1.alice.lab lost packets: $(cat "$W/ping")"

# --- a second container over max_taps (1): lxc-start fails with the hook's words
as_alice "grep -v -e '^lxc\.net\.0\.' ~/.local/share/lxc/old/config > ~/old.config &&
          grep -e '^lxc\.net\.0\.' -e '^lxc\.hook' ~/.config/lxc/default.conf >> ~/old.config &&
          mv ~/old.config ~/.local/share/lxc/old/config"
expect_eq "the second container's config ($(cat "$W/err"))" 0 "$RC"
as_alice "lxc-start -n old --logfile $H/quota.log --logpriority DEBUG"
[ "$RC" -ne 0 ] || fail "a second container started beyond max_taps"
grep -q "vmnet-lxc-hook: the container's network namespace: [0-9]* (LXC_PID)" "$H/quota.log" ||
        fail "the hook did not take LXC_PID: $(grep -i hook "$H/quota.log")"
grep -q "produced output: vmnet-lxc-hook: vmnetd refused to attach that network namespace" "$H/quota.log" ||
        fail "LXC's log does not have the hook's refusal: $(grep -i hook "$H/quota.log")"
log "beyond max_taps, lxc-start's log: $(grep -o 'vmnet-lxc-hook: vmnetd refused[^:]*' "$H/quota.log")"

# --- stop: the link goes with the container ----------------------------------
as_alice "lxc-stop -n c1"
expect_eq "lxc-stop exit ($(cat "$W/err"))" 0 "$RC"
wait_until 5 test ! -e "/sys/class/net/$port" || fail "$port outlived c1"
runuser -u alice -- vmnet status > "$W/status"
! grep -q " netns " "$W/status" || fail "alice's status still lists c1's link: $(cat "$W/status")"

# --- new-style hooks (lxc.hook.version = 1: no arguments) work as well ------
# (LXC 5.0 sets LXC_NET_NS for stop hooks only: the hook takes LXC_PID)
echo "lxc.hook.version = 1" >> "$H/.local/share/lxc/old/config"
as_alice "lxc-start -n old --logfile $H/v1.log --logpriority DEBUG"
expect_eq "lxc-start with lxc.hook.version = 1 ($(cat "$W/err"))" 0 "$RC"
grep -q -E "vmnet-lxc-hook: the container's network namespace: ([0-9]+ \(LXC_PID\)|/proc/[0-9]+/fd/[0-9]+ \(LXC_NET_NS\))" \
        "$H/v1.log" || fail "the new-style hook found no namespace: $(grep -i hook "$H/v1.log")"
runuser -u alice -- vmnet status > "$W/status"
grep -q " netns " "$W/status" || fail "the new-style hook attached nothing: $(cat "$W/status")"
as_alice "lxc-stop -n old"
expect_eq "lxc-stop of old ($(cat "$W/err"))" 0 "$RC"

# --- the other way in the guide: vmnet netns attach --------------------------
mapfile -t cmds < <(guide_commands "$DOC" netns-attach)
expect_eq "the guide's attach commands" "unshare -rn sleep 1000 &|vmnet netns attach \$!" \
        "$(IFS='|'; echo "${cmds[*]}")"
# (the test waits for unshare to have made the namespace, as a person
# typing the second line does)
as_alice "${cmds[0]} echo \$!"
holder=$(cat "$W/out")
WORLD_PIDS+=("$holder")
wait_until 5 sh -c "[ \"\$(readlink /proc/$holder/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" ||
        fail "unshare -rn made no namespace"
as_alice "${cmds[1]//\$!/$holder}"
expect_eq "vmnet netns attach exit ($(cat "$W/err"))" 0 "$RC"
attached=$(cat "$W/out")
[[ $attached == vmnc* ]] || fail "vmnet netns attach printed '$attached', not a bridge end"
[ -e "/sys/class/net/$attached" ] || fail "no $attached after vmnet netns attach"

# --- the hint and the guide agree ----------------------------------------------
as_alice "vmnet hint lxc"
expect_eq "exit of vmnet hint lxc" 0 "$RC"
while IFS= read -r line; do
        grep -Fq -- "$line" "$W/out" || fail "docs/lxc.md says '$line', vmnet hint lxc does not: $(cat "$W/out")"
done < <(guide_block "$DOC" lxc-default-conf
         guide_commands "$DOC" lxc-start
         grep -E '^    lxc-create -n c1 -t download ' "$DOC" | sed 's/^ *//')
log "PASS: c1 at $ip on vmnet0 through $port"
