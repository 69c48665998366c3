/* The veth pairs vmnetd makes: one end for the student (a login link's
 * tap-USER here, or a container's eth0 made right inside the student's
 * network namespace), the other a port for the lab bridge, here, named a
 * prefix and a number.  Both ends are pure layer-2 where vmnetd can reach
 * them (no IPv6: see veth.c). */
#pragma once
#include "bridge.h"

/* The bridge end of a link into a student's namespace: "vmnc" (vmnet
 * container) and a number.  (A login link's is LOGIN_PEER_PREFIX.)  Whose
 * it is, the registry says; the prefix is for people reading ip link, and
 * for the guard to close such a port until it knows it. */
#define NETNS_PORT_PREFIX "vmnc"

struct veth_request {
        const char *name;        /* the student's end */
        int netns_fd;            /* -1: here; else made in that network namespace, and up
                                  * from the start (vmnetd never enters it afterwards) */
        unsigned mtu;            /* both ends; 0: the kernel's default */
        const char *port_prefix; /* the bridge end's name: prefix and *next_number */
        unsigned *next_number;   /* the prefix's counter, taken in turn */
        int bridge_ifindex;      /* > 0 (and netns_fd -1): the bridge end is born a port of
                                  * that bridge, and up; else down and on no bridge */
};

/* Makes the pair: what the kernel made of the bridge end in *ret_port,
 * whose .link is the student's end's ifindex (0 when that end was born
 * in another namespace).  -EEXIST when the student's end's name is taken
 * (here, or in that namespace). */
int veth_pair_add(struct nl_sock *sk, const struct veth_request *req, struct kernel_link *ret_port);
