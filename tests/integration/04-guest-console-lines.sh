#!/usr/bin/env bash
# test-timeout: 60
# tests/lib/guest.sh's guest_wait_line reads a console QEMU is still
# writing: it matches only whole lines.  A stand-in guest (a sleep in place
# of QEMU) whose console holds half of its READY line gets no match (the
# other tests then read "ip=10.77.0." as the guest's address); once the
# rest (with the console's \r) is written, the whole line comes back
# without \r; a guest that exits ends the wait at once, not at its time.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
. "$ROOT/tests/lib/guest.sh"

d=$(guest_dir vm1)
mkdir -p "$d"
console=$(guest_log vm1)
sleep 60 &
STANDIN=$!
WORLD_PIDS+=("$STANDIN")
echo "$STANDIN" > "$d/runuser.pid"

printf 'booting\r\nVMNET-GUEST-READY name=vm1 ip=10.77.0.' > "$console"
if line=$(guest_wait_line vm1 '^VMNET-GUEST-READY ' 1 2>"$W/half.err"); then
        fail "matched a line QEMU had not finished: '$line'"
fi
grep -q "no line matching" "$W/half.err" || fail "the wait did not end on its time: $(cat "$W/half.err")"

printf '205 \r\nbooted\r\n' >> "$console"
line=$(guest_wait_line vm1 '^VMNET-GUEST-READY ' 5) || fail "no match on the whole line"
expect_eq "the whole line" "VMNET-GUEST-READY name=vm1 ip=10.77.0.205 " "$line"

kill -TERM "$STANDIN"
wait "$STANDIN" 2>/dev/null || true
start=$(date +%s)
if guest_wait_line vm1 '^NEVER' 30 2>"$W/exit.err"; then fail "matched a line that is not there"; fi
grep -q "guest vm1 exited" "$W/exit.err" || fail "the wait did not see the guest exit: $(cat "$W/exit.err")"
[ $(( $(date +%s) - start )) -lt 10 ] || fail "the wait went on after the guest exited"
echo ok
