#!/usr/bin/env bash
# libnss_vmnet under load: 8 threads resolve through glibc while the
# snapshot is republished 1000 times (tests/tools/nss-threads.c): no wrong
# answer, no failed forward lookup, no crash, no fd or mapping left over.
# Then getent under valgrind: no leak and no invalid access in a lookup.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
. "$ROOT/tests/lib/nss.sh"

[ -e "$BUILD/libnss_vmnet.so.2" ] || fail "build/libnss_vmnet.so.2 missing: run make"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: vmnet\n' > "$W/etc/nsswitch.conf"

threads=$(nss_build_tool nss-threads)
"$threads" 1000 || fail "nss-threads"

if command -v valgrind >/dev/null; then
        printf 'vm1 10.77.0.101 61001 stu1 0\n' | nss_publish lab
        for key in vm1 vm1.stu1.lab nosuch 10.77.0.101; do
                valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
                        getent hosts "$key" > "$W/valgrind.out" 2>&1 || {
                        rc=$?
                        # 2 is getent's "not found"; 99 is valgrind's
                        if [ "$rc" -ne 2 ] || [ "$key" != nosuch ]; then
                                cat "$W/valgrind.out" >&2
                                fail "valgrind getent hosts $key (exit $rc)"
                        fi
                }
        done
else
        log "valgrind not installed: leak check skipped"
fi
log "PASS"
