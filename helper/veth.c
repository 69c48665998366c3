/* veth pairs (see veth.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <stdio.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "port_name.h"
#include "veth.h"

/* The pair, the bridge end named port_name; what the kernel made of the
 * bridge end in *ret_port (its ifindex 0: ask the kernel). */
static int add_pair(struct nl_sock *sk, const struct veth_request *req, const char *port_name,
                    struct kernel_link *ret_port) {
        struct rtnl_link *link = rtnl_link_veth_alloc(), *peer;
        /* A pair born plugged has its bridge end first: the kernel applies
         * IFLA_MASTER and IFF_UP to the link a request names, not to its
         * peer.  One request instead of three (measured). */
        bool plugged = req->bridge_ifindex > 0 && req->netns_fd < 0;
        int r;

        if (!link)
                return -ENOMEM;
        peer = rtnl_link_veth_get_peer(link);
        struct rtnl_link *student = plugged ? peer : link, *port = plugged ? link : peer;
        rtnl_link_set_name(student, req->name);
        rtnl_link_set_name(port, port_name);
        /* One queue each, from the start: the kernel's default (one per
         * CPU) is cut to one right after registering, and cutting costs an
         * RCU grace period per end (synchronize_net, measured). */
        rtnl_link_set_num_tx_queues(link, 1);
        rtnl_link_set_num_rx_queues(link, 1);
        rtnl_link_set_num_tx_queues(peer, 1);
        rtnl_link_set_num_rx_queues(peer, 1);
        if (req->mtu > 0) {
                rtnl_link_set_mtu(link, req->mtu);
                rtnl_link_set_mtu(peer, req->mtu);
        }
        if (req->netns_fd >= 0) {
                /* The student's end is born in their namespace (IFLA_NET_NS_FD
                 * on the new link, one request): no setns, and nothing of theirs
                 * is kept.  CAP_NET_ADMIN in vmnetd's user namespace covers the
                 * students' namespaces, which all lie below it. */
                rtnl_link_set_ns_fd(link, req->netns_fd);
                rtnl_link_set_flags(link, IFF_UP);
        }
        *ret_port = (struct kernel_link) {};
        if (plugged) {
                rtnl_link_set_master(port, req->bridge_ifindex);
                rtnl_link_set_flags(port, IFF_UP);
                /* the bridge end as the kernel made it, its peer's index in .link */
                r = link_add_echoed(sk, link, ret_port);
                if (r == -EPROTO)
                        r = 0; /* made, but not echoed: asked for below */
        } else {
                r = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
                r = r < 0 ? errno_from_nl(r) : 0;
        }
        rtnl_link_put(peer); /* get_peer gave us a reference of our own */
        rtnl_link_veth_release(link);
        return r;
}

struct try_pair {
        struct nl_sock *sk;
        const struct veth_request *req;
        struct kernel_link *port;
};

static int try_pair(const char *port_name, void *userdata) {
        const struct try_pair *t = userdata;
        int r = add_pair(t->sk, t->req, port_name, t->port);

        if (r == -EEXIST && link_get(t->sk, 0, port_name, NULL) == -ENODEV)
                return -ENOTUNIQ; /* the student's end's name is the one taken: no other number helps */
        return r;
}

int veth_pair_add(struct nl_sock *sk, const struct veth_request *req, struct kernel_link *ret_port) {
        struct try_pair t = { sk, req, ret_port };
        char port_name[IFNAMSIZ];
        int r;

        r = port_name_take(req->port_prefix, req->next_number, try_pair, &t, port_name);
        if (r == -ENOTUNIQ)
                return -EEXIST;
        if (r < 0)
                return r;
        if (ret_port->ifindex <= 0 && (r = link_get(sk, 0, port_name, ret_port)) < 0)
                return r;
        /* pure layer-2 ports: IPv6 on hundreds of veths made each new one
         * cost tens of milliseconds more (measured) */
        link_disable_ipv6(port_name);
        if (req->netns_fd < 0) {
                link_disable_ipv6(req->name);
                link_ignore_arp(req->name);
        }
        return 0;
}
