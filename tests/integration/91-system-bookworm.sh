#!/usr/bin/env bash
# test-timeout: 2400
# The system test on Debian 12: the same as 90-system, in a booted
# bookworm (its kernel 6.1, systemd 252), where vmnetd's newer paths
# (a login link in one netlink request, the pool's rename of a link that
# is up) take the older kernel's way.  Its image is build/system-bookworm/.
set -euo pipefail
VMNET_SYSTEM_SUITE=bookworm exec "$(dirname "$0")/../system/run" "$@"
