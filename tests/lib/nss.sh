# shellcheck shell=bash
# Helpers for the libnss_vmnet tests; source after world.sh.
#
#   nss_build_tool write-hosts-snapshot     # -> path on stdout
#   nss_publish DOMAIN <<< "NAME IPV4 UID USER EXPIRY"   # /run/vmnet/hosts
#   "$NSS_WRITER" PATH DOMAIN < LINES                     # anywhere
#   nss_seed_leases N        # N leases and their names before vmnetd starts
#
# Tools come from $BUILD/tests/tools/ when the Makefile built them, else they are
# compiled here from tests/tools/NAME.c against the common sources.

# nss_build_tool NAME [CFLAGS...]: prints the path of the built tool.
nss_build_tool() {
        local name=$1; shift
        if [ -x "$BUILD/tests/tools/$name" ] && [ "$BUILD/tests/tools/$name" -nt "$ROOT/tests/tools/$name.c" ]; then
                echo "$BUILD/tests/tools/$name"
                return
        fi
        mkdir -p "$W/tools"
        cc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -I"$ROOT/common" -I"$ROOT/nss_vmnet" \
                "$ROOT/tests/tools/$name.c" "$ROOT"/common/hosts_snapshot.c "$ROOT"/common/hosts_snapshot_write.c \
                "$ROOT"/common/files.c "$ROOT"/common/dns_name.c "$ROOT"/common/name_hash.c \
                "$@" -o "$W/tools/$name" -lpthread
        echo "$W/tools/$name"
}

# The snapshot writer, built once here (not inside a pipeline's subshell).
NSS_WRITER=$(nss_build_tool write-hosts-snapshot)

# nss_publish DOMAIN [GENERATION]: entries on stdin, written like vmnetd does.
nss_publish() {
        "$NSS_WRITER" /run/vmnet/hosts "$@"
}

# expect_hosts WHAT EXPECTED [runuser -u USER --] getent hosts KEY:
# compares getent's output, spaces squeezed.
expect_getent() {
        local what=$1 want=$2 got rc=0
        shift 2
        got=$("$@" 2>&1) || rc=$?
        got=$(printf '%s' "$got" | tr -s ' ')
        [ "$rc" -eq 0 ] || fail "$what: exit $rc ($got), expected '$want'"
        expect_eq "$what" "$want" "$got"
}

# expect_not_found WHAT getent ...: exit 2 (not found), not a crash.
expect_not_found() {
        local what=$1 rc=0 out
        shift
        out=$("$@" 2>&1) || rc=$?
        [ "$rc" -eq 2 ] || fail "$what: expected not found (exit 2), got exit $rc: $out"
}

# nss_seed_leases N: N leases dnsmasq and the names program knew before vmnetd
# started (dnsmasq's lease file, the snapshot), 10.77.1.0 on; the MAC is
# what write-hosts-snapshot derives from the address.
nss_seed_leases() {
        local n=$1 expiry=$(( $(date +%s) + 86400 ))
        install -d -o "$VMNETD_USER" -g "$VMNETD_USER" /run/vmnet
        awk -v n="$n" -v e="$expiry" 'BEGIN { for (i = 0; i < n; i++) {
                a = 1 + int(i / 250); b = 1 + i % 250
                printf "%d 52:54:0a:4d:%02x:%02x 10.77.%d.%d * 01:52:54:0a:4d:%02x:%02x\n", e, a, b, a, b, a, b } }' \
                > /run/vmnet/dnsmasq.leases
        awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) {
                a = 1 + int(i / 250); b = 1 + i % 250
                printf "seeded%d 10.77.%d.%d 61001 stu1 +86400\n", i, a, b } }' | nss_publish lab
        chown -R "$VMNETD_USER:$VMNETD_USER" /run/vmnet
}
