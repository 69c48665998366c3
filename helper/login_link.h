/* The login link: a veth pair, the student's end named by tap_name (what
 * VirtualBox and VMware bridge to), the other end (LOGIN_PEER_PREFIX and a
 * number) a port of the lab bridge.  Those hypervisors hook the student's
 * end in the kernel; what they send "to the wire" is what that end
 * transmits, so it crosses into the bridge whatever its destination.  (A
 * tap would hand those frames to whoever holds its queue, and only
 * broadcasts and frames for its own MAC would reach the lab.)  Nothing
 * needs to hold it open: both ends up means carrier.
 *
 * Whether a login link is vmnetd's, and whose, is link_registry's to say:
 * the prefix of the bridge end is for people reading `ip link`. */
#pragma once
#include "bridge.h"

#define LOGIN_PEER_PREFIX "vmnp"
/* The student's end of a login link made ahead of a login (login_pool),
 * until a login takes it: "vmnw" (waiting) and a number. */
#define LOGIN_POOL_PREFIX "vmnw"

/* Makes the pair, `name` for the student's hypervisor, the bridge end
 * plugged into the bridge, both up.  -EEXIST if name exists.  What the
 * kernel made is returned in ret_bridge_end; ret_student_end has the
 * student's end's ifindex and name. */
int login_link_create(struct nl_sock *sk, const char *name, int bridge_ifindex,
                      struct kernel_link *ret_student_end, struct kernel_link *ret_bridge_end);

/* Plugs the bridge end of an existing login link into the bridge (again)
 * and brings both ends up. */
int login_link_plug(struct nl_sock *sk, int student_ifindex, int bridge_end_ifindex, int bridge_ifindex);

/* A login link for no one yet: the pair, the student's end named
 * LOGIN_POOL_PREFIX and a number, the bridge end plugged into the bridge
 * but closed (bridge_port_set_open), both up: the kernel is done with
 * its carrier, its port's state and the bridge's carrier before a login
 * comes, which then only renames it and opens its port (a login that
 * brought it up took 1.3x as long, and the first of a class on an empty
 * bridge up to 100 ms: tests/bench/sessions).  On a kernel that renames
 * no link that is up (before 6.2) they wait down once it said so. */
int login_link_create_pooled(struct nl_sock *sk, int bridge_ifindex, struct kernel_link *ret_student_end,
                             struct kernel_link *ret_bridge_end);

/* A login takes a pooled link: its student's end renamed `name` (and up:
 * a pool of an older vmnetd left it down) and its bridge end's port
 * opened.  -EEXIST if name is taken. */
int login_link_hand_out(struct nl_sock *sk, int student_ifindex, int bridge_end_ifindex, const char *name);
