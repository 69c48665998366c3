#!/usr/bin/env bash
# libnss_vmnet through real glibc getent: NAME, NAME.DOMAIN and
# NAME.USER.DOMAIN forward, reverse, getaddrinfo; the rules for names (a
# bare vm1 is the caller's own VM or nothing, so that root's lookups stay
# with its files and DNS; vm1.lab is the first to claim vm1); expired,
# unknown and IPv6 lookups not found; a missing, empty, truncated or garbage
# snapshot is "not found" and the rest of the chain still answers.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
. "$ROOT/tests/lib/nss.sh"

[ -e "$BUILD/libnss_vmnet.so.2" ] || fail "build/libnss_vmnet.so.2 missing: run make"
world_add_user stu1 61001
world_add_user stu2 61002
world_add_user stu3 61003
# An IPv4 address like the lab bridge's: getent ahostsv4 asks AI_ADDRCONFIG,
# which skips IPv4 on a host with loopback only.
ip link add vmnet-d0 type veth peer name vmnet-d1
ip addr add 10.77.0.1/24 dev vmnet-d0
ip link set vmnet-d1 up
ip link set vmnet-d0 up

# (in claim order: stu1's vm1 came first)
nss_publish lab <<'END'
vm1 10.77.0.101 61001 stu1 +3600
vm1 10.77.0.102 61002 stu2 +7200
web 10.77.0.110 61001 stu1 0
db 10.77.0.9 - - 0
gone 10.77.0.50 61001 stu1 -10
END
[ "$(stat -c %a /run/vmnet/hosts)" = 644 ] || fail "snapshot mode is not 0644"

as() { local u=$1; shift; runuser -u "$u" -- env LD_LIBRARY_PATH="$LD_LIBRARY_PATH" "$@"; }

# A bare name: the caller's own VM, or nothing (root and stu3 have no vm1).
expect_getent "stu1 vm1" "10.77.0.101 vm1.stu1.lab vm1.lab" as stu1 getent hosts vm1
expect_getent "stu2 vm1" "10.77.0.102 vm1.stu2.lab vm1.lab" as stu2 getent hosts vm1
expect_not_found "stu3 vm1" as stu3 getent hosts vm1
expect_not_found "root vm1" getent hosts vm1
expect_not_found "db (nobody's own) by its bare name" getent hosts db
# NAME.DOMAIN: the first claim, whoever asks.
expect_getent "stu2 vm1.lab" "10.77.0.101 vm1.stu1.lab vm1.lab" as stu2 getent hosts vm1.lab
expect_getent "root vm1.lab" "10.77.0.101 vm1.stu1.lab vm1.lab" getent hosts vm1.lab
# Anyone's VM by its explicit name, any case, absolute or not.
expect_getent "stu1 vm1.stu2.lab" "10.77.0.102 vm1.stu2.lab vm1.lab" as stu1 getent hosts vm1.stu2.lab
expect_getent "stu2 VM1.STU1.LAB." "10.77.0.101 vm1.stu1.lab vm1.lab" as stu2 getent hosts VM1.STU1.LAB.
expect_getent "web" "10.77.0.110 web.stu1.lab web.lab" as stu1 getent hosts web
expect_getent "db (owner unknown)" "10.77.0.9 db.lab" getent hosts db.lab
# getaddrinfo (gethostbyname4_r)
expect_getent "ahostsv4 vm1" "10.77.0.101 STREAM vm1.stu1.lab
10.77.0.101 DGRAM 
10.77.0.101 RAW " as stu1 getent ahostsv4 vm1
expect_getent "ahosts vm1" "10.77.0.102 STREAM vm1.stu2.lab
10.77.0.102 DGRAM 
10.77.0.102 RAW " as stu2 getent ahosts vm1
expect_not_found "root ahosts vm1" getent ahosts vm1
# Reverse
expect_getent "reverse .101" "10.77.0.101 vm1.stu1.lab vm1.lab" getent hosts 10.77.0.101
expect_getent "reverse .9" "10.77.0.9 db.lab" as stu3 getent hosts 10.77.0.9

expect_not_found "expired" as stu1 getent hosts gone
expect_not_found "expired reverse" getent hosts 10.77.0.50
expect_not_found "unknown" getent hosts nosuch
expect_not_found "unknown user" getent hosts vm1.stu3.lab
expect_not_found "other domain" getent hosts vm1.example.org
expect_not_found "prefix" getent hosts vm
expect_not_found "empty label" getent hosts .lab
expect_not_found "no name" getent hosts 10.77.0.200
# Every buffer size through gethostbyname2_r/gethostbyaddr_r: ERANGE, then
# the right answer; IPv6 not found.  vmnet alone, so that the sizes are
# ours and not those of files, which asks for its own buffer first.
buffers=$(nss_build_tool nss-buffers)
cp "$W/etc/nsswitch.conf" "$W/nsswitch.conf.files-vmnet"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: vmnet\n' > "$W/etc/nsswitch.conf"
as stu1 "$buffers" vm1 10.77.0.101 || fail "nss-buffers vm1 (stu1)"
as stu2 "$buffers" vm1.lab 10.77.0.101 || fail "nss-buffers vm1.lab (stu2; the first claim, stu1's)"
"$buffers" db.lab 10.77.0.9 || fail "nss-buffers db.lab"
cat "$W/nsswitch.conf.files-vmnet" > "$W/etc/nsswitch.conf"
expect_not_found "IPv6 reverse" getent hosts fd00::101

# vmnet before files: a missing snapshot is NOTFOUND and files still answers.
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: vmnet files\n' > "$W/etc/nsswitch.conf"
cp /run/vmnet/hosts "$W/good-hosts"
expect_getent "vmnet first" "10.77.0.101 vm1.stu1.lab vm1.lab" as stu1 getent hosts vm1
for broken in missing empty truncated garbage; do
        case $broken in
        missing)   rm -f /run/vmnet/hosts ;;
        empty)     : > /run/vmnet/hosts ;;
        truncated) head -c 200 "$W/good-hosts" > /run/vmnet/hosts ;;
        garbage)   head -c 4096 /dev/urandom > /run/vmnet/hosts ;;
        esac
        expect_not_found "$broken snapshot" as stu1 getent hosts vm1
        expect_not_found "$broken snapshot, vm1.lab" getent hosts vm1.lab
        expect_not_found "$broken snapshot reverse" getent hosts 10.77.0.101
        expect_getent "$broken snapshot, files after vmnet" "127.0.0.1 localhost" getent hosts localhost
done
log "PASS"
