/* Private segments in the kernel (see segment.h). */
#define _GNU_SOURCE
#include <errno.h>

#include "log.h"
#include "port_name.h"
#include "segment.h"
#include "veth.h"

static unsigned next_port_number;

unsigned *segment_port_counter(void) {
        return &next_port_number;
}

int segment_port_take(int (*try)(const char *name, void *userdata), void *userdata, char ret[IFNAMSIZ]) {
        return port_name_take(SEGMENT_PORT_PREFIX, &next_port_number, try, userdata, ret);
}

int segment_plug(struct nl_sock *sk, int bridge_ifindex, int link_ifindex, int peer_ifindex) {
        int r = link_set_up(sk, bridge_ifindex);
        if (r >= 0)
                r = link_set_group(sk, link_ifindex, SEGMENT_LINK_GROUP);
        if (r >= 0)
                r = link_plug(sk, peer_ifindex, bridge_ifindex, 0);
        if (r >= 0)
                r = link_set_up(sk, link_ifindex);
        return r;
}

int segment_create(struct nl_sock *sk, const char *bridge, const char *link, struct kernel_link *ret_bridge,
                   struct kernel_link *ret_link, struct kernel_link *ret_peer) {
        const struct veth_request req = {
                .name = link, .netns_fd = -1, .port_prefix = SEGMENT_PORT_PREFIX, .next_number = &next_port_number,
        };
        struct kernel_link br, student, peer;
        int r;

        r = bridge_create(sk, bridge);
        if (r < 0)
                return r;
        /* the host takes no part: not even a link-local address there */
        link_disable_ipv6(bridge);
        r = link_get(sk, 0, bridge, &br);
        if (r >= 0) {
                /* bounded as the lab bridge is: a student's MAC flood fills their own table only */
                int ro = bridge_set_options(sk, br.ifindex, BRIDGE_FDB_MAX_LEARNED);
                if (ro < 0)
                        log_warn_errno(ro, "cannot bound the FDB of %s: %m", bridge);
                r = veth_pair_add(sk, &req, &peer);
        }
        if (r < 0) {
                (void)link_delete(sk, br.ifindex);
                return r;
        }
        r = link_get(sk, 0, link, &student);
        if (r >= 0)
                r = segment_plug(sk, br.ifindex, student.ifindex, peer.ifindex);
        if (r < 0) {
                const int both[] = { br.ifindex, peer.ifindex }; /* the student's end goes with its peer */
                (void)links_delete(sk, both, 2);
                return r;
        }
        *ret_bridge = br;
        *ret_link = student;
        *ret_peer = peer;
        return 0;
}
