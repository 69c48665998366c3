#!/usr/bin/env bash
# A real login: sshd (key authentication, UsePAM yes) in the test's netns
# on 127.0.0.1, with a PAM service of its own whose session stack has
# pam_vmnet as the admin installs it.  The student's shell sees
# VMNET_TAP=tap-stu1, that login link exists and is up while the session lives,
# and it is gone soon after the client leaves.  vmnet status --watch works
# over ssh -tt from a terminal and quits on q.  With vmnetd stopped
# (SIGSTOP) or absent the login still works, within the module's timeout.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"

PAM_SO=$BUILD/pam_vmnet.so
SSHD=/usr/sbin/sshd
[ -e "$PAM_SO" ] || fail "$PAM_SO missing: run make"
[ -x "$SSHD" ] || skip "openssh-server is not installed"
command -v ssh >/dev/null || skip "openssh-client is not installed"

world_add_user stu1 61001
world_config uplink=isolated > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"

# sshd takes its PAM service name from the name it is run by (OpenSSH 9.2,
# Debian 12) or from PAMServiceName (OpenSSH 9.8 and later, Debian 13).
SERVICE=vmnet-test-sshd
PORT=2222
mkdir -p "$W/ssh"
ln -s "$SSHD" "$W/ssh/$SERVICE"
cat > "/etc/pam.d/$SERVICE" <<EOF
# written by ${0##*/}
auth     required pam_deny.so
account  required pam_unix.so
session  required pam_unix.so
session  optional $PAM_SO debug
EOF
ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/id_stu1"
install -d -o 61001 -g 61001 -m 0700 "$W/home/stu1/.ssh"
install -o 61001 -g 61001 -m 0600 "$W/ssh/id_stu1.pub" "$W/home/stu1/.ssh/authorized_keys"
cat > "$W/ssh/sshd_config" <<EOF
ListenAddress 127.0.0.1:$PORT
HostKey $W/ssh/host_key
PidFile $W/ssh/sshd.pid
UsePAM yes
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
PrintMotd no
PrintLastLog no
LogLevel VERBOSE
EOF
if "$W/ssh/$SERVICE" -t -f "$W/ssh/sshd_config" -o PAMServiceName="$SERVICE" 2>/dev/null; then
        echo "PAMServiceName $SERVICE" >> "$W/ssh/sshd_config"
fi
"$W/ssh/$SERVICE" -t -f "$W/ssh/sshd_config" || fail "sshd refuses its config"
world_spawn "$W/ssh/$SERVICE" -D -e -f "$W/ssh/sshd_config"
wait_until 10 test -s "$W/ssh/sshd.pid" || fail "sshd did not start"

# login N CMD: runs CMD (expanded by stu1's shell, hence the single quotes
# below) as stu1 over ssh; its output in $W/ssh/out.N and err.N
login() {
        timeout 20 ssh -F /dev/null -p "$PORT" -i "$W/ssh/id_stu1" \
                -o StrictHostKeyChecking=no -o UserKnownHostsFile="$W/ssh/known_hosts" \
                -o BatchMode=yes -o ConnectTimeout=5 \
                stu1@127.0.0.1 "$2" > "$W/ssh/out.$1" 2> "$W/ssh/err.$1"
}
tap_gone() { test ! -e /sys/class/net/tap-stu1; }

# --- a session: the login link is there and forwards while it lives ---
# shellcheck disable=SC2016
login 1 'echo "$VMNET_TAP"; sleep 2' &
CLIENT=$!
WORLD_PIDS+=("$CLIENT")
wait_until 10 test -s "$W/ssh/out.1" || fail "no output from the login: $(cat "$W/ssh/err.1")"
expect_eq "VMNET_TAP in the login shell" tap-stu1 "$(head -n 1 "$W/ssh/out.1")"
[ -e /sys/class/net/tap-stu1 ] || fail "no tap-stu1 while the session lives"
peer=$(login_peer tap-stu1) || fail "tap-stu1 is not a veth pair"
expect_eq "master of the bridge end $peer" vmnet0 "$(basename "$(readlink "/sys/class/net/$peer/master")")"
[ ! -e /sys/class/net/tap-stu1/master ] || fail "tap-stu1 itself is a bridge port (a tap, not a login link?)"
wait_until 5 login_link_is_forwarding tap-stu1 ||
        fail "carrier $(cat /sys/class/net/tap-stu1/carrier), port state $(brport_state "$peer"), expected 1 and 3"
wait "$CLIENT" || fail "the ssh session failed: $(cat "$W/ssh/err.1")"
t0=$(date +%s%N)
# a bounded poll: 1 s at most (close_session runs after sshd notices the
# client left; vmnetd deletes the device in its next batch)
wait_until 1 tap_gone || fail "tap-stu1 still there 1 s after the client left"
log "tap gone $(( ($(date +%s%N) - t0) / 1000000 )) ms after the client left"

# --- again, as the student sees it from the shell ---
# shellcheck disable=SC2016
login 2 'echo "$VMNET_TAP"; cat "/sys/class/net/$VMNET_TAP/operstate" "/sys/class/net/$VMNET_TAP/carrier"; id -u' ||
        fail "second login failed: $(cat "$W/ssh/err.2")"
expect_eq "second login" "tap-stu1
up
1
61001" "$(cat "$W/ssh/out.2")"
# (before vmnetd stops below: sshd closes the session just after the client
# has its exit status, and a vmnetd stopping keeps the taps of live sessions)
wait_until 1 tap_gone || fail "tap-stu1 still there 1 s after the second login"

# --- vmnet status --watch over ssh -tt, from a terminal (pty-run's): drawn
# for a terminal on the far side, q typed here quits it, ssh ends with it ---
world_spawn python3 "$ROOT/tests/lib/pty-run.py" "$W/ssh/watch.screen" "$W/ssh/watch.keys" \
        ssh -tt -F /dev/null -p "$PORT" -i "$W/ssh/id_stu1" \
        -o StrictHostKeyChecking=no -o UserKnownHostsFile="$W/ssh/known_hosts" \
        -o BatchMode=yes -o ConnectTimeout=5 stu1@127.0.0.1 "$BUILD/vmnet" status --watch
WATCH=$SPAWNED
wait_until 20 grep -q "tap-stu1" "$W/ssh/watch.screen" ||
        fail "status --watch over ssh shows no tap-stu1: $(tail -c 1000 "$W/ssh/watch.screen" 2>&1)"
grep -q $'\033\[H\033\[2J' "$W/ssh/watch.screen" || fail "status --watch over ssh did not draw for a terminal"
printf q > "$W/ssh/watch.keys"
wait_until 10 bash -c "! kill -0 $WATCH 2>/dev/null" || fail "status --watch over ssh did not quit on q"
wait "$WATCH" || fail "ssh ... status --watch exited with $? on q: $(tail -c 1000 "$W/ssh/watch.screen")"
wait_until 1 tap_gone || fail "tap-stu1 still there 1 s after the ssh session of status --watch"

# --- vmnetd stopped (SIGSTOP): the login waits at most the module's
# timeout (default 1.5 s), then goes on without a tap ---
kill -STOP "$VMNETD_PID"
# cleanup must wake it first; set +e so "(exit $rc)" does not end the trap
trap 'rc=$?; set +e; kill -CONT "$VMNETD_PID" 2>/dev/null; (exit $rc); world_cleanup' EXIT
t0=$(date +%s%N)
# shellcheck disable=SC2016
login 3 'echo "tap=[$VMNET_TAP]"' || fail "login failed with vmnetd stopped: $(cat "$W/ssh/err.3")"
took=$(( ($(date +%s%N) - t0) / 1000000 ))
log "login with vmnetd stopped took $took ms"
expect_eq "VMNET_TAP with vmnetd stopped" "tap=[]" "$(cat "$W/ssh/out.3")"
[ "$took" -lt 3000 ] || fail "login took $took ms with vmnetd stopped and timeout 1500 ms"
kill -CONT "$VMNETD_PID"
# the OPEN it finds on waking comes from a login that gave up and has ended
sleep 0.5
wait_until 3 tap_gone || fail "a tap stayed for a login that gave up on a stopped vmnetd"

# --- vmnetd absent: the login goes on, without a tap ---
kill -TERM "$VMNETD_PID"
wait_until 5 test ! -e /proc/"$VMNETD_PID"/exe || fail "vmnetd did not stop"
t0=$(date +%s%N)
# shellcheck disable=SC2016
login 4 'echo "tap=[$VMNET_TAP]"' || fail "login failed with vmnetd absent: $(cat "$W/ssh/err.4")"
log "login with vmnetd absent took $(( ($(date +%s%N) - t0) / 1000000 )) ms"
expect_eq "VMNET_TAP with vmnetd absent" "tap=[]" "$(cat "$W/ssh/out.4")"
echo "ok"
