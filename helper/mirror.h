/* Copies of a bridge port's frames, by tc: on the port's clsact hook, a
 * u32 filter that matches everything, with a mirred action that mirrors
 * each frame out of a capture tap and lets the original go on (control
 * "continue", so filters of a higher prio still see it).  Ingress is
 * what the port's VM sends into the lab, egress what the lab sends it.
 * Each capture of a port has its own prio (MIRROR_PRIO_FIRST...), so
 * several people may watch one port; removing one is deleting its prio.
 *
 * And the other way round, for the capture tap itself: everything
 * written into it (its ingress) is dropped on arrival, by a one-
 * instruction classic BPF filter in direct-action mode — no eBPF, so
 * CAP_NET_ADMIN alone does it, and no gact module is needed. */
#pragma once

#define MIRROR_PRIO_FIRST 0xc000   /* after any filter of a lower prio the lab puts on its ports */
#define MIRROR_PRIO_COUNT 16       /* captures of one port at once */

/* fd: rtnl_open().  Each returns 0 or the kernel's -errno. */
int mirror_start(int fd, int port_ifindex, int capture_ifindex, unsigned prio);
/* Removes both filters of prio; a missing one is no error. */
int mirror_stop(int fd, int port_ifindex, unsigned prio);
int mirror_drop_arrivals(int fd, int capture_ifindex);
