# shellcheck shell=bash
# A real QEMU guest (KVM where it works, else TCG: tests/lib/accel.sh) for integration tests: busybox, DHCP, a web page
# and a hello/echo port (tests/guest/init says what it prints and serves).
# Source after world.sh, inside the world:
#
#   . "$ROOT/tests/lib/guest.sh"
#   guest_build                            # or the test is skipped
#   guest_allow_tun                        # QEMU as a student opens /dev/net/tun
#   guest_start vm1 stu1 52:54:00:77:00:01 \
#           tap,id=n0,ifname=tap-stu1,script=no,downscript=no [vmping=IP] [vmwget=URL]
#   ip=$(guest_wait_ready vm1 90)          # the leased address
#   guest_wait_line vm1 '^VMNET-GUEST-PING ' 20
#   guest_start vm2 stu2 MAC "$NETDEV" vmctl=1   # a guest that takes commands:
#   guest_exec vm2 10 vmraw ra eth0                # runs in vm2, prints its output
#
# The NETDEV argument is QEMU's -netdev value and must say id=n0, e.g.
# bridge,id=n0,br=vmnet0,helper=$BUILD/vmnet-bridge-helper.  A guest's files
# (console log, pid file, timing) are in $W/guest/NAME/.
# GUEST_ACCEL is QEMU's -machine accel= (kvm:tcg: KVM when it can, else
# TCG); guest_build sets it, unless the test did, to kvm where KVM really
# boots a guest (tests/lib/accel.sh), else tcg.  GUEST_QEMU_ARGS (an
# array) adds options to every guest_start.

GUEST_SRC=$BUILD/guest
# The guests' kernel command line, before their knobs.  no_timer_check: a
# TCG guest on a busy host (tests in parallel) otherwise may panic with
# "IO-APIC + timer doesn't work" (seen here).
GUEST_CMDLINE="console=ttyS0 panic=-1 quiet no_timer_check"
# shellcheck source=tests/lib/accel.sh
. "$ROOT/tests/lib/accel.sh"

# guest_build: builds (or finds cached) the kernel and initrd and copies them
# where any test user can read them.  Skips the test if they cannot be had.
guest_build() {
        local rc=0 out
        command -v qemu-system-x86_64 >/dev/null ||
                skip "qemu-system-x86_64 is missing: run tools/install-deps --demo"
        out=$("$ROOT/tests/guest/build" 2>&1) || rc=$?
        case $rc in
        0)  [ -z "$out" ] || printf '%s\n' "$out" >&2 ;;
        77) skip "no test guest: ${out##*$'\n'}" ;;
        *)  printf '%s\n' "$out" >&2; fail "tests/guest/build failed (exit $rc)" ;;
        esac
        mkdir -p "$W/guest"
        chmod 0755 "$W/guest"
        install -m 0644 "$GUEST_SRC/vmlinuz" "$GUEST_SRC/initrd.gz" "$W/guest/"
        # The guests' accelerator, unless the test chose: KVM where it really
        # boots one (tests/lib/accel.sh), with /dev/kvm for the students
        if [ -z "${GUEST_ACCEL:-}" ]; then
                GUEST_ACCEL=$(qemu_accel "$GUEST_SRC/vmlinuz")
                [ "$GUEST_ACCEL" != kvm ] || GUEST_ACCEL=$(guest_allow_kvm)
        fi
        # shellcheck disable=SC2034 # guest_start reads it
        if [ "$GUEST_ACCEL" = kvm ]; then GUEST_CPU=(-cpu host); else GUEST_CPU=(); fi
}

# guest_allow_tun: QEMU run as a student opens /dev/net/tun, which must be
# 0666 as on desktops: the world's own node (world_tun), the host's untouched.
guest_allow_tun() {
        world_tun 0666
}

# guest_allow_kvm: a 0666 /dev/kvm of our own as world_tun's /dev/net/tun,
# where there is one (for benchmarks that want guests at native speed;
# -accel kvm:tcg falls back to TCG without it, saying "failed to
# initialize kvm" on its console).
# Prints kvm, or tcg when there is no /dev/kvm to give.
guest_allow_kvm() {
        if [ -c /dev/kvm ] && { [ -c /run/vmnet-test-kvm ] ||
           mknod -m 0666 /run/vmnet-test-kvm c "$((0x$(stat -c %t /dev/kvm)))" "$((0x$(stat -c %T /dev/kvm)))"; } &&
           mount --bind /run/vmnet-test-kvm /dev/kvm && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
                echo kvm
        else
                echo tcg
        fi
}

guest_dir() { echo "$W/guest/$1"; }
guest_log() { echo "$W/guest/$1/console.log"; }

# guest_start NAME USER MAC NETDEV [KERNEL_ARG...]: boots the guest as USER in
# the background (ended when the test exits); console to guest_log NAME.
# KERNEL_ARGs are the guest's knobs (vmping=IP, vmwget=URL); vmhost=HOST
# gives the VM a host name other than NAME (two students' VMs both called
# vm1), and the markers then say name=HOST; vmctl=1 gives it a command
# port: guest_exec NAME, or write lines into guest_ctl NAME yourself.
guest_start() {
        local name=$1 user=$2 mac=$3 netdev=$4 d
        shift 4
        [[ $netdev == *id=n0* ]] || fail "guest_start: NETDEV must say id=n0: $netdev"
        d=$(guest_dir "$name")
        [ ! -e "$d" ] || fail "guest_start: $name was started before"
        mkdir -p "$d"
        chown "$user" "$d"      # QEMU writes its pid file as the student
        date +%s.%N > "$d/started"
        local a host=$name ctl=()
        for a in "$@"; do
                [[ $a != vmhost=* ]] || host=${a#vmhost=}
                # an explicit -serial replaces -nographic's: the console stays first
                [[ $a != vmctl=1 ]] || ctl=(-serial mon:stdio -serial "pipe:$d/ctl")
        done
        echo "$host" > "$d/hostname"
        if [ ${#ctl[@]} -gt 0 ]; then
                # QEMU (the student) holds both ends open read-write; we read
                # everything the guest says into ctl.log at once
                mkfifo -m 0600 "$d/ctl.in" "$d/ctl.out"
                chown "$user" "$d/ctl.in" "$d/ctl.out"
                # shellcheck disable=SC2016 # expanded by that sh
                world_spawn sh -c 'exec cat "$1" > "$2"' sh "$d/ctl.out" "$d/ctl.log"
                : > "$d/ctl.seq"
        fi
        world_spawn runuser -u "$user" -- qemu-system-x86_64 \
                -machine "accel=${GUEST_ACCEL:-tcg}" ${GUEST_CPU[@]+"${GUEST_CPU[@]}"} \
                -nographic -no-reboot -m 256 -vga none \
                ${GUEST_QEMU_ARGS[@]+"${GUEST_QEMU_ARGS[@]}"} \
                -kernel "$W/guest/vmlinuz" -initrd "$W/guest/initrd.gz" \
                -append "$GUEST_CMDLINE vmhost=$name $*" \
                -netdev "$netdev" -device "virtio-net-pci,netdev=n0,mac=$mac,romfile=" \
                -pidfile "$d/qemu.pid" "${ctl[@]}" \
                </dev/null >"$(guest_log "$name")" 2>&1
        echo "$SPAWNED" > "$d/runuser.pid"
        # QEMU writes its pid file before the guest boots; it is ended by
        # PID at exit too, should runuser die without passing SIGTERM on.
        wait_until 10 guest_started_or_exited "$name" || fail "guest $name: QEMU wrote no pid file in 10 s"
        # read once: a QEMU that fails at once (another's tap) removes it as it exits
        local qpid
        if qpid=$(guest_qemu_pid "$name" 2>/dev/null); then WORLD_PIDS+=("$qpid"); fi
}

# guest_running NAME: true while its QEMU (or the runuser around it) lives.
guest_running() {
        local qpid
        kill -0 "$(cat "$(guest_dir "$1")/runuser.pid")" 2>/dev/null && return 0
        qpid=$(guest_qemu_pid "$1") && kill -0 "$qpid" 2>/dev/null
}
guest_exited() { ! guest_running "$1"; }
guest_started_or_exited() { guest_qemu_pid "$1" >/dev/null || guest_exited "$1"; }

# guest_qemu_pid NAME: QEMU's own pid (runuser forks it), once it wrote it.
guest_qemu_pid() {
        local f
        f=$(guest_dir "$1")/qemu.pid
        [ -s "$f" ] && tr -dc '0-9' < "$f"
}

# complete_lines: standard input up to its last newline.  QEMU writes the
# console as the guest prints it, so the last line may be half there: a
# match on it gave a report cut short ("url=http://192.0.", 51-uplink-nat).
complete_lines() {
        local text
        text=$(cat; echo .)
        text=${text%.}
        case $text in
        *$'\n') printf '%s' "$text" ;;
        *$'\n'*) printf '%s\n' "${text%$'\n'*}" ;;
        esac
}

# guest_wait_line NAME REGEX SECONDS: prints the first console line matching
# REGEX (extended); fails after SECONDS, or at once if QEMU exits.
guest_wait_line() {
        local name=$1 re=$2 secs=$3 log line end
        log=$(guest_log "$name")
        end=$(( $(date +%s) + secs ))
        while :; do
                line=$(tr -d '\r' < "$log" | complete_lines | grep -m 1 -E -- "$re" || true)
                if [ -n "$line" ]; then printf '%s\n' "$line"; return 0; fi
                if ! guest_running "$name"; then
                        log "guest $name exited; its console ends with:"
                        tail -n 20 "$log" >&2
                        return 1
                fi
                if [ "$(date +%s)" -ge "$end" ]; then
                        log "guest $name: no line matching '$re' within $secs s; console ends with:"
                        tail -n 20 "$log" >&2
                        return 1
                fi
                sleep 0.1
        done
}

# guest_wait_ready NAME SECONDS: waits for the guest's lease, prints its IP;
# the seconds from guest_start to the lease go to guest_boot_seconds NAME.
guest_wait_ready() {
        local name=$1 secs=$2 d line ip
        d=$(guest_dir "$name")
        line=$(guest_wait_line "$name" "^VMNET-GUEST-(READY|NOLEASE|ERROR)( |$)" "$secs") ||
                fail "guest $name did not come up within $secs s"
        echo "$(date +%s.%N) $(cat "$d/started")" | awk '{ printf "%.2f\n", $1 - $2 }' > "$d/boot-seconds"
        [[ $line == "VMNET-GUEST-READY name=$(guest_hostname "$name") "* ]] || fail "guest $name: $line"
        ip=$(sed -n 's/.* ip=\([0-9.]*\).*/\1/p' <<< "$line")
        [ -n "$ip" ] || fail "guest $name: no ip in '$line'"
        echo "$ip"
}

# guest_ctl NAME: the pipe into the command port of a guest started with
# vmctl=1 (tests/guest/init says what it reads).
guest_ctl() { echo "$W/guest/$1/ctl.in"; }

# guest_exec NAME SECONDS COMMAND...: runs COMMAND (shell script text) in a
# guest booted with vmctl=1, prints its output and returns its exit status;
# returns 124 after SECONDS.
guest_exec() {
        local name=$1 secs=$2 d id end line
        shift 2
        d=$(guest_dir "$name")
        [ -p "$(guest_ctl "$name")" ] || fail "guest_exec: $name was not started with vmctl=1"
        id=$(( $(wc -l < "$d/ctl.seq") + 1 ))
        echo "$id" >> "$d/ctl.seq"
        # the FIFO's reader is QEMU: bounded, should it be gone
        # shellcheck disable=SC2016 # expanded by that sh
        timeout 5 sh -c 'printf "%s %s\n" "$1" "$2" > "$3"' sh "$id" "$(printf '%s\n' "$*" | base64 -w 0)" \
                "$(guest_ctl "$name")" ||
                fail "guest $name: cannot send it a command"
        end=$(( $(date +%s) + secs ))
        # the log grows as the guest's console sends it, a few bytes at a
        # time: the status counts once its digits are there (a line cut
        # right after "rc=" once made a command that worked fail)
        while ! line=$(grep -a -m 1 -E "^VMNET-CTL-DONE $id rc=[0-9]+" "$d/ctl.log"); do
                if [ "$(date +%s)" -ge "$end" ] || ! guest_running "$name"; then
                        log "guest $name: '$*' did not finish within $secs s"
                        return 124
                fi
                sleep 0.05
        done
        sed -n "s/^VMNET-CTL-OUT $id //p" "$d/ctl.log" | tr -d '\r'
        line=${line%$'\r'}
        return "${line##*rc=}"
}

# guest_hostname NAME: the host name the guest was booted with.
guest_hostname() { cat "$(guest_dir "$1")/hostname"; }

guest_boot_seconds() { cat "$(guest_dir "$1")/boot-seconds"; }

# guest_stop NAME: ends the guest (SIGTERM to runuser, which passes it on)
# and waits, bounded, until QEMU is gone.
guest_stop() {
        kill -TERM "$(cat "$(guest_dir "$1")/runuser.pid")" 2>/dev/null || true
        wait_until 10 guest_exited "$1" || fail "guest $1 still running 10 s after SIGTERM"
}

# guest_lab_ready: what a test that boots guests through vmnet's bridge
# helper needs first — the helper built, the guest, dnsmasq, /dev/net/tun
# for the students.  Sets HELPER, and NETDEV (the -netdev value for a VM
# tap on the lab bridge vmnet0).
guest_lab_ready() {
        HELPER=$BUILD/vmnet-bridge-helper
        [ -x "$HELPER" ] || fail "build/vmnet-bridge-helper is not built"
        guest_build
        command -v dnsmasq >/dev/null || skip "dnsmasq is missing: run tools/install-deps"
        guest_allow_tun
        # shellcheck disable=SC2034  # read by the tests that source this
        NETDEV="bridge,id=n0,br=vmnet0,helper=$HELPER"
}
