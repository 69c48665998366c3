/* Login links (see login_link.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "login_link.h"

int login_link_plug(struct nl_sock *sk, int student_ifindex, int bridge_end_ifindex, int bridge_ifindex) {
        int r = link_plug(sk, bridge_end_ifindex, bridge_ifindex, 0);
        if (r < 0)
                return r;
        return link_set_up(sk, student_ifindex);
}

static void disable_ipv6(const char *name) {
        char path[96];
        _cleanup_close_ int fd = -1;

        snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return; /* a kernel without IPv6 */
        if (write(fd, "1\n", 2) != 2)
                log_debug("cannot turn IPv6 off on %s: %m", name);
}

/* The next bridge-end name to try; names are taken in turn, so after the
 * first of a run a creation needs no search (the kernel's "%d" would scan
 * every link each time). */
static unsigned next_peer_number;

static int add_pair(struct nl_sock *sk, const char *name, const char *peer_name) {
        struct rtnl_link *link = rtnl_link_veth_alloc(), *peer;
        int r;

        if (!link)
                return -ENOMEM;
        peer = rtnl_link_veth_get_peer(link);
        rtnl_link_set_name(link, name);
        rtnl_link_set_name(peer, peer_name);
        r = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
        rtnl_link_put(peer); /* get_peer gave us a reference of our own */
        rtnl_link_veth_release(link);
        return r < 0 ? errno_from_nl(r) : 0;
}

int login_link_create(struct nl_sock *sk, const char *name, int bridge_ifindex,
                      struct kernel_link *ret_student_end, struct kernel_link *ret_bridge_end) {
        struct kernel_link student, bridge_end;
        char peer_name[IFNAMSIZ];
        int r = -EEXIST;

        for (unsigned tries = 0; tries < 100000 && r == -EEXIST; tries++) {
                snprintf(peer_name, sizeof peer_name, LOGIN_PEER_PREFIX "%u", next_peer_number++ % 100000000u);
                r = add_pair(sk, name, peer_name);
                if (r == -EEXIST && link_get(sk, 0, name, NULL) == 0)
                        return -EEXIST; /* the student's end exists, not the peer's name */
        }
        if (r < 0)
                return r;
        r = link_get(sk, 0, name, &student);
        if (r >= 0)
                r = link_get(sk, 0, peer_name, &bridge_end);
        if (r < 0)
                return r;
        /* Pure layer-2 ports: no IPv6 link-local address, DAD or MLD on either
         * end.  Besides being noise on the lab, IPv6 on hundreds of veths made
         * each new one cost tens of milliseconds more (measured).  Done while
         * both are still down. */
        disable_ipv6(name);
        disable_ipv6(peer_name);
        r = login_link_plug(sk, student.ifindex, bridge_end.ifindex, bridge_ifindex);
        if (r < 0) {
                (void)link_delete(sk, student.ifindex); /* takes the peer along */
                return r;
        }
        *ret_student_end = student;
        *ret_bridge_end = bridge_end;
        return 0;
}
