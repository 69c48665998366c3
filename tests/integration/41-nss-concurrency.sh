#!/usr/bin/env bash
# libnss_vmnet under load: 8 threads resolve through glibc while the
# snapshot is republished 1000 times (tests/tools/nss-threads.c): no wrong
# answer, no failed forward lookup, no crash, no fd or mapping left over.
# A running process follows a replaced snapshot (nss-watch).
# Then getent under valgrind: no leak and no invalid access in a lookup.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
. "$ROOT/tests/lib/nss.sh"

[ -e "$BUILD/libnss_vmnet.so.2" ] || fail "build/libnss_vmnet.so.2 missing: run make"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: vmnet\n' > "$W/etc/nsswitch.conf"

threads=$(nss_build_tool nss-threads)
"$threads" 1000 || fail "nss-threads"

# A long-running process follows a new snapshot: at once when vmnetd's
# writer replaces it (it flags the old file), and through the once-a-second
# stat() when something else renames a file over it without the flag.
watch=$(nss_build_tool nss-watch)
follow() { # follow HOW: vm-w moves from .101 to .102
        rm -f "$W/ready"
        printf 'vm-w 10.77.0.101 - - 0\n' | nss_publish lab
        world_spawn "$watch" vm-w.lab 10.77.0.101 10.77.0.102 "$W/ready"
        local pid=$SPAWNED
        wait_until 10 test -e "$W/ready" || fail "nss-watch did not start ($1)"
        if [ "$1" = writer ]; then
                printf 'vm-w 10.77.0.102 - - 0\n' | nss_publish lab
        else
                printf 'vm-w 10.77.0.102 - - 0\n' | "$NSS_WRITER" "$W/hosts.new" lab
                mv "$W/hosts.new" /run/vmnet/hosts.tmp && mv /run/vmnet/hosts.tmp /run/vmnet/hosts
        fi
        wait "$pid" || fail "a running process did not follow the snapshot replaced by $1"
}
follow writer
follow rename

if command -v valgrind >/dev/null; then
        printf 'vm1 10.77.0.101 61001 stu1 0\n' | nss_publish lab
        for key in vm1.lab vm1.stu1.lab vm1 nosuch 10.77.0.101; do
                valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
                        getent hosts "$key" > "$W/valgrind.out" 2>&1 || {
                        rc=$?
                        # 2 is getent's "not found"; 99 is valgrind's
                        # (root has no VMs: vm1 alone is not found for it)
                        if [ "$rc" -ne 2 ] || { [ "$key" != nosuch ] && [ "$key" != vm1 ]; }; then
                                cat "$W/valgrind.out" >&2
                                fail "valgrind getent hosts $key (exit $rc)"
                        fi
                }
        done
else
        log "valgrind not installed: leak check skipped"
fi
log "PASS"
