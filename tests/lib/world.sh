# shellcheck shell=bash
# The world an integration test lives in: its own network and mount
# namespaces, a private tmpfs on /run (so /run/vmnet, /run/netns and
# /run/sshd are the test's own), private copies of /etc/passwd, group,
# shadow, /etc/security, /etc/pam.d and an nsswitch.conf without dns.
# Nothing of the host is touched, and everything goes when the test ends.
#
#   . "$(dirname "$0")/../lib/world.sh"
#   world_enter "$@"          # re-runs the script inside fresh namespaces
#   world_add_user stu1 61001
#   world_config uplink=isolated > "$W/vmnet.conf"
#   world_start_vmnetd "$W/vmnet.conf"
#
# Processes started with world_spawn are ended by PID when the test exits.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
VMNETD=$BUILD/vmnetd

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
skip() { log "SKIP: $*"; echo "$*"; exit 77; }

# wait_until SECONDS CMD...: polls CMD every 0.05 s, at most SECONDS long.
wait_until() {
        local limit=$1; shift
        local tries=$(( limit * 20 ))
        while (( tries-- > 0 )); do
                if "$@" >/dev/null 2>&1; then return 0; fi
                sleep 0.05
        done
        return 1
}

expect_eq() { # expect_eq WHAT EXPECTED ACTUAL
        [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# start_time PID: when it started, in clock ticks since boot (stat field 22).
start_time() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }'; }

# namespace_left KIND: the namespace of KIND (net, mnt) the last re-run
# left (VMNET_REEXEC_LEFT, written by reexec_in_namespaces); "" if none.
namespace_left() { sed -n "s/^$1 //p" <<< "${VMNET_REEXEC_LEFT:-}"; }
# namespaces_left_behind KIND...: fails unless this process is the one that
# re-ran itself (exec keeps its pid; VMNET_REEXEC_PID) in namespaces of
# each KIND (net, mnt) other than those it left, and other than PID 1's
# (an environment can be forged or stale, PID 1's namespaces cannot).  A
# kernel fact, not only a variable: a VMNET_*_INSIDE exported by someone's
# shell once let a script write the host's /etc/passwd.
namespaces_left_behind() {
        local kind left now
        [ "${VMNET_REEXEC_PID:-}" = "$$" ] || return 1
        for kind in "$@"; do
                left=$(namespace_left "$kind")
                now=$(readlink "/proc/self/ns/$kind")
                [ -n "$left" ] && [ "$now" != "$left" ] && [ "$now" != "$(readlink "/proc/1/ns/$kind")" ] || return 1
        done
}
# reexec_went_nowhere KIND...: whether this process is what the last
# re-run started (itself, or a child of the "unshare" it ran) but still in
# a namespace of a KIND it meant to leave: unshare did not unshare, and
# running again would only loop.
reexec_went_nowhere() {
        local kind
        [ "${VMNET_REEXEC_PID:-}" = "$$" ] && return 0
        [ "${VMNET_REEXEC_PID:-}" = "$PPID" ] || return 1
        for kind in "$@"; do
                [ "$(namespace_left "$kind")" != "$(readlink "/proc/self/ns/$kind")" ] ||
                        return 0
        done
        return 1
}
# reexec_in_namespaces UNSHARE-OPTION... -- ARGS: runs "$0" ARGS again, in
# new namespaces, as the same process.
reexec_in_namespaces() {
        local opts=() kind
        while [ "$1" != -- ]; do opts+=("$1"); shift; done
        shift
        VMNET_REEXEC_LEFT=$(for kind in net mnt; do echo "$kind $(readlink "/proc/self/ns/$kind")"; done)
        export VMNET_REEXEC_PID=$$ VMNET_REEXEC_LEFT
        exec unshare "${opts[@]}" --propagation private -- bash "$0" "$@"
}

world_enter() {
        if ! namespaces_left_behind net mnt; then
                [ "$(id -u)" -eq 0 ] || skip "needs root"
                ! reexec_went_nowhere net mnt ||
                        fail "unshare ran $0 in the host's namespaces: it refuses to touch the host"
                reexec_in_namespaces --mount --net -- "$@"
        fi
        WORLD_T0=$(start_time $$)
        W=$(mktemp -d /tmp/vmnet-test.XXXXXX)
        chmod 0755 "$W"
        export W
        WORLD_PIDS=()
        trap world_cleanup EXIT
        trap 'exit 130' INT TERM
        ip link set lo up
        # sysfs shows the network namespace of whoever mounted it: a fresh
        # one shows this test's interfaces (/sys/class/net, brport, owner).
        mount -t sysfs vmnet-test-sys /sys
        # /tmp stays shared with the host, so the test's files are visible
        # there for debugging until cleanup; /run is the test's own.
        mount -t tmpfs -o mode=0755 vmnet-test-run /run
        mkdir -p /run/vmnet /run/netns /run/sshd /run/user
        mkdir -p "$W/etc"
        local f
        for f in passwd group shadow; do
                cp -p "/etc/$f" "$W/etc/$f"
                mount --bind "$W/etc/$f" "/etc/$f"
        done
        cp -a /etc/security "$W/etc/security"
        mount --bind "$W/etc/security" /etc/security
        cp -a /etc/pam.d "$W/etc/pam.d"
        mount --bind "$W/etc/pam.d" /etc/pam.d
        printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files vmnet\n' > "$W/etc/nsswitch.conf"
        mount --bind "$W/etc/nsswitch.conf" /etc/nsswitch.conf
        : > "$W/etc/hosts"
        printf '127.0.0.1 localhost\n' > "$W/etc/hosts"
        mount --bind "$W/etc/hosts" /etc/hosts
        world_add_system_user "$VMNETD_USER" "$VMNETD_UID"
        world_tun 0666
        world_reachable_build
        # The module under test, found by name like an installed one.
        export LD_LIBRARY_PATH=$BUILD
}

# Students' processes (QEMU's bridge helper, vmnet, getent with our NSS
# module) run our programs from $BUILD.  A tree cloned into a home that only
# its owner may enter (adduser makes homes 0700 on Debian 12 and 13) hides
# them; then the world uses copies in $W/build, which everyone can reach.
# The guest stays where it is built and cached (a link).
world_reachable_build() {
        local f
        setpriv --reuid=65534 --regid=65534 --clear-groups -- test -x "$BUILD/vmnetd" 2>/dev/null && return 0
        mkdir -p "$W/build/tests"
        for f in vmnetd vmnet vmnet-bridge-helper vmnet-lxc-hook vmnet-names pam_vmnet.so libnss_vmnet.so.2; do
                [ ! -e "$BUILD/$f" ] || cp -p "$BUILD/$f" "$W/build/$f"
        done
        [ ! -d "$BUILD/tests/tools" ] || cp -pR "$BUILD/tests/tools" "$W/build/tests/tools"
        ln -s "$BUILD/guest" "$W/build/guest"
        log "$BUILD is out of other users' reach; the test uses copies in $W/build"
        BUILD=$W/build
        VMNETD=$BUILD/vmnetd
}

# The system user vmnetd runs as (the package makes it; helper/privilege.h):
# a fixed uid in the world's passwd, whatever the host has.
VMNETD_USER=vmnet
VMNETD_UID=60990

# world_tun MODE: /dev/net/tun with that mode, in this mount namespace only:
# a node of our own on the world's /run bind-mounted over the host's, which
# never changes.  The world starts with 0666, as udev makes it on Debian
# desktops (vmnetd, not root, opens it; so may QEMU as a student); 0600 is
# this machine's own mode without udev.
world_tun() {
        local node=/run/vmnet-test-tun-$1
        [ -e "$node" ] || mknod -m "$1" "$node" c 10 200
        mount --bind "$node" /dev/net/tun
}

# world_add_system_user NAME UID: a system user without a home or a shell.
world_add_system_user() {
        local g
        for g in passwd group shadow; do world_etc_edit "$g" "/^$1:/d"; done
        echo "$1:x:$2:$2:$1 (vmnet test world):/nonexistent:/usr/sbin/nologin" >> /etc/passwd
        echo "$1:x:$2:" >> /etc/group
        echo "$1:!:19000::::::" >> /etc/shadow
}

world_cleanup() {
        local rc=$? pid
        set +e
        for pid in "${WORLD_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
        for pid in "${WORLD_PIDS[@]}"; do
                for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
                kill -KILL "$pid" 2>/dev/null
        done
        # a vmnetd the test killed -9 leaves its dnsmasq behind: the world's
        # private /run says which one it is
        pid=$(cat /run/vmnet/dnsmasq.pid 2>/dev/null)
        # (its namespaces are not readable once it dropped root: the proof
        # is its command line and that it started after this world)
        if [ -n "$pid" ] && [ "$(start_time "$pid")" -ge "$WORLD_T0" ] 2>/dev/null &&
           tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "conf-file=/run/vmnet/dnsmasq.conf"; then
                kill -TERM "$pid" 2>/dev/null
        fi
        if [ -n "${WORLD_KEEP:-}" ]; then log "kept $W"; else rm -rf "$W"; fi
        exit "$rc"
}

# world_spawn CMD...: runs CMD in the background, ended at exit; pid in $SPAWNED.
world_spawn() {
        "$@" &
        SPAWNED=$!
        WORLD_PIDS+=("$SPAWNED")
}

# world_etc_edit FILE SED-SCRIPT: edits the world's copy of /etc/FILE in
# place (sed -i would rename over the bind mount and fail with EBUSY).
world_etc_edit() {
        local out
        findmnt -n --mountpoint "/etc/$1" > /dev/null || fail "/etc/$1 is not the world's copy"
        out=$(sed "$2" "/etc/$1")
        if [ -n "$out" ]; then printf '%s\n' "$out" > "/etc/$1"; else : > "/etc/$1"; fi
}

# world_add_user NAME UID [GROUP...]: a user with a home under $W.
world_add_user() {
        local name=$1 uid=$2 g
        shift 2
        mkdir -p "$W/home/$name"
        # A user or group of that name on this machine (its first user may
        # well be alice) would win every lookup: the world's copies drop it.
        for g in passwd group shadow; do world_etc_edit "$g" "/^$name:/d"; done
        echo "$name:x:$uid:$uid::$W/home/$name:/bin/sh" >> /etc/passwd
        echo "$name:x:$uid:" >> /etc/group
        echo "$name:*:19000:0:99999:7:::" >> /etc/shadow
        chown "$uid:$uid" "$W/home/$name"
        for g in "$@"; do
                if grep -q "^$g:" /etc/group; then
                        world_etc_edit group "/^$g:/ s/\$/,$name/; s/:,$name\$/:$name/"
                else
                        echo "$g:x:$(( uid + 5000 )):$name" >> /etc/group
                fi
        done
}

# world_config KEY=VALUE...: a vmnet.conf for tests on stdout.
world_config() {
        local kv
        echo "# vmnet.conf written by ${0##*/}"
        echo "resolv_file = none"
        for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
}

# world_start_vmnetd CONF [ARGS...]: vmnetd in the foreground mode, in the
# background of the test; waits (bounded) until its socket answers.
world_start_vmnetd() {
        local conf=$1; shift
        local sock
        world_names_installed "$BUILD/vmnet-names"
        # the environment wins over the file's test key, as in vmnetd
        sock=$(sed -n 's/^socket *= *//p' "$conf")
        sock=${VMNET_SOCKET:-${sock:-/run/vmnet/vmnetd.sock}}
        world_spawn "$VMNETD" -f -c "$conf" "$@"
        VMNETD_PID=$SPAWNED
        # the socket file may be a stale one: wait until vmnetd answers on it
        wait_until 10 "$BUILD/tests/tools/vmnetctl" -s "$sock" status ||
                fail "vmnetd does not answer on $sock"
        kill -0 "$VMNETD_PID" || fail "vmnetd exited"
}

# world_names_installed FILE: the names program as the package installs
# it, with an empty set of file capabilities (names/capabilities.h: dnsmasq's
# exec then leaves it none, no second exec).  Relinking drops them again.
world_names_installed() {
        setcap '=' "$1" || fail "cannot set the empty file capabilities of $1"
}

# world_dhcp_lease NAME [UDHCPC-ARG...]: a DHCP client asking for NAME from
# a network namespace of its own ("dhcpc", made at the first call) on a veth
# port of vmnet0 (vc0, no student's); prints the address it was leased.  It asks
# for 10 s: a dnsmasq just started under load may take seconds to answer.
world_dhcp_lease() {
        local name=$1
        shift
        if [ ! -e /run/netns/dhcpc ]; then
                ip netns add dhcpc
                ip link add vc0 type veth peer name vc1 netns dhcpc
                ip link set vc0 master vmnet0 up
                ip -n dhcpc link set vc1 up
                # shellcheck disable=SC2016 # a script for udhcpc
                printf '#!/bin/sh\n[ "$1" = bound ] && echo "$ip" > %s/dhcpc.lease\nexit 0\n' "$W" > "$W/dhcpc.sh"
                chmod +x "$W/dhcpc.sh"
        fi
        rm -f "$W/dhcpc.lease"
        ip netns exec dhcpc busybox udhcpc -i vc1 -n -q -t 10 -T 1 -s "$W/dhcpc.sh" -x "hostname:$name" "$@" \
                >/dev/null 2>&1 || return 1
        cat "$W/dhcpc.lease"
}

# world_names_add MAC IP NAME: what the lab's dnsmasq does with a new lease
# of an hour for NAME: the names program's call (dhcp-script), as vmnetd's
# user with the two capabilities, against the running vmnetd.  For a test
# that puts a guest's frames on a link but no DHCP client behind it.
world_names_add() {
        local caps=+net_admin,+net_bind_service
        setpriv --reuid="$VMNETD_USER" --regid="$VMNETD_USER" --clear-groups --inh-caps=$caps --ambient-caps=$caps \
                env -i PATH=/usr/bin:/bin VMNET_RUN_DIR=/run/vmnet VMNET_SOCKET="${VMNET_SOCKET:-/run/vmnet/vmnetd.sock}" \
                VMNET_DOMAIN="${VMNET_DOMAIN:-lab}" DNSMASQ_INTERFACE=vmnet0 \
                DNSMASQ_LEASE_EXPIRES=$(( $(date +%s) + 3600 )) DNSMASQ_SUPPLIED_HOSTNAME="$3" \
                "$BUILD/vmnet-names" add "$1" "$2"
}

# world_as USER CMD...: CMD as USER, finding our NSS module as root does.
world_as() {
        local u=$1
        shift
        runuser -u "$u" -- env LD_LIBRARY_PATH="$LD_LIBRARY_PATH" "$@"
}

# addr_of NAME: the first address getent gives for NAME ("" for none).
addr_of() { getent hosts "$1" | awk '{ print $1 }'; }
# resolves_to NAME IP: NAME gives IP now (for wait_until, which runs its
# command anew each time: "wait_until 5 test "$(addr_of N)" = IP" would
# compare what the name gave once).
resolves_to() { [ "$(addr_of "$1")" = "$2" ]; }

# brport_state DEV: the bridge port state (3 = forwarding).
brport_state() { cat "/sys/class/net/$1/brport/state"; }
brport_is_forwarding() { [ "$(brport_state "$1" 2>/dev/null)" = 3 ]; }
# login_peer DEV: the bridge end of the login link DEV (a veth pair).
login_peer() {
        local want f
        want=$(cat "/sys/class/net/$1/iflink")
        # any link but a veth is its own iflink: no peer
        [ "$want" != "$(cat "/sys/class/net/$1/ifindex")" ] || return 1
        for f in /sys/class/net/*/ifindex; do
                if [ "$(cat "$f")" = "$want" ]; then basename "$(dirname "$f")"; return 0; fi
        done
        return 1
}
# login_link_is_forwarding DEV: DEV is up with carrier, its bridge end forwards.
login_link_is_forwarding() {
        local peer
        peer=$(login_peer "$1") || return 1
        [ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = 1 ] && brport_is_forwarding "$peer"
}
