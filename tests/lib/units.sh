# shellcheck shell=bash
# The packaged systemd units, read the way tests apply them (there is no
# systemd as PID 1 here): a value of a unit's, and vmnetd.service's
# capability bounding set for setpriv.
UNITS=${VMNET_UNITS:-$ROOT/etc/systemd}

# unit_value UNIT KEY: the value of KEY= in the unit file.
unit_value() { sed -n "s/^$2=//p" "$UNITS/$1"; }

# unit_bounding_set: vmnetd.service's CapabilityBoundingSet, as setpriv's
# --bounding-set argument (-all,+net_admin,...).
unit_bounding_set() {
        local caps c bounding=-all
        caps=$(unit_value vmnetd.service CapabilityBoundingSet)
        [ -n "$caps" ] || fail "vmnetd.service sets no CapabilityBoundingSet"
        for c in $caps; do
                c=${c#CAP_}
                bounding+=",+${c,,}"
        done
        echo "$bounding"
}
