#!/usr/bin/env bash
# vmnet status names the student's own VMs: a real QEMU guest that stu1
# boots through vmnet-bridge-helper gets a lease, and then stu1's status
# (text and JSON) lists vm1 by the name that is its own whoever asks
# (vm1.stu1.lab, as libnss_vmnet resolves it) with that address and MAC, and
# getent agrees; stu2's lists
# no VM; the VM tap shows as stu1's, in use.
. "$(dirname "$0")/../lib/world.sh"; world_enter "$@"
# shellcheck source=../lib/guest.sh
. "$ROOT/tests/lib/guest.sh"

VMNET=$BUILD/vmnet
HELPER=$BUILD/vmnet-bridge-helper
[ -x "$VMNET" ] || skip "build/vmnet is not built"
[ -x "$HELPER" ] || skip "build/vmnet-bridge-helper is not built"
guest_build
command -v dnsmasq >/dev/null || skip "dnsmasq is missing: run tools/install-deps"
world_add_user stu1 61001
world_add_user stu2 61002
world_config bridge=vmnet0 address=10.77.0.1/24 uplink=isolated domain=lab max_taps=4 \
        > "$W/vmnet.conf"
world_start_vmnetd "$W/vmnet.conf"

mac=52:55:00:ef:29:01
guest_start vm1 stu1 "$mac" "bridge,id=n0,br=vmnet0,helper=$HELPER"
ip=$(guest_wait_ready vm1 120)
log "vm1 (stu1) leased $ip in $(guest_boot_seconds vm1) s"

# vms FILE: "NAME FQDN ADDRESS MAC" per VM in a vmnet status --json output.
vms() {
        python3 -c 'import json, sys
for v in json.load(open(sys.argv[1]))["vms"]: print(v["name"], v["fqdn"], v["address"], v["mac"])' "$1"
}
stu1_sees_vm1() {
        runuser -u stu1 -- "$VMNET" status --json > "$W/stu1.json" &&
                [ "$(vms "$W/stu1.json")" = "vm1 vm1.stu1.lab $ip $mac" ]
}
# vmnetd publishes the snapshot when dnsmasq reports the lease: poll briefly.
wait_until 10 stu1_sees_vm1 || fail "stu1's status does not list 'vm1 vm1.stu1.lab $ip $mac': $(cat "$W/stu1.json")"
python3 - "$W/stu1.json" <<'EOF' || fail "stu1's VM tap is not listed in use: $(cat "$W/stu1.json")"
import json, sys
taps = json.load(open(sys.argv[1]))["taps"]
sys.exit(0 if any(t["kind"] == "vm" and t["carrier"] for t in taps) else 1)
EOF

runuser -u stu1 -- "$VMNET" status > "$W/stu1.txt" || fail "vmnet status (text) failed for stu1"
grep -q "^  vm1\.stu1\.lab  *$ip  *$mac\$" "$W/stu1.txt" ||
        fail "stu1's text status lacks vm1.stu1.lab: $(cat "$W/stu1.txt")"

# the name status gives resolves to that address (libnss_vmnet, via world)
expect_eq "getent hosts vm1.stu1.lab" "$ip" "$(getent hosts vm1.stu1.lab | awk '{ print $1 }')"

runuser -u stu2 -- "$VMNET" status --json > "$W/stu2.json" || fail "vmnet status failed for stu2"
expect_eq "VMs in stu2's status" "" "$(vms "$W/stu2.json")"
expect_eq "taps in stu2's status" "[]" \
        "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["taps"])' "$W/stu2.json")"

log "PASS"
