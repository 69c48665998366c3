#!/usr/bin/env bash
# vmnet.conf as an admin meets it: --check-config lists every problem of
# vmnet.conf and its drop-ins with FILE:LINE, the groups, dnsmasq and
# interfaces it names included (warnings for what may appear later, or a
# host network the lab's subnet overlaps);
# --print-config prints the configuration in effect, which reads back the
# same; a room's shared file with a PC's drop-in; a reload that would lock
# everyone out (an unknown group) is refused, at start one is logged;
# test keys (socket, run_dir) warn when moved; one vmnetd per run_dir, and --down refuses while one
# runs.
. "$(dirname "$0")/../lib/world.sh"
world_enter "$@"
CTL=$BUILD/tests/tools/vmnetctl

world_add_user stu1 61001 students
world_add_user stu2 61002 pc7
ip link add adm-veth0 type veth peer name adm-veth1   # a link that is no bridge

check() { # check FILE: --check-config's stderr in $OUT, its exit code in $RC
        RC=0
        OUT=$("$VMNETD" --check-config "$1" 2>&1) || RC=$?
}
has() { grep -qxF -- "$1" <<< "$OUT" || fail "expected the line '$1' in: $OUT"; }

# --- every problem, each where it is, drop-ins included ---
C=$W/room.conf
mkdir "$C.d"
cat > "$C" <<'EOF'
# the room's shared file
bridge = adm-veth0
max_taps = 0
allow_groups = students studnets
dnsmasq = /nonexistent/dnsmasq
uplink_interface = eth9
foo = bar
EOF
printf 'lease_time = 10\n\naddress = 10.77.0.1\n' > "$C.d/50-pc.conf"
printf 'max_taps = 3\n' > "$C.d/README"              # not a .conf: not read
check "$C"
expect_eq "--check-config exit code with errors" 1 "$RC"
has "$C:3: max_taps: 0 is out of range (expected 1..100)"
has "$C:7: unknown key 'foo'"
has "$C.d/50-pc.conf:1: lease_time: 10 is out of range (expected 120..604800)"
has "$C.d/50-pc.conf:3: address: '10.77.0.1' is not an IPv4 address with a prefix length, like 10.77.0.1/24"
# the syntax refused, nothing was checked against the machine yet
grep -q studnets <<< "$OUT" && fail "groups checked in a file that does not parse: $OUT"
expect_eq "problems listed" 4 "$(wc -l <<< "$OUT")"

# the syntax fixed: now what the file names, in the same run
sed -i '/max_taps/d; /foo/d' "$C"
rm "$C.d/50-pc.conf"
check "$C"
expect_eq "--check-config exit code with meaning errors" 1 "$RC"
has "$C:2: bridge: 'adm-veth0' exists and is not a bridge (it is veth)"
has "$C:3: allow_groups: no group named 'studnets'"
has "$C:4: dnsmasq: /nonexistent/dnsmasq: No such file or directory (Debian: apt install dnsmasq-base)"
has "$C:5: warning: uplink_interface: no interface 'eth9' now; the lab's traffic leaves by it once it exists"
expect_eq "problems listed" 4 "$(wc -l <<< "$OUT")"

# only warnings: exit 0, and they are still printed
cat > "$C" <<'EOF'
uplink = external
bridge = br-later
allow_groups = students
socket = /run/elsewhere/vmnetd.sock
EOF
check "$C"
expect_eq "--check-config exit code with warnings only ($OUT)" 0 "$RC"
has "$C:2: warning: bridge: no bridge 'br-later' now; with uplink = external the admin makes it, and vmnetd cannot start until it exists"
has "$C:4: warning: socket: a key for tests only (see HACKING.md): vmnetd uses /run/elsewhere/vmnetd.sock, but pam_vmnet, vmnet and the bridge helper keep using /run/vmnet/vmnetd.sock (under systemd, vmnetd.socket decides)"
# a host network the lab's subnet would overlap: a warning
ip link add ovl0 type veth peer name ovl1
ip addr add 10.77.5.1/16 dev ovl0
world_config uplink=isolated > "$C"
check "$C"
expect_eq "--check-config exit code with an overlapping subnet" 0 "$RC"
has "$C: warning: address: the lab's 10.77.0.0/24 overlaps ovl0's 10.77.5.1/16: the host would send part of that network to the lab; choose another subnet"
ip link del ovl0
# a good file: silent
world_config uplink=isolated allow_groups=students > "$C"
check "$C"
expect_eq "--check-config of a good file ($OUT)" "0:" "$RC:$OUT"

# --- a room's file and a PC's drop-in; --print-config ---
world_config uplink=isolated allow_groups=students max_taps=2 address=10.77.0.1/24 > "$C"
printf '# PC 7: its own students and more taps\nallow_groups = pc7 students\nmax_taps = 3\n' > "$C.d/10-pc7.conf"
"$VMNETD" -c "$C" --print-config > "$W/print.out" 2> "$W/print.err" || fail "--print-config failed: $(cat "$W/print.err")"
grep -qx "max_taps = 3" "$W/print.out" || fail "--print-config does not show the drop-in's max_taps: $(cat "$W/print.out")"
grep -qx "allow_groups = pc7 students" "$W/print.out" || fail "--print-config: allow_groups: $(cat "$W/print.out")"
grep -qx "dhcp_range = 10.77.0.100,10.77.0.250" "$W/print.out" || fail "--print-config lacks the default range"
grep -qxF "#   $C.d/10-pc7.conf" "$W/print.out" || fail "--print-config does not name the drop-in it read"
# what it prints is a configuration that gives the same again
grep -v '^#' "$W/print.out" > "$W/printed.conf"
check "$W/printed.conf"
expect_eq "--check-config of --print-config's output ($OUT)" 0 "$RC"
"$VMNETD" -c "$W/printed.conf" --print-config | grep -v '^#' > "$W/print2.out"
cmp -s "$W/printed.conf" "$W/print2.out" || fail "--print-config of its own output differs: $(diff "$W/printed.conf" "$W/print2.out")"

# vmnetd runs with the drop-in: stu2 (in pc7 only) is admitted, max_taps 3
world_start_vmnetd "$C" 2> >(tee "$W/vmnetd.log" >&2)
"$CTL" hold stu2 60 > "$W/hold.stu2" & WORLD_PIDS+=("$!")
wait_until 5 test -s "$W/hold.stu2" || fail "no answer for stu2"
expect_eq "stu2, admitted by the drop-in's allow_groups" tap-stu2 "$(cat "$W/hold.stu2")"
runuser -u stu2 -- "$CTL" status | grep -q "max_taps 3" || fail "the drop-in's max_taps is not in effect"

# a second vmnetd on the same run_dir does not start
rc=0; timeout 10 "$VMNETD" -f -c "$C" 2> "$W/second.log" || rc=$?
expect_eq "a second vmnetd's exit code" 1 "$rc"
grep -q "another vmnetd is running on /run/vmnet" "$W/second.log" || fail "second vmnetd: $(cat "$W/second.log")"

# --- a reload that would lock everyone out is refused ---
echo "max_taps = 4" >> "$C.d/10-pc7.conf"  # a duplicate in that file: refused as well
sed -i 's/^allow_groups = pc7 students$/allow_groups = pc7 studnets/' "$C.d/10-pc7.conf"
kill -HUP "$VMNETD_PID"
wait_until 5 grep -q "reload refused" "$W/vmnetd.log" || fail "a bad reload was not refused"
grep -qF "$C.d/10-pc7.conf:4: duplicate key 'max_taps' (first set on line 3)" "$W/vmnetd.log" ||
        fail "the reload's log lacks the duplicate with its place"
sed -i '$d' "$C.d/10-pc7.conf"
marks=$(grep -c "reload refused" "$W/vmnetd.log")
kill -HUP "$VMNETD_PID"
wait_until 5 sh -c "[ \$(grep -c 'reload refused' '$W/vmnetd.log') -gt $marks ]" ||
        fail "a reload with an unknown group was not refused"
grep -qF "$C.d/10-pc7.conf:2: allow_groups: no group named 'studnets'" "$W/vmnetd.log" ||
        fail "the reload's log lacks the unknown group with its place"
runuser -u stu2 -- "$CTL" tap-add > /dev/null || fail "after a refused reload, stu2 is not admitted any more"
# fixed: taken
sed -i 's/studnets/students/; s/^max_taps = 3$/max_taps = 4/' "$C.d/10-pc7.conf"
kill -HUP "$VMNETD_PID"
wait_until 5 sh -c "runuser -u stu2 -- '$CTL' status | grep -q 'max_taps 4'" || fail "a good reload was not taken"

# --- --down refuses while vmnetd runs; --force insists ---
rc=0; "$VMNETD" -c "$C" --down 2> "$W/down.log" || rc=$?
expect_eq "--down's exit code while vmnetd runs" 1 "$rc"
grep -q "refused: a vmnetd is running on /run/vmnet" "$W/down.log" || fail "--down: $(cat "$W/down.log")"
{ [ -e /sys/class/net/tap-stu2 ] && [ -e /sys/class/net/vmnet0 ]; } || fail "a refused --down removed links"
rc=0; "$VMNETD" -c "$C" --force 2> /dev/null || rc=$?
expect_eq "--force without --down is a usage error" 2 "$rc"
"$VMNETD" -c "$C" --down --force 2> "$W/down.log" || fail "--down --force failed: $(cat "$W/down.log")"
[ ! -e /sys/class/net/vmnet0 ] || fail "--down --force left the bridge"
kill -TERM "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true

# --- at start, an unknown group is logged where it is, and vmnetd serves ---
rm -r "$C.d"
world_config uplink=isolated "allow_groups=students ghosts" > "$C"
: > "$W/vmnetd.log"
world_start_vmnetd "$C" 2> >(tee -a "$W/vmnetd.log" >&2)
wait_until 5 grep -qF "$C:4: allow_groups: no group named 'ghosts'" "$W/vmnetd.log" ||
        fail "the start's log lacks the unknown group with its place: $(cat "$W/vmnetd.log")"
"$CTL" hold stu1 60 > "$W/hold.stu1" & WORLD_PIDS+=("$!")
wait_until 5 test -s "$W/hold.stu1" || fail "no answer for stu1"
expect_eq "stu1, in students, with ghosts unknown" tap-stu1 "$(cat "$W/hold.stu1")"
kill -TERM "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true

# --- the test keys move vmnetd's own socket and run files ---
world_config uplink=isolated socket=/run/moved/vmnetd.sock run_dir=/run/moved-run > "$C"
rm -f /run/vmnet/vmnetd.sock /run/vmnet/vmnetd-root.sock # the stopped vmnetd's
world_start_vmnetd "$C" 2> "$W/moved.log"
{ [ -S /run/moved/vmnetd.sock ] && [ -S /run/moved/vmnetd-root.sock ]; } || fail "no sockets in /run/moved: $(ls -l /run/moved)"
[ -e /run/moved-run/state ] || fail "no state in run_dir /run/moved-run: $(ls -l /run/moved-run 2>&1)"
[ ! -e /run/vmnet/vmnetd.sock ] || fail "vmnetd also listens on the fixed path"
grep -qF "warning: socket: a key for tests only" "$W/moved.log" || fail "no warning for a moved socket: $(cat "$W/moved.log")"
"$CTL" -s /run/moved/vmnetd.sock hold stu1 60 > "$W/hold.moved" & WORLD_PIDS+=("$!")
wait_until 5 test -s "$W/hold.moved" || fail "no answer on the moved socket"
log "PASS"
