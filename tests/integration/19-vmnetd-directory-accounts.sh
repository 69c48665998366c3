#!/usr/bin/env bash
# Accounts as a directory (LDAP, AD through sssd) gives them: allow_groups
# names a group of 10,000 members; a user is admitted through the group
# being their primary one or one of their own groups, never by the group's
# member list; uids far above 65535; names like alice@ad.example.edu, in
# capitals, longer than 32 bytes, with a space.  Each gets a working login
# link (a frame from its "guest" reaches the host and is answered), a kept
# tap, and a DNS label for NAME.USER.DOMAIN that `vmnet status` shows and
# the NSS module answers; a kill -9 and a restart adopt them all (the state
# file's escaping), and --down leaves nothing.
. "$(dirname "$0")/../lib/world.sh"
world_enter "$@"
CTL=$BUILD/tests/tools/vmnetctl
VMNET=$BUILD/vmnet

STUDENTS=(stu-big bigid alice@ad.example.edu ALICE a-very-long-directory-account-name@ad.example.edu
          "alice smith" prim)
declare -A UID_OF=(
        [stu-big]=70001 [bigid]=1234567890 [alice@ad.example.edu]=1234567891 [ALICE]=1234567892
        [a-very-long-directory-account-name@ad.example.edu]=1234567893 ["alice smith"]=1234567894
        [prim]=1234567895 [outsider]=70009
)
# the label each stands for in NAME.USER.DOMAIN (a regex; HASH: 10 hex digits)
declare -A LABEL_OF=(
        [stu-big]=stu-big [bigid]=bigid [alice@ad.example.edu]=alice-ad-example-edu--HASH [ALICE]=alice
        [a-very-long-directory-account-name@ad.example.edu]=a-very-long-director--HASH
        ["alice smith"]=alice-smith--HASH [prim]=prim
)

for u in "${STUDENTS[@]}" outsider; do
        [ "$u" = prim ] || world_add_user "$u" "${UID_OF[$u]}"
done
# students: 10,000 members (a directory's big group, far beyond any 8 KiB
# buffer), plus ours but prim, whose primary group it is instead
gid=65100
python3 - "$gid" "${STUDENTS[@]}" <<'EOF'
import sys
gid, ours = sys.argv[1], [u for u in sys.argv[2:] if u != "prim"]
members = ",".join([f"member{i:05d}" for i in range(10000)] + ours)
with open("/etc/group", "a") as f:   # the world's copy, bind-mounted: appended in place
    f.write(f"students:x:{gid}:{members}\n")
EOF
mkdir -p "$W/home/prim"
echo "prim:x:${UID_OF[prim]}:$gid::$W/home/prim:/bin/sh" >> /etc/passwd
expect_eq "members of students" 10006 "$(getent group students | cut -d: -f4 | tr ',' '\n' | wc -l)"

# guard = off: the port guard would rightly drop the frames of a guest
# whose address dnsmasq never leased; this test is about accounts
world_config uplink=isolated allow_groups=students guard=off > "$W/vmnet.conf"
: > "$W/vmnetd.log"
world_start_vmnetd "$W/vmnet.conf" 2> >(tee -a "$W/vmnetd.log" >&2)
if grep -q "no group named\|cannot look up group" "$W/vmnetd.log"; then
        fail "vmnetd did not find students: $(grep group "$W/vmnetd.log")"
fi

tap_of() { cat "$W/hold.$1"; }
i=0
for u in "${STUDENTS[@]}"; do
        i=$((i + 1))
        "$CTL" hold "$u" 300 > "$W/hold.$i" &
        WORLD_PIDS+=("$!")
        wait_until 5 test -s "$W/hold.$i" || fail "no answer to OPEN for '$u'"
        tap=$(tap_of "$i")
        case $u in
        stu-big | bigid | ALICE | prim) expect_eq "login link of '$u'" "tap-$u" "$tap" ;;
        *) [[ $tap =~ ^t~[0-9a-f]{10}$ ]] || fail "login link of '$u' is '$tap', not the hashed form" ;;
        esac
        [ -e "/sys/class/net/$tap" ] || fail "'$u' was admitted but has no $tap: $(tail -n 3 "$W/vmnetd.log")"
        wait_until 5 login_link_is_forwarding "$tap" || fail "the login link $tap of '$u' does not forward"
        # a guest behind it, as VirtualBox sends one: the host answers it
        mac=52:54:00:aa:00:0$i
        python3 "$ROOT/tests/lib/wire_standin.py" "$tap" "$mac" "10.77.0.2$i" arp 10.77.0.1 > "$W/wire.$i" ||
                fail "the guest of '$u' on $tap gets no answer: $(cat "$W/wire.$i")"
        kept=$(runuser -u "$u" -- "$CTL" tap-add) || fail "'$u' gets no kept tap: $kept"
        expect_eq "kept tap of '$u'" "$tap+1" "$kept"
        # a lease for that guest, as dnsmasq would tell the names program of it
        world_names_add "$mac" "10.77.0.2$i" "vm$i" || fail "the names program did not take vm$i of '$u'"
done

# the users' labels: what vmnet status shows, and the NSS module answers
i=0
for u in "${STUDENTS[@]}"; do
        i=$((i + 1))
        hash='[0-9a-f]{10}'
        re="^vm$i\.${LABEL_OF[$u]//HASH/$hash}\.lab\$"
        wait_until 5 sh -c "runuser -u '$u' -- '$VMNET' status --json | grep -q '\"name\": \"vm$i\"'" ||
                fail "vmnet status of '$u' does not list vm$i: $(runuser -u "$u" -- "$VMNET" status)"
        fqdn=$(runuser -u "$u" -- "$VMNET" status --json |
               python3 -c 'import json, sys; print(json.load(sys.stdin)["vms"][0]["fqdn"])')
        grep -Eq "$re" <<< "$fqdn" || fail "the name of '$u''s vm$i is '$fqdn', not /$re/"
        # (an NSS module built with ASan cannot load into getent: make check-sanitize's)
        if ! nm -D "$BUILD/libnss_vmnet.so.2" | grep -q __asan; then
                expect_eq "getent hosts $fqdn" "10.77.0.2$i" "$(getent hosts "$fqdn" | awk '{ print $1 }')"
        fi
        label=${fqdn#"vm$i."}; label=${label%.lab}
        text=$(runuser -u "$u" -- "$VMNET" status)
        if [ "$label" != "$u" ]; then
                grep -qF "NAME.$label.lab (the DNS form of your user name)" <<< "$text" ||
                        fail "vmnet status of '$u' does not say its label $label: $text"
        fi
done

# outside allow_groups: refused, the reason told to root only
rc=0; out=$("$CTL" open outsider) || rc=$?
expect_eq "OPEN for outsider" "17:user not in allow_groups" "$rc:$out"
rc=0; runuser -u outsider -- "$CTL" tap-add > /dev/null || rc=$?
expect_eq "tap-add by outsider (refused, the one answer)" $((10 + 1)) "$rc"

# kill -9 and a restart: every student adopted, from the escaped state file
grep -q "^student alice%20smith ${UID_OF["alice smith"]} " /run/vmnet/state || fail "state: $(cat /run/vmnet/state)"
kill -KILL "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true
world_start_vmnetd "$W/vmnet.conf" 2> >(tee -a "$W/vmnetd.log" >&2)
i=0
for u in "${STUDENTS[@]}"; do
        i=$((i + 1))
        tap=$(tap_of "$i")
        wait_until 5 login_link_is_forwarding "$tap" || fail "after the restart, $tap of '$u' does not forward"
        runuser -u "$u" -- "$CTL" status | grep -qx "tap $tap login.*" ||
                fail "after the restart, vmnetd does not list $tap for '$u': $(runuser -u "$u" -- "$CTL" status)"
done
grep -q "is gone or no longer\|has no live session" "$W/vmnetd.log" && fail "the restart lost someone: $(cat "$W/vmnetd.log")"

kill -TERM "$VMNETD_PID"
wait "$VMNETD_PID" 2>/dev/null || true
"$VMNETD" -c "$W/vmnet.conf" --down 2>> "$W/vmnetd.log" || fail "--down failed"
left=$(ip -o link show | awk -F': ' '$2 != "lo" { print $2 }' | paste -sd' ')
expect_eq "links left after --down" "" "$left"
log "PASS"
