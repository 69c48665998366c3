# shellcheck shell=bash
# The packaged systemd units, read the way tests apply them (there is no
# systemd as PID 1 here): a value of a unit's, vmnetd.service's
# capabilities for setpriv, and a wrapper that runs a program as the
# service runs vmnetd.
UNITS=${VMNET_UNITS:-$ROOT/etc/systemd}

# unit_value UNIT KEY: the value of KEY= in the unit file.
unit_value() { sed -n "s/^$2=//p" "$UNITS/$1"; }

# unit_caps KEY: vmnetd.service's capabilities under KEY
# (CapabilityBoundingSet, AmbientCapabilities) as setpriv takes them
# (-all,+net_admin,...).
unit_caps() {
        local caps c out=-all
        caps=$(unit_value vmnetd.service "$1")
        [ -n "$caps" ] || fail "vmnetd.service sets no $1"
        for c in $caps; do
                c=${c#CAP_}
                out+=",+${c,,}"
        done
        echo "$out"
}

# unit_bounding_set: vmnetd.service's CapabilityBoundingSet, as setpriv's
# --bounding-set argument.
unit_bounding_set() { unit_caps CapabilityBoundingSet; }

# unit_wrapper OUT PROGRAM: writes OUT, a script that runs PROGRAM (with
# the script's arguments) the way vmnetd.service runs vmnetd: its
# RuntimeDirectory= made (or given) to its User=, then as that user and
# Group=, with its AmbientCapabilities= within its CapabilityBoundingSet=,
# no_new_privs and its UMask=.  Run OUT as root.
unit_wrapper() {
        local out=$1 program=$2 user group
        user=$(unit_value vmnetd.service User)
        group=$(unit_value vmnetd.service Group)
        [ -n "$user" ] && [ -n "$group" ] || fail "vmnetd.service names no User= and Group="
        [ "$(unit_value vmnetd.service NoNewPrivileges)" = yes ] || fail "vmnetd.service lacks NoNewPrivileges=yes"
        # shellcheck disable=SC2016 # expanded when the wrapper runs
        printf '#!/bin/sh\nset -e\ninstall -d -m %s -o %s -g %s /run/%s\nchown -R %s:%s /run/%s\n%s\n' \
                "$(unit_value vmnetd.service RuntimeDirectoryMode)" "$user" "$group" \
                "$(unit_value vmnetd.service RuntimeDirectory)" "$user" "$group" \
                "$(unit_value vmnetd.service RuntimeDirectory)" \
                "exec setpriv --reuid=$user --regid=$group --clear-groups --no-new-privs \
--inh-caps=$(unit_caps AmbientCapabilities) --ambient-caps=$(unit_caps AmbientCapabilities) \
--bounding-set=$(unit_bounding_set) sh -c 'umask $(unit_value vmnetd.service UMask); exec \"\$@\"' sh $program \"\$@\"" \
                > "$out"
        chmod 0755 "$out"
}
