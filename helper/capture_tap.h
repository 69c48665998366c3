/* The capture tap: the one thing a capture hands out.  A tap on no
 * bridge, owned by nobody (no one can attach to it by name), with no
 * address, ARP and multicast off and no IPv6 link-local address (so the
 * host never sends on it), MTU 65521 (the largest a tap takes: mirrored
 * frames are never cut), and everything written into it dropped on
 * arrival (mirror.h).  Its fd reads the frames mirrored onto it and can
 * do nothing else: it is not a socket (no bind, no sendto), its writes
 * reach nothing, and the tun ioctls left to its holder change only this
 * device (see docs/capture.md). */
#pragma once
#include "bridge.h"

#define CAPTURE_TAP_PREFIX "vmcap"

/* Makes a capture tap with the lowest free name vmcapN.  nl: the lab's
 * netlink socket; tc_fd: rtnl_open().  Returns 0 with the tap's fd
 * (CLOEXEC, non-blocking; the device goes when the last copy of it is
 * closed) in *ret_fd and what the kernel says of it in *ret; or -errno. */
int capture_tap_create(struct nl_sock *nl, int tc_fd, int *ret_fd, struct kernel_link *ret);
