#!/usr/bin/env bash
# test-timeout: 2400
# The system test: Debian 13 booted in QEMU with systemd as PID 1, the
# three packages built from this tree installed, used by an admin and two
# students, rebooted and purged (tests/system/run, tests/system/inside).
# The first run builds the image (build/system/, a few minutes); later runs
# reuse it.  See tests/system/run for its settings, e.g.
# VMNET_SYSTEM_MAX_EXPOSURE=N.N.
set -euo pipefail
exec "$(dirname "$0")/../system/run" "$@"
