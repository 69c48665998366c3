# shellcheck shell=bash
# Throwaway Debian chroots for the packaging tests.  A chroot is unpacked
# from a cached debootstrap (--variant=minbase) tarball,
# $BUILD/chroot/SUITE.tar, made on first use; later runs only unpack it.
# Everything happens under $BUILD: the host's /etc is never written.
#
#   . "$(dirname "$0")/../lib/chroot.sh"
#   chroot_enter "$@"          # re-runs the script in a private mount namespace
#   chroot_make bookworm "$DIR" # unpacks (making the cache if needed)
#   chroot_mount_proc "$DIR"    # /proc inside; unmounted at exit
#   in_chroot "$DIR" apt-get ...       # chroot_offline: the same without network
#
# The mount namespace is private, so even a killed test leaves no mount
# behind on the host; the EXIT trap unmounts and removes $CHROOT_TMP anyway.
# The network namespace is the host's: debootstrap and apt need the archive.
# Nothing inside the chroot starts a daemon (policy-rc.d answers 101).
#
# CHROOT_MIRROR=URI overrides the mirror (default: the host's apt sources);
# CHROOT_CACHE=DIR the cache folder; CHROOT_KEEP=1 keeps the work folder;
# VMNET_SRC=DIR builds from that tree (e.g. a git archive) instead of this one.
set -euo pipefail

# ROOT, BUILD, log, fail, skip, wait_until, expect_eq (world_enter is not used).
# shellcheck source=tests/lib/world.sh
. "$(dirname "${BASH_SOURCE[0]}")/world.sh"
CHROOT_CACHE=${CHROOT_CACHE:-$BUILD/chroot}

chroot_enter() {
        if ! namespaces_left_behind mnt; then
                [ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot)"
                ! reexec_went_nowhere mnt ||
                        fail "unshare ran $0 in the host's mount namespace: it refuses to touch the host"
                reexec_in_namespaces --mount -- "$@"
        fi
        mkdir -p "$BUILD/tmp"
        CHROOT_TMP=$(mktemp -d "$BUILD/tmp/chroot.XXXXXX")
        CHROOT_MOUNTS=()
        trap chroot_cleanup EXIT
        trap 'exit 130' INT TERM
}

chroot_cleanup() {
        local rc=$? i
        set +e
        for (( i = ${#CHROOT_MOUNTS[@]} - 1; i >= 0; i-- )); do
                umount -l "${CHROOT_MOUNTS[i]}" 2>/dev/null
        done
        if [ -n "${CHROOT_KEEP:-}" ]; then log "kept $CHROOT_TMP"; else rm -rf "$CHROOT_TMP"; fi
        exit "$rc"
}

# $CHROOT_MIRROR, else the host's Debian mirror (first non-security URI),
# else deb.debian.org.
chroot_mirror() {
        local uri=${CHROOT_MIRROR:-}
        if [ -z "$uri" ] && [ -r /etc/apt/sources.list.d/debian.sources ]; then
                uri=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
                        /etc/apt/sources.list.d/debian.sources)
        fi
        if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
                uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($i !~ /security/) { print $i; exit } ; break } }' \
                        /etc/apt/sources.list)
        fi
        echo "${uri:-http://deb.debian.org/debian}"
}

# chroot_cache SUITE: makes $CHROOT_CACHE/SUITE.tar if missing; exits 77
# (skip) only when the archive cannot be reached.
chroot_cache() {
        mkdir -p "$CHROOT_CACHE"
        # Tests run in parallel: one makes the tarball, the others wait for it.
        exec 7>"$CHROOT_CACHE/.lock-$1"
        flock -w 900 7 || fail "another test holds $CHROOT_CACHE/.lock-$1 for 15 min"
        chroot_cache_locked "$1"
        exec 7>&-
}

chroot_cache_locked() {
        local suite=$1 tar=$CHROOT_CACHE/$1.tar mirror dir
        [ -s "$tar" ] && return 0
        command -v debootstrap >/dev/null || fail "debootstrap is not installed (tools/install-deps --tests)"
        mirror=$(chroot_mirror)
        dir=$CHROOT_TMP/debootstrap-$suite
        log "debootstrap --variant=minbase $suite from $mirror (cached afterwards in $tar)"
        if ! debootstrap --variant=minbase "$suite" "$dir" "$mirror" > "$CHROOT_TMP/debootstrap-$suite.log" 2>&1; then
                tail -n 20 "$CHROOT_TMP/debootstrap-$suite.log" >&2
                # A network failure part-way is still "cannot reach"; anything else is ours.
                if grep -qiE 'Failed getting release file|Couldn.t download|Temporary failure resolving|Could not resolve|Connection (refused|timed out)|Network is unreachable' \
                        "$CHROOT_TMP/debootstrap-$suite.log"; then
                        skip "debootstrap could not download $suite from $mirror"
                fi
                fail "debootstrap $suite failed"
        fi
        rm -rf "$dir/var/cache/apt/archives/"*.deb "$dir/var/lib/apt/lists/"*_Packages 2>/dev/null || true
        tar -C "$dir" --numeric-owner -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
        rm -rf "$dir"
}

# chroot_make SUITE DIR: a fresh chroot of SUITE in DIR that cannot start
# services and can reach the archive.
chroot_make() {
        local suite=$1 dir=$2
        chroot_cache "$suite"
        mkdir -p "$dir"
        tar -C "$dir" --numeric-owner -xf "$CHROOT_CACHE/$suite.tar"
        printf '#!/bin/sh\nexit 101\n' > "$dir/usr/sbin/policy-rc.d"
        chmod 0755 "$dir/usr/sbin/policy-rc.d"
        # Name resolution for apt inside; the chroot's own file, not the host's.
        rm -f "$dir/etc/resolv.conf"
        cp -L /etc/resolv.conf "$dir/etc/resolv.conf"
        echo 'APT::Install-Recommends "false";' > "$dir/etc/apt/apt.conf.d/90vmnet-test"
}

chroot_mount_proc() {
        local dir=$1
        mount -t proc proc "$dir/proc"
        CHROOT_MOUNTS+=("$dir/proc")
}

# The environment of commands inside: clean and non-interactive.
CHROOT_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive)

# in_chroot DIR CMD...: runs CMD inside (in the host's network namespace).
in_chroot() {
        local dir=$1; shift
        "${CHROOT_ENV[@]}" chroot "$dir" "$@"
}

# chroot_offline DIR CMD...: runs CMD inside, in an empty network namespace.
chroot_offline() {
        local dir=$1; shift
        unshare --net -- "${CHROOT_ENV[@]}" chroot "$dir" "$@"
}

# copy_tree DEST: the source tree as it is now (edits not yet committed
# included), or the one in $VMNET_SRC, without build outputs and .git.
copy_tree() {
        mkdir -p "$1"
        tar -C "${VMNET_SRC:-$ROOT}" --exclude=./build --exclude=./dist --exclude=./.git \
                --exclude=./debian/build --exclude=./debian/tmp -cf - . | tar -C "$1" -xf -
}
