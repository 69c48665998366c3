#!/usr/bin/env bash
# pam_vmnet through real PAM (pamtester, service files in the test's own
# /etc/pam.d naming build/pam_vmnet.so) against the real vmnetd: a session
# gets tap-USER, a login link forwarding into the bridge, and
# VMNET_TAP in its environment; two sessions share the tap, which goes at
# the last close; vmnetd absent or stopped (SIGSTOP) never fails or holds
# up the session (timeout=300 returns in well under 1.5 s); a non-root
# caller and a user outside allow_groups get no tap (and the latter no
# message); valgrind finds no leak and no invalid access.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"

PAM_SO=$BUILD/pam_vmnet.so
[ -e "$PAM_SO" ] || fail "$PAM_SO missing: run make"
command -v pamtester >/dev/null || skip "pamtester is not installed"

world_add_user stu1 61001 students
world_add_user stu2 61002
world_config uplink=isolated allow_groups=students > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"

# Runs right after pam_vmnet in the test's stacks (pam_exec gives it the
# PAM environment): records what the open session sees; in hold mode it
# keeps the session open (pamtester alive, so vmnetd keeps the tap) until
# the test releases it.  Bounded wait: 30 s.
OUT=$W/out
mkdir -m 0777 "$OUT"
cat > "$W/probe.sh" <<'EOF'
#!/bin/sh
mode=$1 tag=$2 out=$3
case $PAM_TYPE in
open_session)
        env > "$out/env.$tag"
        if [ -e "/sys/class/net/tap-$PAM_USER" ]; then echo yes; else echo no; fi > "$out/tap.$tag"
        if [ "$mode" = hold ]; then
                echo "$PPID" > "$out/held.$tag"
                i=0
                while [ ! -e "$out/release.$tag" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
        fi
        ;;
close_session)
        echo closed > "$out/closed.$tag"
        ;;
esac
exit 0
EOF
chmod 0755 "$W/probe.sh"

# service NAME MODULE-ARGS [PROBE-ARGS]: a session stack with pam_vmnet as
# the admin installs it (optional), and the probe after it.
service() {
        local name=$1 args=$2 probe=${3:-}
        {
                echo "# written by ${0##*/}"
                echo "session optional $PAM_SO $args"
                [ -z "$probe" ] || echo "session optional pam_exec.so $W/probe.sh $probe"
        } > "/etc/pam.d/$name"
}
service vmnet-hold-a "debug" "hold a $OUT"
service vmnet-hold-b "debug" "hold b $OUT"
service vmnet-quick "timeout=300" "dump q $OUT"
# pam_vmnet alone: the stack's answer is the module's own (PAM_IGNORE
# becomes libpam's "Permission denied" when no other module answered)
service vmnet-alone "timeout=300"

env_of() { sed -n "s/^$1=//p" "$OUT/env.$2"; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
tap_gone() { test ! -e /sys/class/net/tap-stu1; }
exited() { local s; s=$(ps -o stat= -p "$1") || return 0; [[ $s == Z* ]]; }

# hold TAG: pamtester for stu1 kept inside its open session; pid in $HOLDER
hold() {
        pamtester "vmnet-hold-$1" stu1 open_session close_session > "$OUT/pamtester.$1" 2>&1 &
        HOLDER=$!
        WORLD_PIDS+=("$HOLDER")
        wait_until 10 test -s "$OUT/held.$1" || fail "session $1 did not open: $(cat "$OUT/pamtester.$1")"
}
# release TAG PID: lets the held session close, expects pamtester to succeed
release() {
        touch "$OUT/release.$1"
        wait "$2" || fail "pamtester $1 failed: $(cat "$OUT/pamtester.$1")"
        expect_eq "close_session of $1 ran" closed "$(cat "$OUT/closed.$1")"
}

# --- one session: the tap as the student sees it, and VMNET_TAP ---
hold a
A=$HOLDER
expect_eq "the service file used" a "$(env_of PAM_SERVICE a | sed 's/vmnet-hold-//')"
expect_eq "VMNET_TAP" tap-stu1 "$(env_of VMNET_TAP a)"
expect_eq "tap exists during open" yes "$(cat "$OUT/tap.a")"
# the login link: tap-stu1 is the student's end, its peer the bridge port
peer=$(login_peer tap-stu1) || fail "tap-stu1 is not a veth pair"
expect_eq "master of the bridge end $peer" vmnet0 "$(basename "$(readlink "/sys/class/net/$peer/master")")"
[ ! -e /sys/class/net/tap-stu1/master ] || fail "tap-stu1 itself is a bridge port (a tap, not a login link?)"
wait_until 5 login_link_is_forwarding tap-stu1 ||
        fail "carrier $(cat /sys/class/net/tap-stu1/carrier), port state $(brport_state "$peer"), expected 1 and 3"
# nothing of pam_vmnet stays open in the login process
sockets=$(find "/proc/$(cat "$OUT/held.a")/fd" -lname 'socket:*' | wc -l)
expect_eq "sockets left open in pamtester" 0 "$sockets"

# --- a second session of the same user shares the tap; it outlives the first close ---
hold b
B=$HOLDER
expect_eq "VMNET_TAP of the second session" tap-stu1 "$(env_of VMNET_TAP b)"
expect_eq "one tap for two sessions" 1 "$(find /sys/class/net -maxdepth 1 -name 'tap-stu1*' | wc -l)"
release a "$A"
sleep 0.3
[ -e /sys/class/net/tap-stu1 ] || fail "the tap went at the first of two closes"
login_link_is_forwarding tap-stu1 || fail "tap-stu1 stopped forwarding at the first of two closes"
release b "$B"
wait_until 3 tap_gone || fail "tap-stu1 still there after the last close"

# --- pam_vmnet's own answers (alone in the stack) ---
pamtester vmnet-alone stu1 open_session close_session > "$OUT/alone" 2>&1 ||
        fail "with vmnetd up, pam_vmnet alone must succeed: $(cat "$OUT/alone")"
wait_until 3 tap_gone || fail "tap-stu1 still there after vmnet-alone"

# --- a user outside allow_groups: no tap, no word to the user, the session goes on ---
rm -f "$OUT"/*.q
pamtester vmnet-quick stu2 open_session close_session > "$OUT/outsider" 2>&1 ||
        fail "session of a user outside allow_groups failed: $(cat "$OUT/outsider")"
expect_eq "what the outsider is told" "pamtester: successfully opened a session
pamtester: session has successfully been closed." "$(cat "$OUT/outsider")"
expect_eq "tap for an outsider" no "$(cat "$OUT/tap.q")"
expect_eq "VMNET_TAP for an outsider" "" "$(env_of VMNET_TAP q)"
[ ! -e /sys/class/net/tap-stu2 ] || fail "a user outside allow_groups got a tap"
rc=0; pamtester vmnet-alone stu2 open_session > "$OUT/outsider-alone" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "pam_vmnet alone answered success for a user outside allow_groups"

# --- a non-root caller: vmnetd refuses it, the session goes on, no tap ---
rm -f "$OUT"/*.q
runuser -u stu2 -- pamtester vmnet-quick stu1 open_session close_session > "$OUT/nonroot" 2>&1 ||
        fail "non-root pamtester failed: $(cat "$OUT/nonroot")"
expect_eq "tap for a non-root opener" no "$(cat "$OUT/tap.q")"
expect_eq "VMNET_TAP for a non-root opener" "" "$(env_of VMNET_TAP q)"
tap_gone || fail "a non-root caller got stu1 a tap"

# --- valgrind: open and close in one process ---
if command -v valgrind >/dev/null; then
        valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
                --show-leak-kinds=definite,indirect --track-fds=no \
                pamtester vmnet-quick stu1 open_session close_session > "$OUT/valgrind" 2>&1 ||
                fail "valgrind: $(cat "$OUT/valgrind")"
        expect_eq "VMNET_TAP under valgrind" tap-stu1 "$(env_of VMNET_TAP q)"
        wait_until 3 tap_gone || fail "tap-stu1 still there after the valgrind run"
else
        log "valgrind not installed: leak check not run"
fi

# --- vmnetd stopped (SIGSTOP): the session opens anyway, within the timeout ---
kill -STOP "$VMNETD_PID"
# cleanup must wake it first (a stopped process does not act on SIGTERM);
# set +e so that "(exit $rc)", which hands the test's status on to
# world_cleanup, does not end the trap before it
trap 'rc=$?; set +e; kill -CONT "$VMNETD_PID" 2>/dev/null; (exit $rc); world_cleanup' EXIT
rm -f "$OUT"/*.q
t0=$(date +%s%N)
pamtester vmnet-quick stu1 open_session close_session > "$OUT/stopped" 2>&1 ||
        fail "session failed with vmnetd stopped: $(cat "$OUT/stopped")"
took=$(ms_since "$t0")
log "vmnetd stopped: open+close took $took ms (timeout=300)"
[ "$took" -lt 1500 ] || fail "open+close took $took ms with timeout=300"
expect_eq "VMNET_TAP with vmnetd stopped" "" "$(env_of VMNET_TAP q)"
rc=0; pamtester vmnet-alone stu1 open_session > "$OUT/stopped-alone" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "pam_vmnet alone answered success without a tap"
kill -CONT "$VMNETD_PID"
# the requests it finds on waking come from logins that gave up: no tap may stay
sleep 0.5
wait_until 3 tap_gone || fail "a tap stayed for a login that gave up on a stopped vmnetd"

# --- vmnetd not running: the session opens at once ---
kill -TERM "$VMNETD_PID"
wait_until 5 exited "$VMNETD_PID" || fail "vmnetd did not stop"
wait "$VMNETD_PID" 2>/dev/null || true
rm -f "$OUT"/*.q
t0=$(date +%s%N)
pamtester vmnet-quick stu1 open_session close_session > "$OUT/absent" 2>&1 ||
        fail "session failed with vmnetd absent: $(cat "$OUT/absent")"
took=$(ms_since "$t0")
log "vmnetd absent: open+close took $took ms"
[ "$took" -lt 1500 ] || fail "open+close took $took ms with vmnetd absent"
expect_eq "VMNET_TAP with vmnetd absent" "" "$(env_of VMNET_TAP q)"
echo "ok"
