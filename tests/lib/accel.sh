# shellcheck shell=bash
# Which accelerator QEMU gets in the tests: KVM where it really runs a
# guest, else TCG.  /dev/kvm opening is not enough: under a nested
# hypervisor that offers KVM without VMX (kvm-pvm, as on the CI machine)
# it opens, and an unmodified Debian kernel then hangs or stops with "KVM
# internal error", and QEMU does not fall back to TCG.  So a probe boots a
# kernel under KVM without an initrd: it must reach its panic for want of a
# root fs within 10 s (about 1 s where KVM works).  The answer is cached
# for this boot of the host in build/qemu-accel.
#
#   . "$ROOT/tests/lib/accel.sh"
#   qemu_accel KERNEL       prints kvm or tcg
#   qemu_accel_args KERNEL  QEMU's options for it: -accel kvm -cpu host, or -accel tcg
#
# VMNET_QEMU_ACCEL=kvm|tcg decides without a probe.

qemu_accel() {
        local kernel=$1 cache boot answer=tcg out
        if [ -n "${VMNET_QEMU_ACCEL:-}" ]; then echo "$VMNET_QEMU_ACCEL"; return 0; fi
        cache=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/qemu-accel
        boot=$(cat /proc/sys/kernel/random/boot_id)
        if [ "$(head -n 1 "$cache" 2>/dev/null)" = "$boot" ]; then
                sed -n 2p "$cache"
                return 0
        fi
        if [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ -s "$kernel" ]; then
                out=$(timeout 10 qemu-system-x86_64 -accel kvm -cpu host -m 128 -nodefaults -display none \
                        -nic none -no-reboot -kernel "$kernel" -append 'console=ttyS0 panic=-1' \
                        -serial stdio 2>&1 < /dev/null || true)
                if grep -q 'Kernel panic' <<< "$out"; then answer=kvm; fi
        fi
        mkdir -p "${cache%/*}"
        printf '%s\n%s\n' "$boot" "$answer" > "$cache.$$" && mv -f "$cache.$$" "$cache"
        echo "$answer"
}

qemu_accel_args() {
        case $(qemu_accel "$1") in
        kvm) echo "-accel kvm -cpu host" ;;
        *)   echo "-accel tcg" ;;
        esac
}
