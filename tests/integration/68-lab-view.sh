#!/usr/bin/env bash
# The teacher's view of a lab with two students and three real guests,
# one of which sends no host name:
# - vmnet status --all (text and JSON) as root and as a member of
#   teacher_groups lists every student with their links, and every VM with
#   its owner, the link it sits behind and its address; students are
#   refused, all with the one text;
# - a student's own status lists their nameless VM (by MAC, with its
#   address), and none of the other student's;
# - run_dir/lab.html is 0640, readable by teachers (its ACL), unreadable to
#   students;
#   vmnet status --all --html prints the same page; it refers to nothing
#   outside itself; headless Chromium, run by the teacher with its sandbox
#   and no network, renders it, and its DOM holds each student and VM (a
#   screenshot is kept in build/test-logs/); it changes when a VM comes and
#   when it goes;
# - vmnet top, in a terminal, shows a VM that comes without being asked,
#   fetches nothing while the lab is quiet (no polling), and quits on q;
#   status --all --watch ends on a Ctrl-C typed on its terminal.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
# shellcheck source=../lib/teacher_lab.sh
. "$ROOT/tests/lib/teacher_lab.sh"

VMNET=$BUILD/vmnet
CTL=$BUILD/tests/tools/vmnetctl
[ -x "$VMNET" ] || fail "build/vmnet is not built"
command -v python3 > /dev/null || skip "python3 is missing"
command -v chromium > /dev/null || skip "chromium is missing: run tools/install-deps --tests"
teacher_lab_start -d
PAGE=/run/vmnet/lab.html
SHOTS=$ROOT/build/test-logs
mkdir -p "$SHOTS"


# stu1 is logged in (a login link); both students boot QEMU guests.
world_spawn "$CTL" hold stu1 600 > "$W/hold.stu1"
wait_until 5 test -s "$W/hold.stu1" || fail "no answer to OPEN for stu1"
mac1=52:55:00:65:00:01 mac2=52:55:00:65:00:02 mac3=52:55:00:65:00:03
guest_start vm1 stu1 "$mac1" "$NETDEV"
guest_start anon stu1 "$mac2" "$NETDEV" vmnohostname
ip1=$(guest_wait_ready vm1 120)
ip2=$(guest_wait_ready anon 120)
log "vm1 $ip1 and a nameless guest $ip2 (stu1) up in $(guest_boot_seconds vm1) / $(guest_boot_seconds anon) s"

# vms_of FILE: "MAC NAME OWNER ADDRESS LINK-KIND" per VM of a status --all --json, sorted.
vms_of() {
        python3 - "$1" <<'EOF'
import json, sys
lab = json.load(open(sys.argv[1]))
kinds = {l["name"]: l["kind"] for s in lab["students"] for l in s["links"]}
for v in sorted(lab["vms"], key=lambda v: v["mac"]):
    print(v["mac"], v["name"] or "-", v["owner"] or "-", v["address"] or "-", kinds.get(v["link"], "-"))
EOF
}
lab_has() { # lab_has WANT: status --all --json as root lists exactly WANT
        "$VMNET" status --all --json > "$W/all.json" 2> /dev/null && [ "$(vms_of "$W/all.json")" = "$1" ]
}
page_has_macs() { # page_has_macs MAC...: each MAC has a table row in the page
        local m
        for m in "$@"; do grep -q "<tr class=\"vm\" data-mac=\"$m\">" "$PAGE" 2>/dev/null || return 1; done
}
# render NAME: Chromium's DOM of the page in $W/NAME.dom, a screenshot in
# build/test-logs.  The teacher opens it, as teach1 would: Chromium runs as
# teach1 (who may read the page), with its own sandbox (unprivileged user
# namespaces), in the test's network namespace (nothing to fetch from).
render() {
        local profile shot=$TOPDIR/$1.png
        profile=$(runuser -u teach1 -- mktemp -d "$TOPDIR/chromium.XXXXXX")
        local flags=(--headless --disable-gpu --disable-quic --no-first-run
                     --disable-background-networking --disable-component-update --disable-sync
                     --user-data-dir="$profile")
        # (without the world's LD_LIBRARY_PATH: a sanitized libnss_vmnet would not load into it)
        local chromium=(runuser -u teach1 -- env -u LD_LIBRARY_PATH HOME="$profile" timeout 60 chromium "${flags[@]}")
        "${chromium[@]}" --dump-dom "file://$PAGE" > "$W/$1.dom" 2> "$W/$1.chromium.log" ||
                fail "chromium --dump-dom failed: $(tail -n 5 "$W/$1.chromium.log")"
        "${chromium[@]}" --window-size=1280,900 --screenshot="$shot" "file://$PAGE" >> "$W/$1.chromium.log" 2>&1 ||
                fail "chromium --screenshot failed: $(tail -n 5 "$W/$1.chromium.log")"
        [ -s "$shot" ] || fail "chromium wrote no screenshot"
        cp "$shot" "$SHOTS/68-lab-view-$1.png"
        ! grep -qi "no usable sandbox\|--no-sandbox" "$W/$1.chromium.log" ||
                fail "chromium ran without its sandbox: $(grep -i sandbox "$W/$1.chromium.log")"
}

want2="$mac1 vm1 stu1 $ip1 vm
$mac2 - stu1 $ip2 vm"
wait_until 10 lab_has "$want2" || fail "status --all lists, not '$want2': $(vms_of "$W/all.json")"

# --- the page, before stu2's guest comes -------------------------------------
wait_until 5 page_has_macs "$mac1" "$mac2" || fail "$PAGE does not show both VMs: $(head -c 2000 "$PAGE" 2>&1)"
# (vmnetd, the user vmnet, is no member of teachers: the page's ACL names them)
expect_eq "mode, owner of $PAGE" "640 $VMNETD_USER" "$(stat -c '%a %U' "$PAGE")"
expect_eq "groups the ACL of $PAGE names" "teachers:4" "$(python3 - "$PAGE" <<'EOF'
import grp, os, struct, sys
acl = os.getxattr(sys.argv[1], "system.posix_acl_access")
for tag, perm, gid in struct.iter_unpack("<HHI", acl[4:]):
    if tag == 0x08:  # ACL_GROUP
        print(f"{grp.getgrgid(gid).gr_name}:{perm}")
EOF
)"
as stu1 cat "$PAGE"
[ "$RC" -ne 0 ] || fail "stu1 can read $PAGE"
as teach1 cat "$PAGE"
expect_eq "teach1 reads $PAGE" 0 "$RC"
grep -q "$mac3" "$PAGE" && fail "the page shows $mac3 before its guest started"

# --- vmnet top, in a terminal, before the third guest -------------------------
# pty-run (tests/lib) drives it as a person would: it records the screen,
# and types what the file top.quit holds (q if it is empty) when it appears.
TOPDIR=$W/home/teach1
world_spawn runuser -u teach1 -- python3 "$ROOT/tests/lib/pty-run.py" "$TOPDIR/top.screen" "$TOPDIR/top.quit" "$VMNET" top
TOP_PID=$SPAWNED
wait_until 10 grep -q "$mac2" "$TOPDIR/top.screen" || fail "vmnet top does not show $mac2: $(tail -c 2000 "$TOPDIR/top.screen")"
fetches() { grep -c "LAB_VIEW from teach1" "$W/vmnetd.log" || true; }

# --- stu2's guest comes: the page and top change ------------------------------
guest_start srv stu2 "$mac3" "$NETDEV"
ip3=$(guest_wait_ready srv 120)
want3="$want2
$mac3 srv stu2 $ip3 vm"
wait_until 10 lab_has "$want3" || fail "status --all lists, not '$want3': $(vms_of "$W/all.json")"
wait_until 5 page_has_macs "$mac1" "$mac2" "$mac3" || fail "$PAGE did not gain $mac3"
wait_until 10 grep -q "$mac3" "$TOPDIR/top.screen" || fail "vmnet top did not show $mac3 by itself: $(tail -c 2000 "$TOPDIR/top.screen")"

# Quiet lab: top asks vmnetd nothing (it waits for vmnetd's word).
sleep 1
before=$(fetches)
sleep 4
expect_eq "LAB_VIEW requests of vmnet top in 4 quiet seconds" "$before" "$(fetches)"
touch "$TOPDIR/top.quit"
wait_until 5 bash -c "! kill -0 $TOP_PID 2>/dev/null" || fail "vmnet top did not quit on q"
wait "$TOP_PID" || fail "vmnet top exited with $? on q"

# status --all --watch is the same watcher; Ctrl-C, typed on its terminal
# (the tty's SIGINT, not a kill), ends it cleanly too.
world_spawn runuser -u teach1 -- python3 "$ROOT/tests/lib/pty-run.py" "$TOPDIR/watch.screen" "$TOPDIR/top.quit" \
        "$VMNET" status --all --watch
TOP_PID=$SPAWNED
wait_until 10 grep -q "$mac3" "$TOPDIR/watch.screen" || fail "status --all --watch does not show $mac3"
printf '\003' > "$TOPDIR/top.quit"
wait_until 5 bash -c "! kill -0 $TOP_PID 2>/dev/null" || fail "status --all --watch did not end on Ctrl-C"
wait "$TOP_PID" || fail "status --all --watch exited with $? on Ctrl-C"

# --- status --all: root, a teacher; students refused alike ---------------------
as teach1 "$VMNET" status --all --json
expect_eq "status --all --json as teach1 exit" 0 "$RC"
cp "$W/out" "$W/teach1.json"
expect_eq "VMs as teach1" "$want3" "$(vms_of "$W/teach1.json")"
python3 - "$W/teach1.json" <<'EOF' || fail "the students in status --all are wrong: $(cat "$W/teach1.json")"
import json, sys
lab = json.load(open(sys.argv[1]))
s = {x["user"]: x for x in lab["students"]}
assert set(s) == {"stu1", "stu2"}, s.keys()
assert s["stu1"]["sessions"] == 1 and s["stu2"]["sessions"] == 0, s
kinds = sorted(l["kind"] for l in s["stu1"]["links"])
assert kinds == ["login", "vm", "vm"], kinds
assert all(l["since"] > 0 and l["port"] for l in s["stu1"]["links"]), s["stu1"]["links"]
login = [l for l in s["stu1"]["links"] if l["kind"] == "login"][0]
assert login["name"] == "tap-stu1" and login["port"].startswith("vmnp"), login
assert [l["kind"] for l in s["stu2"]["links"]] == ["vm"], s["stu2"]
# up with carrier, as the links' events told vmnetd
assert all(l["up"] and l["carrier"] for u in ("stu1", "stu2") for l in s[u]["links"]), s
for v in lab["vms"]:
    assert v["address_from"] == "lease" and v["expiry"] > lab["time"] and v["since"] > 0, v
    assert v["port"] == v["link"], v          # a VM tap is its own bridge port
named = {v["name"]: v for v in lab["vms"]}
assert named["vm1"]["fqdn"] == "vm1.stu1.lab" and named[""]["fqdn"] == "", named
EOF
# one line on a pipe; pretty in a terminal (script gives it one)
expect_eq "lines of --json on a pipe" 1 "$(wc -l < "$W/teach1.json")"
runuser -u teach1 -- script -qec "$VMNET status --all --json" /dev/null > "$W/pretty.json"
[ "$(wc -l < "$W/pretty.json")" -gt 20 ] || fail "status --all --json in a terminal is not pretty-printed"
as teach1 "$VMNET" status --all
expect_eq "status --all (text) as teach1 exit" 0 "$RC"
for m in "$mac1" "$mac2" "$mac3"; do grep -q "^  $m " "$W/out" || fail "text lacks $m: $(cat "$W/out")"; done
grep -q "^  $mac2  (no name) *$ip2 *stu1 " "$W/out" || fail "text lacks the nameless VM's line: $(cat "$W/out")"

refusal="vmnet: vmnetd refused: the whole lab is shown only to root and to members of teacher_groups (see vmnet.conf(5)); 'vmnet status' shows your own"
for who in stu1 stu2; do
        for how in "" --json --html --watch; do
                # shellcheck disable=SC2086 # no option is no word
                as "$who" "$VMNET" status --all $how
                expect_eq "status --all $how as $who exit" 1 "$RC"
                expect_eq "status --all $how as $who says" "$refusal" "$(cat "$W/err")"
                [ ! -s "$W/out" ] || fail "a refused status --all printed: $(cat "$W/out")"
        done
done

# --- a student's own status: their nameless VM, nobody else's ---------------
as stu1 "$VMNET" status
expect_eq "stu1's status exit" 0 "$RC"
grep -q "^  (no name)  *$ip2  *$mac2\$" "$W/out" || fail "stu1's status lacks the nameless VM: $(cat "$W/out")"
grep -q "^  vm1\.stu1\.lab  *$ip1  *$mac1\$" "$W/out" || fail "stu1's status lacks vm1: $(cat "$W/out")"
grep -q "$mac3" "$W/out" && fail "stu1's status shows stu2's VM: $(cat "$W/out")"
as stu2 "$VMNET" status --json
expect_eq "stu2's status --json exit" 0 "$RC"
expect_eq "stu2's VMs" "$mac3 srv" "$(python3 -c 'import json, sys
print(*[v["mac"] + " " + v["name"] for v in json.load(open(sys.argv[1]))["vms"]], sep="\n")' "$W/out")"

# --- the page: the same from vmnet, rendered by Chromium ----------------------
same_page() {
        runuser -u teach1 -- "$VMNET" status --all --html > "$W/printed.html" 2> /dev/null &&
                cmp -s "$W/printed.html" "$PAGE"
}
wait_until 5 same_page || fail "status --all --html differs from $PAGE: $(diff "$W/printed.html" "$PAGE" | head -n 20)"
# self-contained: nothing for a browser to fetch (no script, style sheet,
# image or link of another origin; the picture is inline SVG)
if grep -Eiq '<(script|link|img|iframe|object|embed)[ >]|(src|href) *=|url\(|@import' "$PAGE"; then
        fail "the page refers to something outside it: $(grep -Eio '.{0,40}(<script|<link|<img|src *=|href *=|url\(|@import).{0,40}' "$PAGE" | head -n 3)"
fi
render three
for want in 'data-user="stu1"' 'data-user="stu2"' ">vm1<" ">srv<" "$ip1" "$ip2" "$ip3" \
            "<g class=\"vm\" data-mac=\"$mac1\">" "<g class=\"vm\" data-mac=\"$mac2\">" \
            "<g class=\"vm\" data-mac=\"$mac3\">" "<tr class=\"vm\" data-mac=\"$mac2\"><td>(no name)</td>"; do
        grep -qF -- "$want" "$W/three.dom" || fail "Chromium's DOM of the page lacks '$want'"
done
grep -q '<svg' "$W/three.dom" || fail "Chromium's DOM has no picture"

# --- stu2's guest goes: its tap leaves the page, its lease is not seen now ----
tap3=$(python3 -c 'import json, sys
print([v["link"] for v in json.load(open(sys.argv[1]))["vms"] if v["name"] == "srv"][0])' "$W/teach1.json")
grep -q ">$tap3<" "$PAGE" || fail "the page does not name srv's tap $tap3"
guest_stop srv
gone() { ! grep -q ">$tap3<" "$PAGE" && grep -q "<tr class=\"vm\" data-mac=\"$mac3\">.*not seen now" "$PAGE"; }
wait_until 10 gone || fail "the page still shows $tap3, or srv as seen: $(grep -n "$mac3\|$tap3" "$PAGE")"
render gone
grep -qF ">$tap3<" "$W/gone.dom" && fail "Chromium still shows $tap3"
grep -q "not seen now" "$W/gone.dom" || fail "Chromium's DOM does not say srv is not seen"

log "PASS (screenshots: $SHOTS/68-lab-view-three.png, -gone.png)"
