/* rtnetlink link events through libnl (see link_events.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "link_events.h"
#include "log.h"

#define SUBSCRIBERS_MAX 8
/* A mass logout deletes thousands of links at once: room for their events. */
#define RECEIVE_BUFFER (4 << 20)

struct link_events {
        struct nl_sock *sk;
        struct {
                link_event_fn fn;
                void *userdata;
        } subscribers[SUBSCRIBERS_MAX];
        size_t n_subscribers;
        bool deleted; /* the message being parsed is an RTM_DELLINK */
};

static void dispatch(struct link_events *e, const struct kernel_link *link, bool deleted) {
        for (size_t i = 0; i < e->n_subscribers; i++)
                e->subscribers[i].fn(e->subscribers[i].userdata, link, deleted);
}

static void on_link(struct nl_object *obj, void *userdata) {
        struct link_events *e = userdata;
        struct kernel_link link;

        kernel_link_from_rtnl((struct rtnl_link *)obj, &link);
        dispatch(e, &link, e->deleted);
}

static int on_message(struct nl_msg *msg, void *userdata) {
        struct link_events *e = userdata;
        int type = nlmsg_hdr(msg)->nlmsg_type;

        if (type != RTM_NEWLINK && type != RTM_DELLINK)
                return NL_OK;
        /* The bridge's own notices about its ports (family AF_BRIDGE): a
         * port that leaves a bridge gets an RTM_DELLINK of that family while
         * the link lives on.  The link's life is told in AF_UNSPEC. */
        const struct ifinfomsg *ifi = nlmsg_data(nlmsg_hdr(msg));
        if (nlmsg_datalen(nlmsg_hdr(msg)) >= (int)sizeof *ifi && ifi->ifi_family == AF_BRIDGE)
                return NL_OK;
        e->deleted = type == RTM_DELLINK;
        (void)nl_msg_parse(msg, on_link, e);
        return NL_OK;
}

int link_events_open(struct link_events **ret) {
        struct link_events *e = calloc(1, sizeof *e);
        int r;

        if (!e)
                return -ENOMEM;
        e->sk = nl_socket_alloc();
        if (!e->sk) {
                free(e);
                return -ENOMEM;
        }
        nl_socket_disable_seq_check(e->sk);
        nl_socket_modify_cb(e->sk, NL_CB_VALID, NL_CB_CUSTOM, on_message, e);
        r = nl_connect(e->sk, NETLINK_ROUTE);
        if (r >= 0)
                r = nl_socket_add_membership(e->sk, RTNLGRP_LINK);
        if (r >= 0)
                r = nl_socket_set_nonblocking(e->sk);
        if (r < 0) {
                link_events_close(e);
                return errno_from_nl(r);
        }
        int fd = nl_socket_get_fd(e->sk), size = RECEIVE_BUFFER;
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC); /* libnl opens without it: dnsmasq must not inherit it */
        /* beyond rmem_max with CAP_NET_ADMIN, else as much as allowed */
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
                (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        *ret = e;
        return 0;
}

void link_events_close(struct link_events *e) {
        if (!e)
                return;
        nl_socket_free(e->sk);
        free(e);
}

int link_events_fd(const struct link_events *e) {
        return nl_socket_get_fd(e->sk);
}

int link_events_subscribe(struct link_events *e, link_event_fn fn, void *userdata) {
        if (e->n_subscribers == SUBSCRIBERS_MAX)
                return -ENOSPC;
        e->subscribers[e->n_subscribers].fn = fn;
        e->subscribers[e->n_subscribers].userdata = userdata;
        e->n_subscribers++;
        return 0;
}

/* Reads per call at most: other event sources get their turn. */
#define READS_MAX 64

int link_events_process(struct link_events *e) {
        for (unsigned i = 0; i < READS_MAX; i++) {
                int r = nl_recvmsgs_default(e->sk);
                if (r >= 0)
                        continue;
                if (r == -NLE_AGAIN)
                        return 0;
                /* libnl reports the kernel's ENOBUFS (events lost) as NLE_NOMEM */
                if (r == -NLE_NOMEM) {
                        log_warn("link events were lost; checking vmnetd's links against the kernel");
                        dispatch(e, NULL, false);
                        continue;
                }
                return errno_from_nl(r);
        }
        return 0; /* more is waiting: epoll says so again */
}
