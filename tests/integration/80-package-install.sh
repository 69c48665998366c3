#!/usr/bin/env bash
# The three .debs install, reinstall and purge cleanly in fresh Debian
# chroots (bookworm and trixie, minbase): nsswitch.conf gets "vmnet" before
# dns, common-session gets pam_vmnet, the installed vmnetd accepts the
# shipped config, units and man pages are where they belong, the guides
# are plain files in /usr/share/doc/vmnet whose links resolve there and the
# man pages name them, --version of each program is the package's, getent loads
# the NSS module and a PAM session (pamtester) loads pam_vmnet; a reinstall
# (the upgrade path of the maintainer scripts) keeps the lab and restarts
# only vmnetd.service (seen through a recording systemctl); removal stops
# the units and "vmnetd --down" takes away what vmnetd made; after purge no
# file of ours is left and no other file in /etc has changed.
#
# Only debootstrap and the dependencies come from the archive (in the host's
# network namespace); dpkg and every maintainer script run in an empty
# network namespace of their own, so "vmnetd --down" in prerm cannot touch
# the host's interfaces.  Nothing outside $BUILD is written.
#
# VMNET_DEBS=DIR uses the .debs in DIR (e.g. dist/ after make deb);
# otherwise the test builds them from a copy of the tree.
# SUITES="bookworm trixie" chooses the suites (default: both; trixie alone
# on a trixie machine).
# shellcheck source=tests/lib/chroot.sh
. "$(dirname "$0")/../lib/chroot.sh"
chroot_enter "$@"

# Packages built here depend on this machine's libc and libraries: built on
# Debian 13 they cannot go into a Debian 12 chroot (libc6 >= 2.38), so a
# trixie machine tests trixie only.
# shellcheck source=/dev/null # the machine's own release
case $(. /etc/os-release && echo "${VERSION_CODENAME:-}") in
trixie) SUITES=${SUITES:-trixie} ;;
*)      SUITES=${SUITES:-bookworm trixie} ;;
esac
PACKAGES=(vmnet libpam-vmnet libnss-vmnet)

debs=${VMNET_DEBS:-}
if [ -z "$debs" ]; then
        log "building the packages from a copy of the tree"
        copy_tree "$CHROOT_TMP/src"
        (cd "$CHROOT_TMP/src" && LINTIAN=0 ./tools/make-deb) > "$CHROOT_TMP/make-deb.log" 2>&1 ||
                { tail -n 30 "$CHROOT_TMP/make-deb.log" >&2; fail "tools/make-deb failed"; }
        debs=$CHROOT_TMP/src/dist
fi
for p in "${PACKAGES[@]}"; do
        compgen -G "$debs/${p}_*.deb" >/dev/null || fail "no ${p}_*.deb in $debs"
done

# The dependencies of our packages, less the packages themselves, for
# "apt-get satisfy": installed before the baseline so that only our own
# files differ between it and the state after purge.
foreign_depends() {
        local p
        for p in "${PACKAGES[@]}"; do
                dpkg-deb -f "$(compgen -G "$debs/${p}_*.deb" | head -n 1)" Depends
        done | tr ',' '\n' | sed 's/^ *//; s/ *$//' | grep -v -E '^(vmnet|libpam-vmnet|libnss-vmnet)( |$)' |
                sort -u | paste -sd, - | sed 's/,/, /g'
}

# snapshot DIR OUT: every path in the chroot (except apt's and dpkg's
# bookkeeping, caches such as debconf's, logs, and /run/systemd where
# systemd-analyze leaves a stamp) and a checksum of every
# file under /etc.
snapshot() {
        local dir=$1 out=$2
        (cd "$dir" && find . -xdev \
                \( -path ./proc -o -path ./tmp -o -path ./var/cache -o -path ./var/lib/apt \
                   -o -path ./var/lib/dpkg -o -path ./var/log -o -path ./run/systemd \
                   -o -path ./etc/passwd- -o -path ./etc/group- -o -path ./etc/shadow- -o -path ./etc/gshadow- \) \
                   -prune -o -print | LC_ALL=C sort) > "$out.paths"
        # (the backups that adding and removing vmnetd's user leave: *-)
        (cd "$dir" && find ./etc -xdev -type f ! -name '*-' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) > "$out.etc"
}

# with_lab DIR LOG CMD...: CMD in the chroot, in a network namespace of its
# own that holds a lab as vmnetd leaves it behind (bridge vmnet0, no state
# file) with a tap vmnetd would have made (tap-nobody, owned by nobody, who
# is in the chroot's passwd) and one it did not (foreign0, no owner), and a
# sysfs of that namespace, as on a real host.  Sets LAB_LEFT to what is left
# afterwards, e.g. "bridge tap foreign".  Fails the test if CMD fails.
with_lab() {
        local dir=$1 logf=$2 rc=0; shift 2
        # shellcheck disable=SC2016 # $1, $2 expand in the inner shell
        unshare --net -- bash -c '
                set -e
                dir=$1 left=$2; shift 2
                mount -t sysfs sysfs "$dir/sys"
                trap "umount \"$dir/sys\"" EXIT
                ip link add vmnet0 type bridge
                ip tuntap add dev tap-nobody mode tap user 65534
                ip tuntap add dev foreign0 mode tap
                ip link set tap-nobody master vmnet0
                ip link set foreign0 master vmnet0
                "$@" || exit 10
                : > "$left"
                if ip link show dev vmnet0 >/dev/null 2>&1; then echo bridge >> "$left"; fi
                if ip link show dev tap-nobody >/dev/null 2>&1; then echo tap >> "$left"; fi
                if ip link show dev foreign0 >/dev/null 2>&1; then echo foreign >> "$left"; fi
        ' with_lab "$dir" "$CHROOT_TMP/lab-left" "${CHROOT_ENV[@]}" chroot "$dir" "$@" > "$logf" 2>&1 || rc=$?
        [ "$rc" = 0 ] || { tail -n 30 "$logf" >&2; fail "$* failed ($rc)"; }
        LAB_LEFT=$(paste -sd' ' "$CHROOT_TMP/lab-left")
}

# fake_systemd DIR on|off: makes the maintainer scripts believe systemd
# runs (/run/systemd/system) and lets policy-rc.d allow actions, with a
# systemctl that only records its arguments in /tmp/systemctl.log; "off"
# puts the real systemctl and the deny-all policy back.
fake_systemd() {
        local dir=$1
        if [ "$2" = on ]; then
                mv "$dir/usr/bin/systemctl" "$dir/usr/bin/systemctl.real"
                printf '#!/bin/sh\necho "$*" >> /tmp/systemctl.log\nexit 0\n' > "$dir/usr/bin/systemctl"
                chmod 0755 "$dir/usr/bin/systemctl"
                printf '#!/bin/sh\nexit 0\n' > "$dir/usr/sbin/policy-rc.d"
                mkdir -p "$dir/run/systemd/system"
                : > "$dir/tmp/systemctl.log"
        else
                mv "$dir/usr/bin/systemctl.real" "$dir/usr/bin/systemctl"
                printf '#!/bin/sh\nexit 101\n' > "$dir/usr/sbin/policy-rc.d"
                rmdir "$dir/run/systemd/system"
        fi
}

hosts_line() { sed -n 's/^hosts:[[:space:]]*//p' "$1/etc/nsswitch.conf"; }

# check_docs DIR SUITE: the guides are where Debian users look, as files a
# pager opens (not gzipped), the same as in docs/, naming no docs/ folder
# the machine has not, their links to each other resolve there, and each
# man page points to them.
check_docs() {
        local dir=$1 suite=$2 doc=usr/share/doc/vmnet g link m
        for g in "$ROOT"/docs/*.md; do
                cmp -s "$g" "$dir/$doc/${g##*/}" || fail "$suite: /$doc/${g##*/} is missing or not docs/${g##*/}"
                ! grep -n 'docs/' "$dir/$doc/${g##*/}" ||
                        fail "$suite: /$doc/${g##*/} names a docs/ folder (above)"
                while IFS= read -r link; do
                        [ -e "$dir/$doc/$link" ] || fail "$suite: /$doc/${g##*/} links to $link, which is not in /$doc"
                done < <(grep -o '](\([^)#:]*\))' "$g" | sed 's/^](//; s/)$//')
        done
        ! compgen -G "$dir/$doc/*.md.gz" > /dev/null || fail "$suite: gzipped guides in /$doc: $(cd "$dir/$doc" && ls ./*.md.gz)"
        for m in "$dir"/usr/share/man/man*/{vmnet,vmnetd,vmnet.conf,pam_vmnet,libnss_vmnet}.[158].gz; do
                [ -e "$m" ] || continue
                zcat "$m" | grep -q '/usr/share/doc/vmnet/' || fail "$suite: ${m##*/} does not point to the guides"
        done
}

check_installed() {
        local dir=$1 suite=$2 line f multiarch trace out uid
        line=$(hosts_line "$dir")
        # vmnet exactly once, and before dns.
        awk -v l="$line" 'BEGIN { n = split(l, w, /[[:space:]]+/); v = 0; d = 0
                for (i = 1; i <= n; i++) { if (w[i] == "vmnet") { c++; v = i } if (w[i] == "dns" && !d) d = i }
                exit !(c == 1 && v > 0 && d > v) }' ||
                fail "$suite: nsswitch.conf hosts line '$line' lacks one vmnet before dns"
        [ "$(grep -c 'pam_vmnet\.so' "$dir/etc/pam.d/common-session")" = 1 ] ||
                fail "$suite: common-session does not name pam_vmnet.so once: $(grep -v '^#' "$dir/etc/pam.d/common-session")"
        grep -E '^session[[:space:]]+optional[[:space:]]+pam_vmnet\.so' "$dir/etc/pam.d/common-session" >/dev/null ||
                fail "$suite: pam_vmnet is not an optional session module"
        ! grep -q pam_vmnet "$dir/etc/pam.d/common-session-noninteractive" ||
                fail "$suite: pam_vmnet is in common-session-noninteractive (the profile is interactive-only)"

        chroot_offline "$dir" vmnetd --check-config /etc/security/vmnet.conf ||
                fail "$suite: vmnetd --check-config rejects the shipped /etc/security/vmnet.conf"
        # Every default the example shows, uncommented, is accepted, and it
        # shows every key --print-config knows (less socket and run_dir,
        # which only tests move).
        local example=usr/share/doc/vmnet/examples/vmnet.conf.example
        [ -f "$dir/$example" ] || fail "$suite: /$example is missing (or compressed)"
        sed -n 's/^#\([a-z_]* =.*\)$/\1/p' "$dir/$example" > "$dir/tmp/defaults.conf"
        expect_eq "$suite: keys shown in $example" \
                "$(chroot_offline "$dir" vmnetd -c /dev/null --print-config | sed -n 's/^\([a-z_]*\) =.*/\1/p' |
                   grep -v -x -e socket -e run_dir | sort | paste -sd' ')" \
                "$(sed 's/ =.*//' "$dir/tmp/defaults.conf" | sort | paste -sd' ')"
        chroot_offline "$dir" vmnetd --check-config /tmp/defaults.conf ||
                fail "$suite: vmnetd rejects the defaults $example shows"
        # The conffile names no key, so that documenting one (or a new key)
        # never changes it: dpkg asks about an admin's edits on upgrade only
        # when the shipped file changed.
        ! grep -qE '^[#[:space:]]*[a-z_]+[[:space:]]*=' "$dir/etc/security/vmnet.conf" ||
                fail "$suite: the shipped vmnet.conf shows keys: $(grep -E '^[#[:space:]]*[a-z_]+[[:space:]]*=' "$dir/etc/security/vmnet.conf")"
        # The check can fail: a key given twice is refused with FILE:LINE.
        printf 'bridge = vmnet0\nbridge = vmnet1\n' > "$dir/tmp/twice.conf"
        local out rc=0
        out=$(chroot_offline "$dir" vmnetd --check-config /tmp/twice.conf 2>&1) || rc=$?
        [ "$rc" = 1 ] || fail "$suite: vmnetd --check-config on a bad file exited $rc, not 1"
        [[ "$out" == */tmp/twice.conf:2:* ]] || fail "$suite: no FILE:LINE in '$out'"

        # shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
        out=$(chroot_offline "$dir" dpkg-query -W -f='${Conffiles}\n' vmnet)
        grep -q ' /etc/security/vmnet.conf ' <<<"$out" ||
                fail "$suite: /etc/security/vmnet.conf is not a conffile of vmnet: $out"
        ! grep -q -v -E '^[[:space:]]*(#|$)' "$dir/etc/security/vmnet.conf" ||
                fail "$suite: the shipped vmnet.conf sets something"

        multiarch=$(dpkg-architecture -q DEB_HOST_MULTIARCH)
        for f in usr/sbin/vmnetd usr/bin/vmnet usr/lib/vmnet/vmnet-bridge-helper \
                 "usr/lib/$multiarch/security/pam_vmnet.so" "usr/lib/$multiarch/libnss_vmnet.so.2" \
                 usr/share/pam-configs/vmnet \
                 usr/share/man/man8/vmnetd.8.gz usr/share/man/man5/vmnet.conf.5.gz \
                 usr/share/man/man1/vmnet.1.gz usr/share/man/man8/pam_vmnet.8.gz \
                 usr/share/man/man8/libnss_vmnet.8.gz usr/share/doc/vmnet/README.Debian; do
                [ -e "$dir/$f" ] || fail "$suite: /$f is missing"
        done
        check_docs "$dir" "$suite"
        # --version: the package's upstream version, from every program
        local version prog
        # shellcheck disable=SC2016 # a dpkg-query format
        version=$(chroot_offline "$dir" dpkg-query -W -f='${Version}' vmnet)
        for prog in usr/sbin/vmnetd usr/bin/vmnet usr/lib/vmnet/vmnet-bridge-helper; do
                expect_eq "$suite: /$prog --version" "${prog##*/} ${version%-*}" \
                        "$(chroot_offline "$dir" "/$prog" --version)"
        done
        for f in vmnetd.service vmnetd.socket; do
                [ -e "$dir/usr/lib/systemd/system/$f" ] || [ -e "$dir/lib/systemd/system/$f" ] ||
                        fail "$suite: unit $f is missing"
        done
        # vmnetd's system user (sysusers.d), which the service runs as.
        out=$(chroot_offline "$dir" getent passwd vmnet) || fail "$suite: no user vmnet after installation"
        [[ $out == vmnet:x:*:*:*:/nonexistent:*nologin ]] || fail "$suite: the user vmnet is not a system user: $out"
        uid=$(cut -d: -f3 <<<"$out")
        (( uid > 0 && uid < 1000 )) || fail "$suite: vmnet has uid $uid, not a system uid"
        # The units are valid for this suite's systemd, with the programs they
        # run in place.  (The man pages are checked as files above.)
        chroot_offline "$dir" systemd-analyze verify --man=no vmnetd.socket vmnetd.service > "$CHROOT_TMP/$suite-verify.log" 2>&1 ||
                { cat "$CHROOT_TMP/$suite-verify.log" >&2; fail "$suite: systemd-analyze verify rejects the units"; }
        # Enabled, as deb-systemd-helper does without a running systemd.
        [ -L "$dir/etc/systemd/system/sockets.target.wants/vmnetd.socket" ] ||
                fail "$suite: vmnetd.socket is not enabled"
        [ -L "$dir/etc/systemd/system/multi-user.target.wants/vmnetd.service" ] ||
                fail "$suite: vmnetd.service is not enabled"
        # A session through the stack pam-auth-update wrote (a service of
        # the test's that includes common-session, removed right after)
        # loads pam_vmnet.so and, with no vmnetd running, still opens and
        # closes, at once.
        local t0 t1
        printf 'auth required pam_permit.so\n@include common-session\n' > "$dir/etc/pam.d/vmnet-test"
        t0=$(date +%s%N)
        trace=$(chroot_offline "$dir" env LD_DEBUG=files pamtester vmnet-test root open_session close_session 2>&1) ||
                { rm -f "$dir/etc/pam.d/vmnet-test"
                  fail "$suite: a PAM session fails with pam_vmnet and no vmnetd: $(grep -v '^ *[0-9]*:' <<<"$trace")"; }
        t1=$(date +%s%N)
        rm -f "$dir/etc/pam.d/vmnet-test"
        grep -q "calling init: .*/security/pam_vmnet\.so" <<<"$trace" ||
                fail "$suite: the PAM session did not load pam_vmnet.so"
        (( (t1 - t0) / 1000000 < 3000 )) || fail "$suite: the PAM session took $(( (t1 - t0) / 1000000 )) ms"
        # glibc finds the module by its name in nsswitch.conf and loads it
        # (a name "files" does not know; dns after it has no network here).
        trace=$(chroot_offline "$dir" env LD_DEBUG=files getent hosts vmnet-test-no-such-name 2>&1 || true)
        grep -q "calling init: .*/libnss_vmnet\.so\.2" <<<"$trace" ||
                fail "$suite: getent does not load libnss_vmnet.so.2"
}

run_suite() {
        local suite=$1 dir=$CHROOT_TMP/$1 deps t0 names
        t0=$(date +%s)
        chroot_make "$suite" "$dir"
        chroot_mount_proc "$dir"
        mkdir -p "$dir/tmp/debs"
        cp "$debs"/vmnet_*.deb "$debs"/libpam-vmnet_*.deb "$debs"/libnss-vmnet_*.deb "$dir/tmp/debs/"
        names=$(cd "$dir/tmp/debs" && printf '/tmp/debs/%s ' *.deb)

        # Online: the archive's indexes and our dependencies.
        in_chroot "$dir" apt-get -q update > "$CHROOT_TMP/$suite-update.log" 2>&1 ||
                { tail -n 5 "$CHROOT_TMP/$suite-update.log" >&2; skip "$suite: apt-get update cannot reach the archive"; }
        # systemd too: its systemd-analyze checks our units against the
        # suite's own systemd, and deb-systemd-helper meets a real one;
        # pamtester runs a session through the installed PAM stack.
        deps="$(foreign_depends), systemd, pamtester"
        log "$suite: dependencies from the archive: $deps"
        in_chroot "$dir" apt-get -q -y satisfy "$deps" > "$CHROOT_TMP/$suite-deps.log" 2>&1 ||
                { tail -n 20 "$CHROOT_TMP/$suite-deps.log" >&2; fail "$suite: apt-get satisfy '$deps' failed"; }

        snapshot "$dir" "$CHROOT_TMP/$suite.before"

        # Offline from here on.  Absolute paths tell apt these are files.
        # shellcheck disable=SC2086 # $names is a list of file names without spaces
        chroot_offline "$dir" apt-get -q -y install $names > "$CHROOT_TMP/$suite-install.log" 2>&1 ||
                { tail -n 30 "$CHROOT_TMP/$suite-install.log" >&2; fail "$suite: install failed"; }
        check_installed "$dir" "$suite"
        log "$suite: installed: hosts: $(hosts_line "$dir")"
        # The snapshot sees our files (else the comparison after purge proves nothing).
        snapshot "$dir" "$CHROOT_TMP/$suite.installed"
        for f in ./usr/sbin/vmnetd ./etc/security/vmnet.conf ./usr/share/pam-configs/vmnet; do
                grep -qxF "$f" "$CHROOT_TMP/$suite.installed.paths" || fail "$suite: snapshot misses $f"
        done
        cmp -s "$CHROOT_TMP/$suite.before.etc" "$CHROOT_TMP/$suite.installed.etc" &&
                fail "$suite: installing changed no file in /etc (nsswitch.conf, pam.d?)"

        # A reinstall runs the maintainer scripts as an upgrade does (prerm
        # upgrade, postinst configure VERSION): the lab must stay, and of the
        # units only vmnetd.service is restarted, after the files are in
        # place; nothing is stopped, and the socket stays open.
        fake_systemd "$dir" on
        # shellcheck disable=SC2086
        with_lab "$dir" "$CHROOT_TMP/$suite-reinstall.log" apt-get -q -y install --reinstall $names
        expect_eq "$suite: what is left of the lab after a reinstall (upgrade)" "bridge tap foreign" "$LAB_LEFT"
        local calls
        calls=$(grep -E '(start|stop|restart) ' "$dir/tmp/systemctl.log" | sed 's/--[a-z-]* //g' | paste -sd';' -)
        grep -q -E '(^|;)restart vmnetd\.service(;|$)' <<<"$calls" ||
                fail "$suite: an upgrade must restart vmnetd.service alone (systemctl calls: $calls)"
        ! grep -q -E 'stop|restart[^;]*vmnetd\.socket' <<<"$calls" ||
                fail "$suite: an upgrade stops or restarts something (systemctl calls: $calls)"
        check_installed "$dir" "$suite"

        # Removal runs "vmnetd --down" in prerm: the lab and the run files go.
        mkdir -p "$dir/run/vmnet"
        : > "$dir/run/vmnet/hosts"
        : > "$dir/tmp/systemctl.log"
        with_lab "$dir" "$CHROOT_TMP/$suite-purge.log" apt-get -q -y purge "${PACKAGES[@]}"
        # (The admin's foreign0 is not vmnet's to delete.)
        expect_eq "$suite: what is left of the lab after purge (prerm's vmnetd --down)" "foreign" "$LAB_LEFT"
        calls=$(grep -E 'stop ' "$dir/tmp/systemctl.log" | paste -sd';' -)
        if ! grep -q 'vmnetd\.socket' <<<"$calls" || ! grep -q 'vmnetd\.service' <<<"$calls"; then
                fail "$suite: removal does not stop vmnetd.socket and vmnetd.service (systemctl calls: $calls)"
        fi
        fake_systemd "$dir" off
        [ ! -e "$dir/run/vmnet/hosts" ] || fail "$suite: /run/vmnet/hosts survived removing vmnet"
        grep -q vmnet "$dir/etc/nsswitch.conf" && fail "$suite: vmnet left in nsswitch.conf: $(hosts_line "$dir")"
        ! grep -q '^vmnet:' "$dir/etc/passwd" "$dir/etc/group" "$dir/etc/shadow" ||
                fail "$suite: the user or group vmnet is left after purge"
        grep -rq vmnet "$dir/etc/pam.d" && fail "$suite: vmnet left in /etc/pam.d: $(grep -rl vmnet "$dir/etc/pam.d")"
        snapshot "$dir" "$CHROOT_TMP/$suite.after"
        if ! diff -u "$CHROOT_TMP/$suite.before.paths" "$CHROOT_TMP/$suite.after.paths" >&2; then
                fail "$suite: the file tree after purge differs from before install (above)"
        fi
        if ! diff -u "$CHROOT_TMP/$suite.before.etc" "$CHROOT_TMP/$suite.after.etc" >&2; then
                fail "$suite: files in /etc changed between before install and after purge (above)"
        fi
        umount "$dir/proc"
        log "$suite: install, reinstall, purge clean in $(( $(date +%s) - t0 )) s"
        rm -rf "$dir"
}

for suite in $SUITES; do
        run_suite "$suite"
done
log "PASS: ${SUITES}"
