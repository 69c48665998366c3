#!/usr/bin/env bash
# The control socket is 0666; what each caller may do is decided from the
# kernel's word on the peer (SO_PEERCRED) alone.  Every message type the
# protocol knows (vmnetctl types: a type added later is walked too, and
# fails here until its row says who may send it) from every kind of caller,
# real processes of real users, against what requests.c promises:
#   root, the owner (stu1, who has a session and a tap), another student
#   (stu2), a user outside allow_groups (outsider), a uid with no passwd
#   entry, and vmnetd's own user (the names program's).
# The unit test tests/unit/test_lab.c walks the same matrix on a fake world.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"

CTL=$BUILD/tests/tools/vmnetctl
[ -x "$CTL" ] || fail "$CTL missing: run make"
world_add_user stu1 61001 students
world_add_user stu2 61002 students
world_add_user outsider 61009
NO_PASSWD=62000
world_config uplink=isolated allow_groups=students max_taps=4 > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf" 2> "$W/vmnetd.log"
world_spawn "$CTL" hold stu1 120
wait_until 5 test -e /sys/class/net/tap-stu1 || fail "no session of stu1"
tap=$(runuser -u stu1 -- "$CTL" tap-add) || fail "stu1 could not add a tap"
# a network namespace of stu1's (unshare -rn), its file open as fd 3 for
# every caller (root opens it: no other may reach stu1's /proc/PID/ns)
world_spawn runuser -u stu1 -- unshare -rn sleep 120
ns_holder() { pgrep -P "$SPAWNED" -x sleep || { [ "$(cat "/proc/$SPAWNED/comm")" = sleep ] && echo "$SPAWNED"; }; }
wait_until 5 ns_holder || fail "stu1's namespace holder did not start"
ns_pid=$(ns_holder)
WORLD_PIDS+=("$ns_pid")
exec 3< "/proc/$ns_pid/ns/net"

callers=(root owner other outsider no-passwd self)
# as CALLER CMD...: CMD run by that caller (setpriv: the kernel's uid, nothing else)
as() {
        local who=$1
        shift
        case $who in
        root)      "$@" ;;
        owner)     setpriv --reuid=61001 --regid=61001 --clear-groups -- "$@" ;;
        other)     setpriv --reuid=61002 --regid=61002 --clear-groups -- "$@" ;;
        outsider)  setpriv --reuid=61009 --regid=61009 --clear-groups -- "$@" ;;
        no-passwd) setpriv --reuid=$NO_PASSWD --regid=$NO_PASSWD --clear-groups -- "$@" ;;
        self)      setpriv --reuid="$VMNETD_UID" --regid="$VMNETD_UID" --clear-groups -- "$@" ;;
        esac
}

# What requests.c promises: a row per type, the argument its field gets, and
# the answer for each caller in the order of $callers (ok / refused / bad).
declare -A arg promise
arg[OPEN]=stu2;            promise[OPEN]="ok refused refused refused refused refused"
arg[CLOSE]=stu2;           promise[CLOSE]="ok refused refused refused refused refused"
arg[STATUS]=;              promise[STATUS]="ok ok ok ok refused refused"
# (root is no member of allow_groups here: the lab admits it no tap either)
arg[TAP_ADD]=;             promise[TAP_ADD]="refused ok ok refused refused refused"
arg[VM_TAP]=vmnet0;        promise[VM_TAP]="refused ok ok refused refused refused"
arg[TAP_DEL]=$tap;         promise[TAP_DEL]="refused ok refused refused refused refused"
arg[NETNS_ATTACH]=/proc/self/fd/3; promise[NETNS_ATTACH]="refused ok refused refused refused refused"
arg[LAB_HEALTH]=;          promise[LAB_HEALTH]="ok ok ok ok refused refused"
# exam mode off (as it is): root and teacher_groups, of which there is none here
arg[ISOLATION]=0;          promise[ISOLATION]="ok refused refused refused refused refused"
# a segment of the caller's own: made, then deleted by its owner (each
# student's seg5 is their own); the list anyone in the lab may see
arg[SEGMENT_ADD]=seg5;     promise[SEGMENT_ADD]="refused ok ok refused refused refused"
arg[SEGMENT_DEL]=seg5;     promise[SEGMENT_DEL]="refused ok ok refused refused refused"
arg[SEGMENT_LIST]=;        promise[SEGMENT_LIST]="ok ok ok ok refused refused"
# the whole lab: root and teacher_groups (none here); anyone's own part, followed
arg[LAB_VIEW]=all;         promise[LAB_VIEW]="ok refused refused refused refused refused"
arg[SUBSCRIBE]=mine;       promise[SUBSCRIBE]="ok ok ok ok refused refused"
# vmnetd's own announcement, never a request
arg[LAB_CHANGED]=;         promise[LAB_CHANGED]="bad bad bad bad bad bad"
# a copy of one's own port; root's (and teachers') of anyone's
arg[CAPTURE]="tap-stu1";   promise[CAPTURE]="ok ok refused refused refused refused"
arg[OWNER]=52:54:00:18:00:01; promise[OWNER]="refused refused refused refused refused ok"

cells=0
while read -r type; do
        [ -n "${promise[$type]+set}" ] || fail "message type $type has no row here: who may send it?"
        read -r -a want <<< "${promise[$type]}"
        for i in "${!callers[@]}"; do
                c=${callers[$i]}
                rc=0
                out=$(as "$c" "$CTL" ask "$type" "${arg[$type]}" 2>&1) || rc=$?
                case $rc in
                0)  got=ok ;;
                11) got=refused ;;  # 10 + VMNET_ERR_REFUSED
                13) got=bad ;;      # 10 + VMNET_ERR_BAD_REQUEST
                *)  fail "$type from $c: exit $rc, '$out'" ;;
                esac
                expect_eq "$type '${arg[$type]}' from $c" "${want[$i]}" "$got"
                cells=$((cells + 1))
        done
done < <("$CTL" types)
(( cells >= 17 * ${#callers[@]} )) || fail "only $cells cells walked"
# the refusals refused: the owner's tap went once (its owner's TAP_DEL),
# nobody else made anything
[ ! -e "/sys/class/net/$tap" ] || fail "$tap survived its owner's TAP_DEL"
expect_eq "links in stu1's namespace" "eth0 lo" \
        "$(nsenter -t "$ns_pid" -n ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | xargs)"
for who in outsider vmnet; do
        ! ip -o link show | grep -q "tap-$who" || fail "a link was made for $who"
done
log "PASS: $cells cells"
