#!/usr/bin/env bash
# The source builds into three lintian-clean packages in a throwaway Debian
# chroot (trixie by default) as a normal user: "apt-get build-dep ./" from
# debian/control alone, then tools/make-deb (dpkg-buildpackage, the unit
# tests, lintian --fail-on warning and mandoc -Tlint with that suite's tools).
#
# The archive is reached (host network namespace) only to install the build
# dependencies and lintian; the build itself runs in an empty network
# namespace.  Nothing outside $BUILD is written.
# BUILD_SUITES="trixie bookworm" chooses the suites; KEEP_DEBS=DIR keeps
# the .debs in DIR/SUITE (for 80-package-install: VMNET_DEBS=DIR/SUITE).
# shellcheck source=tests/lib/chroot.sh
. "$(dirname "$0")/../lib/chroot.sh"
chroot_enter "$@"

BUILD_SUITES=${BUILD_SUITES:-trixie}

build_in() {
        local suite=$1 dir=$CHROOT_TMP/build-$1 t0 f
        t0=$(date +%s)
        chroot_make "$suite" "$dir"
        chroot_mount_proc "$dir"
        in_chroot "$dir" useradd --create-home --shell /bin/sh builder
        copy_tree "$dir/home/builder/src/vmnet"
        in_chroot "$dir" chown -R builder:builder /home/builder/src

        in_chroot "$dir" apt-get -q update > "$CHROOT_TMP/$suite-update.log" 2>&1 ||
                { tail -n 5 "$CHROOT_TMP/$suite-update.log" >&2; skip "$suite: apt-get update cannot reach the archive"; }
        in_chroot "$dir" sh -c 'cd /home/builder/src/vmnet && apt-get -q -y build-dep ./ && apt-get -q -y install lintian mandoc' \
                > "$CHROOT_TMP/$suite-build-dep.log" 2>&1 ||
                { tail -n 30 "$CHROOT_TMP/$suite-build-dep.log" >&2; fail "$suite: apt-get build-dep ./ failed"; }
        log "$suite: build dependencies installed in $(( $(date +%s) - t0 )) s"

        if ! unshare --net -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/home/builder LANG=C.UTF-8 \
                chroot --userspec=builder:builder "$dir" sh -c 'cd /home/builder/src/vmnet && ./tools/make-deb' \
                > "$CHROOT_TMP/$suite-make-deb.log" 2>&1; then
                tail -n 40 "$CHROOT_TMP/$suite-make-deb.log" >&2
                fail "$suite: make deb as a normal user failed (above)"
        fi
        grep -q '^make-deb: lintian clean$' "$CHROOT_TMP/$suite-make-deb.log" || fail "$suite: lintian did not run"
        grep -q '^make-deb: mandoc -Tlint clean$' "$CHROOT_TMP/$suite-make-deb.log" || fail "$suite: mandoc -Tlint did not run"
        grep -E '^unit: [0-9]+ passed, 0 failed$' "$CHROOT_TMP/$suite-make-deb.log" >&2 ||
                fail "$suite: the unit tests did not run in the build"
        for f in vmnet libpam-vmnet libnss-vmnet; do
                compgen -G "$dir/home/builder/src/vmnet/dist/${f}_*.deb" >/dev/null || fail "$suite: no $f .deb"
        done
        # Built by builder, not root: nothing in the tree belongs to root.
        f=$(find "$dir/home/builder/src/vmnet" ! -user "$(stat -c %u "$dir/home/builder")" -print -quit)
        [ -z "$f" ] || fail "$suite: $f does not belong to the builder"
        log "$suite: built and lintian clean as a normal user in $(( $(date +%s) - t0 )) s"
        if [ -n "${KEEP_DEBS:-}" ]; then
                mkdir -p "$KEEP_DEBS/$suite"
                cp "$dir/home/builder/src/vmnet/dist/"*.deb "$KEEP_DEBS/$suite/"
        fi
        umount "$dir/proc"
        rm -rf "$dir"
}

for suite in $BUILD_SUITES; do
        build_in "$suite"
done
log "PASS: ${BUILD_SUITES}"
