/* Capture taps (see capture_tap.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "capture_tap.h"
#include "cleanup.h"
#include "mirror.h"
#include "rtnl_msg.h"
#include "tap.h"

#define CAPTURE_TAPS_MAX 1024
#define CAPTURE_TAP_MTU  65521  /* 65535 less the Ethernet header: the tun maximum */

#ifndef IN6_ADDR_GEN_MODE_NONE
#define IN6_ADDR_GEN_MODE_NONE 1
#endif

static int set_link(int fd, int ifindex, unsigned flags, unsigned change, bool setup) {
        struct ifinfomsg i = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = flags,
                               .ifi_change = change };
        struct rtnl_msg m;

        rtnl_msg_init(&m, RTM_NEWLINK, 0, &i, sizeof i);
        if (setup) {
                rtnl_msg_put_u32(&m, IFLA_MTU, CAPTURE_TAP_MTU);
                rtnl_msg_begin_nest(&m, IFLA_AF_SPEC);
                rtnl_msg_begin_nest(&m, AF_INET6);
                rtnl_msg_put_u8(&m, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
                rtnl_msg_end_nest(&m);
                rtnl_msg_end_nest(&m);
        }
        return rtnl_transact(fd, &m);
}

int capture_tap_create(struct nl_sock *nl, int tc_fd, int *ret_fd, struct kernel_link *ret) {
        _cleanup_close_ int fd = -1;
        struct kernel_link link;
        char name[IFNAMSIZ];
        int r = -EEXIST;

        for (unsigned n = 0; n < CAPTURE_TAPS_MAX && r == -EEXIST; n++) {
                snprintf(name, sizeof name, CAPTURE_TAP_PREFIX "%u", n);
                r = tap_create(name, (uid_t)-1, false, NULL, &fd);
        }
        if (r < 0)
                return r == -EEXIST ? -EMFILE : r;
        r = link_get(nl, 0, name, &link);
        if (r < 0)
                return r;
        /* quiet and deaf before it comes up: the host sends nothing on it,
         * and takes nothing from it */
        r = set_link(tc_fd, link.ifindex, IFF_NOARP, IFF_NOARP | IFF_MULTICAST, true);
        if (r >= 0)
                r = mirror_drop_arrivals(tc_fd, link.ifindex);
        if (r >= 0)
                r = set_link(tc_fd, link.ifindex, IFF_UP, IFF_UP, false);
        if (r < 0)
                return r; /* not persistent: the device goes with fd */
        *ret_fd = TAKE_FD(fd);
        *ret = link;
        return 0;
}
