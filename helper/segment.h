/* A student's private segment in the kernel: a bridge of its own, with no
 * address, no IPv6, no uplink and no guard, named by segment_name.h; its
 * link for VirtualBox and VMware is a veth like a login link (the
 * student's end named by segment_name.h, the other end, SEGMENT_PORT_PREFIX
 * and a number, a port of the segment's bridge).  QEMU's taps and
 * containers' links on a segment are ports named the same way.
 *
 * The host takes no part: segment_seal.h keeps every frame on a segment
 * from reaching the host's own stack (nothing is routed out, nothing of
 * the host's answers), through the bridge or through the link (whose end
 * is the host's too: VirtualBox's hook shares it with the host's stack),
 * which is in the device group SEGMENT_LINK_GROUP for that. */
#pragma once
#include "bridge.h"

#define SEGMENT_PORT_PREFIX "vmns"
#define SEGMENT_LINK_GROUP  0x766d6e73u /* "vmns": the student's ends of segments' links */

/* The counter of segment ports' numbers (port_name.h), one for all of
 * them: veths' (veth.h's next_number) and taps' (segment_port_take). */
unsigned *segment_port_counter(void);
/* port_name_take() with SEGMENT_PORT_PREFIX and that counter. */
int segment_port_take(int (*try)(const char *name, void *userdata), void *userdata, char ret[IFNAMSIZ]);

/* Makes the bridge and the link, both up; -EEXIST if either name is
 * taken (nothing is left behind on failure).  What the kernel made in
 * ret_bridge, ret_link (the student's end) and ret_peer (the bridge port). */
int segment_create(struct nl_sock *sk, const char *bridge, const char *link, struct kernel_link *ret_bridge,
                   struct kernel_link *ret_link, struct kernel_link *ret_peer);

/* An existing segment's bridge up, its link in SEGMENT_LINK_GROUP, the
 * link's other end plugged in again, both ends up (a restart adopting it;
 * segment_create() ends with it). */
int segment_plug(struct nl_sock *sk, int bridge_ifindex, int link_ifindex, int peer_ifindex);
