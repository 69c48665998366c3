#!/usr/bin/env bash
# vmnetd never makes the kernel try to load a module for a device name:
# every socket ioctl that names an interface (if_nametoindex()'s
# SIOCGIFINDEX, any SIOCGIF*/SIOCSIF*, SIOCETHTOOL, the bridge's SIOCBR*,
# wireless SIOCGIW*: dev_ioctl, devinet_ioctl and wext call dev_load())
# makes the kernel call request_module("netdev-NAME") when the name does
# not exist and the caller holds CAP_NET_ADMIN (102 modprobe runs for one
# VM tap on a booted Debian 13).  This kernel has no modules, so the proof
# here is what vmnetd asks: under strace, through a login, a persistent
# tap, VM taps, a logout, a restart and --down, no SIOC* ioctl at all from
# vmnetd (netlink and sysfs instead), and none on a missing name from
# anything it runs (dnsmasq included).  tests/system/ counts the kernel's
# module requests on Debian.
. "$(dirname "$0")/../lib/world.sh"
world_enter "$@"
command -v strace >/dev/null || skip "strace is missing: tools/install-deps --tests"
CTL=$BUILD/tests/tools/vmnetctl
TRACE=$W/trace
# LeakSanitizer cannot run under ptrace (make check-sanitize): the leak
# check is the other tests' job, the ioctls this one's
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

world_add_user stu1 61001
world_config uplink=isolated max_taps=6 > "$W/vmnet.conf"
VMNETD_FILES=() # the traces of vmnetd's own processes (the others are dnsmasq's)
traced() { # traced NAME ARGS...: vmnetd ARGS under strace, a file per process; its pid in $VMNETD_PID
        mkdir -p "$TRACE/$1"
        local name=$1; shift
        world_spawn strace -f -ff -qq -e trace=ioctl -e signal=none -o "$TRACE/$name/t" "$VMNETD" "$@"
        wait_until 5 pgrep -P "$SPAWNED" -x vmnetd || fail "no vmnetd under strace"
        VMNETD_PID=$(pgrep -P "$SPAWNED" -x vmnetd)
        VMNETD_FILES+=("$TRACE/$name/t.$VMNETD_PID")
}
stop_vmnetd() {
        kill -TERM "$VMNETD_PID"
        wait_until 5 sh -c "! kill -0 $VMNETD_PID 2>/dev/null" || fail "vmnetd ignored SIGTERM"
}
traced run1 -f -c "$W/vmnet.conf"
wait_until 15 "$CTL" status || fail "vmnetd under strace does not answer"

"$CTL" -s /run/vmnet/vmnetd-root.sock hold stu1 300 > "$W/hold" &
HOLD=$!
WORLD_PIDS+=("$HOLD")
wait_until 5 test -s "$W/hold" || fail "no login link"
runuser -u stu1 -- "$CTL" tap-add >/dev/null || fail "no persistent tap"
for i in 1 2 3; do
        runuser -u stu1 -- "$CTL" vm-tap vmnet0 1 >/dev/null || fail "no VM tap $i"
done
runuser -u stu1 -- "$CTL" vm-tap vmnet0 20 > "$W/vm" &
WORLD_PIDS+=("$!")
wait_until 5 test -s "$W/vm" || fail "no VM tap"
runuser -u stu1 -- "$CTL" status >/dev/null
# a restart (records taken back, sessions adopted) while a session and a VM tap live
stop_vmnetd
traced run2 -f -c "$W/vmnet.conf"
wait_until 15 "$CTL" status || fail "the second vmnetd does not answer"
runuser -u stu1 -- "$CTL" status | grep -q "^tap tap-stu1 login" || fail "the restart lost the session"
kill -KILL "$HOLD"
wait_until 3 test ! -e /sys/class/net/tap-stu1 || fail "the logout left tap-stu1"
stop_vmnetd
mkdir -p "$TRACE/down"
strace -f -ff -qq -e trace=ioctl -e signal=none -o "$TRACE/down/t" "$VMNETD" -c "$W/vmnet.conf" --down
VMNETD_FILES+=("$TRACE"/down/t.*)

# (strace names socket ioctls SIOC*: SIOCGIFINDEX, SIOCETHTOOL, SIOCBRADDIF...)
sioc='ioctl([0-9]*, SIOC'
# SIOCGIFNAME (if_indextoname()) asks by index, and the kernel answers it
# before dev_load(): an index that is gone (dnsmasq listing the links while
# the logout removes one) is ENODEV and loads nothing
on_missing_name() { grep "$sioc" "$1" | grep -v "SIOCGIFNAME" | grep "= -1 ENODEV"; }
for f in "$TRACE"/*/t.*; do
        if on_missing_name "$f" >/dev/null; then
                fail "a socket ioctl on a name that does not exist, in $f: $(on_missing_name "$f" | head -n 3)"
        fi
done
ours=$(cat "${VMNETD_FILES[@]}" | grep -c "$sioc" || true)
all=$(cat "$TRACE"/*/t.* | grep -c "$sioc" || true)
log "SIOC* ioctls: $ours from vmnetd, $(( all - ours )) from dnsmasq, none on a missing name"
[ "$ours" = 0 ] || fail "vmnetd made $ours socket ioctls: $(cat "${VMNETD_FILES[@]}" | grep "$sioc" | cut -c1-80 | sort | uniq -c | head -n 5)"
grep -q "TUNSETIFF" "${VMNETD_FILES[0]}" || fail "the trace of vmnetd shows no TUNSETIFF: not its trace"
echo ok
