#!/usr/bin/env bash
# test-timeout: 120
# tests/system/run's console watch (tests/lib/console_watch.sh), without
# booting Debian: a stand-in "QEMU" under timeout(1), as the real one runs,
# prints a kernel panic on its console and then hangs.  The watch ends it
# within a bounded time (the real poll and grace times), the first console
# is kept as system-console-panicked.log, the VM boots once more, and a
# second panic is left for the caller to fail on; a boot that panics once
# only passes, and one that never panics boots once.
set -euo pipefail
# ROOT, BUILD, log, fail; a private mount namespace (nothing else is needed:
# the stand-ins only write below $CHROOT_TMP)
# shellcheck source=tests/lib/chroot.sh
. "$(dirname "$0")/../lib/chroot.sh"
chroot_enter "$@"
# shellcheck source=tests/lib/console_watch.sh
. "$ROOT/tests/lib/console_watch.sh"

T=$CHROOT_TMP
console=$T/system-console.log
# The stand-in: one boot a line in $T/boots, its pid in $T/pid.N; with
# PANICS=N the first N boots panic and hang, later ones end well.
cat > "$T/qemu-standin" <<'EOF'
#!/bin/sh
console=$1
echo boot >> "$T/boots"
n=$(wc -l < "$T/boots")
echo $$ > "$T/pid.$n"
echo "[    0.0] booting, try $n" >> "$console"
if [ "$n" -le "$PANICS" ]; then
        echo "[    6.1] Kernel panic - not syncing: Attempted to kill init! (try $n)" >> "$console"
        exec sleep 600
fi
echo "[    9.0] reboot: Power down" >> "$console"
EOF
chmod +x "$T/qemu-standin"
export T

boot_standin() {
        : > "$console"
        watch_console "$console" "$T/qemu.log" timeout --kill-after=5 30 "$T/qemu-standin" "$console"
}

# run_boots PANICS: boot_again_after_panic with the stand-in; sets rc,
# boots, secs
run_boots() {
        rm -f "$T/boots" "$T/pid."* "${console%.log}-panicked.log"
        local t0=$SECONDS
        rc=0
        PANICS=$1 boot_again_after_panic "$console" boot_standin 2> "$T/said" || rc=$?
        secs=$(( SECONDS - t0 ))
        boots=$(wc -l < "$T/boots")
        local pid
        for pid in "$T/pid."*; do
                ! kill -0 "$(cat "$pid")" 2>/dev/null || fail "the stand-in QEMU ${pid##*.} still runs"
        done
}

# Panics twice: ended twice at once, booted twice only, the caller fails.
export PANICS
run_boots 2
expect_eq "boots after two panics" 2 "$boots"
[ "$secs" -le 20 ] || fail "two panicked boots took $secs s (each should end ~5 s after its panic)"
[ "$rc" != 0 ] || fail "a boot ended for its panic exited 0"
console_panicked "$console" || fail "the second boot's panic is not on the console"
grep -q "try 1" "${console%.log}-panicked.log" || fail "the first console was not kept"
grep -q "try 2" "$console" || fail "the console is not the second boot's"
grep -q "the VM's kernel panicked (\[    6.1\] Kernel panic - not syncing: Attempted to kill init! (try 1)); booting it once more" \
        "$T/said" || fail "the panic was not told: $(cat "$T/said")"
log "two panics: $boots boots, $secs s, exit $rc; the caller fails"

# Panics once: the second boot passes.
run_boots 1
expect_eq "boots after one panic" 2 "$boots"
expect_eq "exit after one panic" 0 "$rc"
! console_panicked "$console" || fail "a good second boot reads as panicked"
grep -q "try 1" "${console%.log}-panicked.log" || fail "the first console was not kept"
log "one panic: $boots boots, $secs s, exit 0"

# Never panics: one boot, no panicked console.
run_boots 0
expect_eq "boots without a panic" 1 "$boots"
expect_eq "exit without a panic" 0 "$rc"
[ ! -e "${console%.log}-panicked.log" ] || fail "a panicked console kept without a panic"
log "no panic: 1 boot, $secs s"
log PASS
