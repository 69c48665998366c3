#!/usr/bin/env bash
# What a student sees when the lab is not well: vmnet status says that the
# lab's DHCP and DNS are down, dnsmasq's last error, when vmnetd tries
# again and what to do (text and JSON), and says nothing once they work
# again; with vmnetd down, vmnet hint still gives the settings, from
# vmnet.conf and its drop-ins.
. "$(dirname "$0")/../lib/world.sh"
world_enter "$@"
CTL=$BUILD/tests/tools/vmnetctl
VMNET=$BUILD/vmnet

world_add_user stu1 61001
as_stu1() { runuser -u stu1 -- "$@"; }
# lab_field JSON KEY: one field of "lab" in a vmnet status --json output
lab_field() { python3 -c "import json, sys; print(json.loads(sys.argv[1])['lab']['$2'])" "$1"; }
# seen CMD...: CMD's output into $SEEN, when it holds $WANT (polled, 10 s at
# most): the state flips while vmnetd restarts dnsmasq, so every check of
# a state looks at the one output that showed it
seen() {
        local tries=200
        while (( tries-- > 0 )); do
                SEEN=$(as_stu1 "$@") && grep -qF -- "$WANT" <<< "$SEEN" && return 0
                sleep 0.05
        done
        return 1
}

# a dnsmasq that cannot bind its ports, as when another DNS server holds them
mkdir -p "$W/bin"
cat > "$W/bin/dnsmasq" <<'EOF'
#!/bin/sh
echo "dnsmasq: failed to create listening socket for 10.77.0.1: Address already in use" >&2
exit 2
EOF
chmod 0755 "$W/bin/dnsmasq"
C=/etc/security/vmnet.conf   # the world's own copy of /etc/security: vmnet reads it too
world_config uplink=isolated "dnsmasq=$W/bin/dnsmasq" > "$C"
world_start_vmnetd "$C"
"$CTL" hold stu1 300 > "$W/hold" & WORLD_PIDS+=("$!")
wait_until 5 test -s "$W/hold" || fail "no login link for stu1"

# dnsmasq keeps failing: status says so, with its last error
WANT="NOT WORKING"
seen "$VMNET" status || fail "vmnet status does not say the lab is not working: $SEEN"
out=$SEEN
grep -qF "lab       NOT WORKING: its DHCP and DNS (dnsmasq) are down: dnsmasq exited with status 2 (no network access: a port it needs is taken, or not allowed);" <<< "$out" ||
        fail "vmnet status does not give dnsmasq's last error: $out"
grep -qE "vmnetd (starts them again in [0-9]+ s|is starting them again)" <<< "$out" || fail "no retry in: $out"
grep -qF "lasts, tell the lab's admin (it is in: journalctl -u vmnetd)." <<< "$out" ||
        fail "vmnet status does not say what to do: $out"
log "what stu1 sees: $out"
grep -q "^  tap-stu1 " <<< "$out" || fail "vmnet status lost the taps: $out"
WANT='"dnsmasq": "down"'
seen "$VMNET" status --json || fail "JSON does not say dnsmasq is down: $SEEN"
expect_eq "lab.healthy in JSON" False "$(lab_field "$SEEN" healthy)"
lab_field "$SEEN" problem | grep -q "exited with status 2" || fail "JSON problem: $SEEN"
WANT='"dnsmasq_failures": 2,'
seen "$VMNET" status --json || fail "no failures counted: $SEEN"

# fixed and reloaded: healthy, and the text says nothing about the lab
world_config uplink=isolated > "$C"
kill -HUP "$VMNETD_PID"
WANT='"dnsmasq": "running"'
seen "$VMNET" status --json || fail "dnsmasq does not run after the fix: $SEEN"
expect_eq "lab.healthy in JSON once fixed" True "$(lab_field "$SEEN" healthy)"
out=$(as_stu1 "$VMNET" status)
grep -q "NOT WORKING" <<< "$out" && fail "a working lab is reported not working: $out"

# vmnetd down: vmnet hint gives the settings from vmnet.conf and its drop-ins
kill -TERM "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true
mkdir -p "$C.d"
printf 'tap_name = lab-%%u\nbridge = room7\n' > "$C.d/50-pc.conf"
rc=0; out=$(as_stu1 "$VMNET" hint virtualbox 2> "$W/hint.err") || rc=$?
expect_eq "vmnet hint virtualbox without vmnetd ($(cat "$W/hint.err"))" 0 "$rc"
grep -qF "(vmnetd does not answer now, so this is from $C: your login tap" <<< "$out" || fail "no note in: $out"
grep -qF "VBoxManage modifyvm \"VM\" --nic1 bridged --bridgeadapter1 lab-stu1" <<< "$out" ||
        fail "the hint does not name the login tap by the drop-in's tap_name: $out"
grep -q "vmnetd is not running" "$W/hint.err" || fail "vmnet hint does not say vmnetd is down: $(cat "$W/hint.err")"
out=$(as_stu1 "$VMNET" hint qemu) || fail "vmnet hint qemu without vmnetd failed"
grep -qF -- "-nic bridge,br=room7," <<< "$out" || fail "the qemu hint does not name the drop-in's bridge: $out"
# without a configuration to read, it says it cannot
rm -r "$C" "$C.d"
rc=0; as_stu1 "$VMNET" hint virtualbox > /dev/null 2>&1 || rc=$?
expect_eq "vmnet hint without vmnetd or vmnet.conf" 3 "$rc"
log "PASS"
