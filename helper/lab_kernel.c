/* The lab's real world (see lab_ops.h): netlink, tun, namespaces, pidfds, NSS. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture_tap.h"
#include "cleanup.h"
#include "fdb.h"
#include "lab.h"
#include "lab_ops.h"
#include "login_link.h"
#include "netns.h"
#include "mirror.h"
#include "process.h"
#include "segment.h"
#include "segment_seal.h"
#include "sysfs.h"
#include "tap.h"
#include "veth.h"

static int kernel_login_link_create(struct lab *lab, const char *name, struct kernel_link *ret_student_end,
                                    struct kernel_link *ret_bridge_end) {
        return login_link_create(lab->nl, name, lab->bridge_ifindex, ret_student_end, ret_bridge_end);
}

static int kernel_login_link_plug(struct lab *lab, int student_ifindex, int bridge_end_ifindex) {
        return login_link_plug(lab->nl, student_ifindex, bridge_end_ifindex, lab->bridge_ifindex);
}

static int kernel_pool_link_create(struct lab *lab, struct kernel_link *ret_student_end,
                                   struct kernel_link *ret_bridge_end) {
        return login_link_create_pooled(lab->nl, lab->bridge_ifindex, ret_student_end, ret_bridge_end);
}

static int kernel_pool_link_hand_out(struct lab *lab, int student_ifindex, int bridge_end_ifindex,
                                     const char *name) {
        return login_link_hand_out(lab->nl, student_ifindex, bridge_end_ifindex, name);
}

/* The bridge's MTU for a new port: a bridge of jumbo frames (an external
 * uplink) keeps them, and a port with a smaller MTU would silently drop
 * the guests' big frames.  0 (the kernel's default) when unknown. */
static unsigned bridge_mtu(struct lab *lab) {
        int mtu = 0;

        if (sysfs_read_int(lab->config.bridge, "mtu", &mtu) < 0 || mtu <= 0)
                return 0;
        return (unsigned)mtu;
}

/* A port of the lab bridge takes its MTU; a segment's ports keep the
 * kernel's default, as the segment's bridge does. */
static unsigned port_mtu(struct lab *lab, int bridge_ifindex) {
        return bridge_ifindex == lab->bridge_ifindex ? bridge_mtu(lab) : 0;
}

static int kernel_tap_create(struct lab *lab, const char *name, uid_t owner, bool persistent,
                             const struct tap_features *features, int bridge_ifindex, int *ret_fd,
                             int *ret_ifindex) {
        _cleanup_close_ int fd = -1;
        struct kernel_link link;
        int r;

        r = tap_create(name, owner, persistent, features, &fd);
        if (r < 0)
                return r;
        r = link_get(lab->nl, 0, name, &link);
        if (r >= 0)
                r = link_plug(lab->nl, link.ifindex, bridge_ifindex, port_mtu(lab, bridge_ifindex));
        if (r < 0) {
                if (persistent)
                        (void)tap_unpersist(fd); /* it goes with fd */
                return r;
        }
        *ret_fd = TAKE_FD(fd);
        *ret_ifindex = link.ifindex;
        return 0;
}

static unsigned next_netns_port_number;

static int kernel_netns_link_create(struct lab *lab, int netns_fd, const char *name, int bridge_ifindex,
                                    struct kernel_link *ret_port) {
        /* a segment's port never takes a prefix the guard closes on the lab */
        bool on_lab = bridge_ifindex == lab->bridge_ifindex;
        const struct veth_request req = {
                .name = name, .netns_fd = netns_fd, .mtu = port_mtu(lab, bridge_ifindex),
                .port_prefix = on_lab ? NETNS_PORT_PREFIX : SEGMENT_PORT_PREFIX,
                .next_number = on_lab ? &next_netns_port_number : segment_port_counter(),
        };
        struct kernel_link port;
        int r;

        r = veth_pair_add(lab->nl, &req, &port);
        if (r < 0)
                return r;
        r = link_plug(lab->nl, port.ifindex, bridge_ifindex, req.mtu);
        if (r < 0) {
                (void)link_delete(lab->nl, port.ifindex); /* takes the namespace's end along */
                return r;
        }
        *ret_port = port;
        return 0;
}

static int kernel_segment_create(struct lab *lab, const char *bridge, const char *link, struct kernel_link *ret_bridge,
                                 struct kernel_link *ret_link, struct kernel_link *ret_peer) {
        return segment_create(lab->nl, bridge, link, ret_bridge, ret_link, ret_peer);
}

static int kernel_segment_plug(struct lab *lab, int bridge_ifindex, int link_ifindex, int peer_ifindex) {
        return segment_plug(lab->nl, bridge_ifindex, link_ifindex, peer_ifindex);
}

static int kernel_segments_seal(struct lab *lab) {
        (void)lab;
        return segment_seal_apply();
}

static int kernel_links_delete(struct lab *lab, const int *ifindexes, size_t n) {
        return links_delete(lab->nl, ifindexes, n);
}

static int kernel_link_get(struct lab *lab, int ifindex, struct kernel_link *ret) {
        return link_get(lab->nl, ifindex, NULL, ret);
}

static int kernel_port_of_mac(struct lab *lab, const uint8_t mac[6], char ret_port[IFNAMSIZ]) {
        if (!lab->fdb) {
                struct kernel_link port;
                int ifindex, r = fdb_port_of_mac(lab->nl, lab->bridge_ifindex, mac, &ifindex);
                if (r >= 0)
                        r = link_get(lab->nl, ifindex, NULL, &port);
                if (r >= 0)
                        strcpy(ret_port, port.name);
                return r;
        }
        const struct fdb_sighting *e = fdb_find(lab->fdb, lab->n_fdb, mac);
        if (!e)
                return -ENOENT;
        strcpy(ret_port, e->port);
        return 0;
}

void lab_fdb_hold(struct lab *lab) {
        lab_fdb_release(lab);
        if (fdb_read(lab->config.bridge, &lab->fdb, &lab->n_fdb) < 0)
                return; /* each lookup reads it then */
        fdb_sort(lab->fdb, lab->n_fdb);
        if (!lab->fdb)
                lab->fdb = calloc(1, sizeof *lab->fdb); /* held, and empty */
}

void lab_fdb_release(struct lab *lab) {
        free(lab->fdb);
        lab->fdb = NULL;
        lab->n_fdb = 0;
}

static int kernel_capture_start(struct lab *lab, int port_ifindex, unsigned prio, int *ret_fd,
                                struct kernel_link *ret_tap) {
        _cleanup_close_ int fd = -1;
        struct kernel_link tap;
        int r;

        r = capture_tap_create(lab->nl, lab->tc_fd, &fd, &tap);
        if (r < 0)
                return r;
        r = mirror_start(lab->tc_fd, port_ifindex, tap.ifindex, prio);
        if (r < 0)
                return r; /* the tap goes with fd */
        *ret_fd = TAKE_FD(fd);
        *ret_tap = tap;
        return 0;
}

static int kernel_capture_stop(struct lab *lab, int port_ifindex, unsigned prio) {
        return mirror_stop(lab->tc_fd, port_ifindex, prio);
}

static bool kernel_user_is_allowed(struct lab *lab, const struct user_info *user) {
        return user_is_allowed(&lab->config, lab->allowed_gids, lab->n_allowed_gids, user);
}

const struct lab_ops lab_kernel_ops = {
        .login_link_create = kernel_login_link_create,
        .login_link_plug = kernel_login_link_plug,
        .pool_link_create = kernel_pool_link_create,
        .pool_link_hand_out = kernel_pool_link_hand_out,
        .tap_create = kernel_tap_create,
        .netns_link_create = kernel_netns_link_create,
        .netns_owner = netns_owner,
        .segment_create = kernel_segment_create,
        .segment_plug = kernel_segment_plug,
        .segments_seal = kernel_segments_seal,
        .links_delete = kernel_links_delete,
        .link_get = kernel_link_get,
        .port_of_mac = kernel_port_of_mac,
        .capture_start = kernel_capture_start,
        .capture_stop = kernel_capture_stop,
        .process_pidfd = process_pidfd,
        .process_start_time = process_start_time,
        .user_by_name = user_by_name,
        .user_by_uid = user_by_uid,
        .user_is_allowed = kernel_user_is_allowed,
};
