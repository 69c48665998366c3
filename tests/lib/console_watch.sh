# shellcheck shell=bash
# A VM's serial console, watched for a kernel panic (tests/system/run).  A
# guest kernel that panics leaves QEMU running until its timeout (25 min,
# seen under TCG: an int3 oops in the kernel's own text patching at 6 s,
# before any of ours ran), so QEMU is ended at once then, and the VM
# boots once more; a second panic is the test's failure.
#
#   boot() { : > "$console"; watch_console "$console" "$out" timeout 1500 qemu-system-x86_64 ...; }
#   boot_again_after_panic "$console" boot || rc=$?
#   if console_panicked "$console"; then fail "the kernel panicked twice"; fi
#
# Needs log (tests/lib/world.sh).  CONSOLE_POLL (2 s) and CONSOLE_GRACE
# (3 s: the panic's last lines) are how often the console is read and how
# long QEMU may go on after the panic line.

CONSOLE_PANIC='Kernel panic - not syncing'

# console_panicked CONSOLE: whether the kernel on CONSOLE panicked.
console_panicked() { grep -q "$CONSOLE_PANIC" "$1"; }

# watch_console CONSOLE OUTPUT CMD...: runs CMD (its stdout and stderr to
# OUTPUT) and waits for it; ends it (TERM) once CONSOLE shows a panic.
# CMD's exit status.  CMD is signalled itself: make it timeout(1), which
# passes the TERM on to QEMU.
watch_console() {
        local console=$1 output=$2 pid rc=0
        shift 2
        "$@" > "$output" 2>&1 &
        pid=$!
        # bounded by CMD's own timeout: the loop ends when CMD does
        while kill -0 "$pid" 2>/dev/null; do
                if console_panicked "$console"; then
                        sleep "${CONSOLE_GRACE:-3}"
                        kill -TERM "$pid" 2>/dev/null || true
                        break
                fi
                sleep "${CONSOLE_POLL:-2}"
        done
        wait "$pid" || rc=$?
        return "$rc"
}

# boot_again_after_panic CONSOLE BOOT...: runs BOOT (which empties CONSOLE
# and boots through watch_console), and once more if the kernel panicked,
# the first console kept as CONSOLE-panicked.log (CONSOLE ending in .log).
# The last BOOT's exit status; whether it panicked too, console_panicked.
boot_again_after_panic() {
        local console=$1 rc=0
        shift
        "$@" || rc=$?
        console_panicked "$console" || return "$rc"
        tail -n 30 "$console" | sed 's/^/  first boot: /' >&2
        log "the VM's kernel panicked ($(grep -m 1 -E '^\[ *[0-9.]+\] (Oops|Kernel panic|kernel BUG)' "$console" |
                tr -d '\r')); booting it once more"
        cp "$console" "${console%.log}-panicked.log"
        rc=0
        "$@" || rc=$?
        return "$rc"
}
