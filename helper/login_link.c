/* Login links (see login_link.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "login_link.h"
#include "veth.h"

int login_link_plug(struct nl_sock *sk, int student_ifindex, int bridge_end_ifindex, int bridge_ifindex) {
        int r = link_plug(sk, bridge_end_ifindex, bridge_ifindex, 0);
        if (r < 0)
                return r;
        return link_set_up(sk, student_ifindex);
}

static unsigned next_peer_number;

/* The pair, its bridge end born plugged into the bridge and up; the
 * student's end named name, down (known by its ifindex and name). */
static int pair_plugged(struct nl_sock *sk, const char *name, int bridge_ifindex, struct kernel_link *ret_student_end,
                        struct kernel_link *ret_bridge_end) {
        const struct veth_request req = {
                .name = name, .netns_fd = -1, .port_prefix = LOGIN_PEER_PREFIX, .next_number = &next_peer_number,
                .bridge_ifindex = bridge_ifindex,
        };
        int r = veth_pair_add(sk, &req, ret_bridge_end);

        if (r < 0)
                return r;
        *ret_student_end = (struct kernel_link) { .ifindex = ret_bridge_end->link, .link = ret_bridge_end->ifindex };
        snprintf(ret_student_end->name, sizeof ret_student_end->name, "%s", name);
        return 0;
}

int login_link_create(struct nl_sock *sk, const char *name, int bridge_ifindex,
                      struct kernel_link *ret_student_end, struct kernel_link *ret_bridge_end) {
        int r = pair_plugged(sk, name, bridge_ifindex, ret_student_end, ret_bridge_end);

        if (r < 0)
                return r;
        r = link_set_up(sk, ret_student_end->ifindex);
        if (r < 0)
                (void)link_delete(sk, ret_bridge_end->ifindex); /* takes the student's end along */
        return r;
}

static unsigned next_pool_number;
/* Whether the kernel renames a link that is up (6.2 and later): until it
 * refuses once, the pool's links wait up.  After that they wait down, as
 * a rename and up in one request is then cheaper than down, rename, up. */
static bool kernel_renames_up_links = true;

int login_link_create_pooled(struct nl_sock *sk, int bridge_ifindex, struct kernel_link *ret_student_end,
                             struct kernel_link *ret_bridge_end) {
        char name[IFNAMSIZ];
        int r = -EEXIST;

        /* a name of the pool's that is taken (by anyone) only costs a try */
        for (unsigned tries = 0; tries < 1000 && r == -EEXIST; tries++) {
                snprintf(name, sizeof name, "%s%u", LOGIN_POOL_PREFIX, next_pool_number++ % 100000000u);
                r = pair_plugged(sk, name, bridge_ifindex, ret_student_end, ret_bridge_end);
        }
        if (r < 0)
                return r;
        /* closed before it has carrier, so that no broadcast ever reaches it */
        r = bridge_port_set_open(sk, ret_bridge_end->ifindex, false);
        if (r >= 0 && kernel_renames_up_links)
                r = link_set_up(sk, ret_student_end->ifindex);
        if (r < 0)
                (void)link_delete(sk, ret_bridge_end->ifindex); /* takes the student's end along */
        return r;
}

int login_link_hand_out(struct nl_sock *sk, int student_ifindex, int bridge_end_ifindex, const char *name) {
        int r = link_rename_up(sk, student_ifindex, name);

        if (r == -EBUSY) { /* a kernel before 6.2 renames no link that is up */
                kernel_renames_up_links = false;
                r = link_rename(sk, student_ifindex, name);
        }
        if (r < 0)
                return r;
        /* frames flow once the link has the student's name */
        return bridge_port_set_open(sk, bridge_end_ifindex, true);
}
