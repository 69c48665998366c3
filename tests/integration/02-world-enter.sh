#!/usr/bin/env bash
# test-timeout: 120
# tests/lib/world.sh world_enter (and chroot_enter) run a test's body only
# in namespaces they made, by kernel fact: a stand-in `unshare` that runs
# its command without unsharing (by exec, or as a child) is refused, and
# so is a forged or stale VMNET_REEXEC_PID/VMNET_REEXEC_LEFT; the real
# unshare is accepted, a stale mark from elsewhere notwithstanding.
#
# Never the host: this script first re-runs itself in new mount, network
# and PID namespaces of its own (its own unshare, checked here, not
# world_enter's), with a private /run holding a sentinel.  The probes run
# in there; PID 1 there is this script, as the host's init is outside.  A
# world_enter that wrongly ran its body would mount over that /run (the
# sentinel vanishes) and write the probe's mark.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { say "FAIL: $*"; exit 1; }

if [ "${1:-}" != sandbox ]; then
        if [ "$(id -u)" -ne 0 ]; then say "SKIP: needs root"; exit 77; fi
        exec unshare --mount --net --pid --fork --mount-proc --propagation private -- \
                bash "$0" sandbox "$(readlink /proc/self/ns/net)" "$(readlink /proc/self/ns/mnt)"
fi
[ "$$" = 1 ] || die "not PID 1 of a PID namespace of its own (pid $$)"
if [ "$(readlink /proc/self/ns/net)" = "$2" ] || [ "$(readlink /proc/self/ns/mnt)" = "$3" ]; then
        die "the sandbox's unshare left a namespace unchanged"
fi
unset VMNET_REEXEC_PID VMNET_REEXEC_LEFT

T=$(mktemp -d /tmp/vmnet-world-enter.XXXXXX)
trap 'rm -rf "$T"' EXIT
mount -t tmpfs -o mode=0755 sandbox-run /run
touch /run/sandbox-sentinel

# The probes: a world test and a chroot test whose bodies only leave a mark.
for kind in world chroot; do
        cat > "$T/$kind-probe.sh" <<EOF
#!/usr/bin/env bash
. "$ROOT/tests/lib/$kind.sh"
${kind}_enter "\$@"
readlink /proc/self/ns/net > "$T/$kind-body-ran"
EOF
done
# Stand-ins for unshare: skip the options, run the command here.
mkdir "$T/exec-unshare" "$T/child-unshare"
cat > "$T/exec-unshare/unshare" <<'EOF'
#!/bin/sh
while [ "$1" != -- ]; do shift; done; shift
exec "$@"
EOF
# (bounded: a world_enter that ran again and again is stopped at round 3)
cat > "$T/child-unshare/unshare" <<'EOF'
#!/bin/sh
n=${STANDIN_ROUNDS:-0}
[ "$n" -lt 3 ] || exit 3
export STANDIN_ROUNDS=$((n + 1))
while [ "$1" != -- ]; do shift; done; shift
"$@"
EOF
chmod +x "$T/exec-unshare/unshare" "$T/child-unshare/unshare"
here_ns="net $(readlink /proc/self/ns/net)
mnt $(readlink /proc/self/ns/mnt)"
other_ns="net net:[1]
mnt mnt:[1]"

# probe KIND PATH-PREFIX ENV...: runs KIND's probe (bounded), its
# stderr in $T/out; its exit status in $rc
probe() {
        local kind=$1 prefix=$2
        shift 2
        rm -f "$T/$kind-body-ran"
        rc=0
        timeout 60 env PATH="${prefix:+$prefix:}$PATH" "$@" bash "$T/$kind-probe.sh" 2> "$T/out" >&2 || rc=$?
}
# refused KIND WHY PATH-PREFIX ENV...
refused() {
        local kind=$1 why=$2
        shift 2
        probe "$kind" "$@"
        [ "$rc" = 1 ] || die "${kind}_enter $why: exit $rc, not 1: $(cat "$T/out")"
        grep -q "refuses to touch the host" "$T/out" || die "${kind}_enter $why: no refusal said: $(cat "$T/out")"
        [ ! -e "$T/$kind-body-ran" ] || die "${kind}_enter $why: the body ran"
        [ -e /run/sandbox-sentinel ] || die "${kind}_enter $why: /run was mounted over before it refused"
        say "${kind}_enter refuses: $why"
}
# accepted KIND WHY ENV...
accepted() {
        local kind=$1 why=$2
        shift 2
        probe "$kind" "" "$@"
        [ "$rc" = 0 ] || die "${kind}_enter $why: exit $rc: $(cat "$T/out")"
        [ -s "$T/$kind-body-ran" ] || die "${kind}_enter $why: the body did not run"
        if [ "$kind" = world ] && [ "$(cat "$T/$kind-body-ran")" = "$(readlink /proc/self/ns/net)" ]; then
                die "world_enter $why: the body ran in the sandbox's network namespace"
        fi
        [ -e /run/sandbox-sentinel ] || die "${kind}_enter $why: the sandbox's /run was mounted over"
        say "${kind}_enter accepts: $why"
}

for kind in world chroot; do
        refused "$kind" "an unshare that execs its command unshared" "$T/exec-unshare"
        refused "$kind" "an unshare that runs its command as a child" "$T/child-unshare"
        # a mark naming the probe's own pid (exec keeps it) and namespaces
        # it is not in: only PID 1's namespaces tell it is not inside
        # shellcheck disable=SC2016 # expanded by that bash
        refused "$kind" "a forged VMNET_REEXEC_PID (its own pid)" "" \
                bash -c 'export VMNET_REEXEC_PID=$$ VMNET_REEXEC_LEFT="$1"; shift; exec "$@"' _ "$other_ns"
        # a stale mark (another pid, these namespaces): re-run afresh
        refused "$kind" "a stale VMNET_REEXEC_PID and an unshare that does nothing" "$T/exec-unshare" \
                VMNET_REEXEC_PID=$$ VMNET_REEXEC_LEFT="$here_ns"
        accepted "$kind" "the real unshare"
        accepted "$kind" "the real unshare, a stale VMNET_REEXEC_PID in the environment" \
                VMNET_REEXEC_PID=$$ VMNET_REEXEC_LEFT="$other_ns"
done
say PASS
