/* The seam between the lab's logic and the world: every kernel operation
 * and user-database lookup the lab's request paths make goes through one
 * of these.  lab_kernel.c is the real one (netlink, tun, pidfds, NSS);
 * the unit tests give a fake and drive sessions, taps and the
 * authorisation table without privileges (tests/unit/test_lab.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bridge.h"
#include "tap.h"
#include "users.h"

struct lab;

struct lab_ops {
        /* A new login link `name` on the lab bridge (login_link.h); -EEXIST if the name is taken. */
        int (*login_link_create)(struct lab *lab, const char *name, struct kernel_link *ret_student_end,
                                 struct kernel_link *ret_bridge_end);
        /* An existing login link plugged into the lab bridge again, both ends up. */
        int (*login_link_plug)(struct lab *lab, int student_ifindex, int bridge_end_ifindex);
        /* A login link for no one yet, its bridge end's port closed (login_link.h). */
        int (*pool_link_create)(struct lab *lab, struct kernel_link *ret_student_end, struct kernel_link *ret_bridge_end);
        /* That link's student's end renamed `name` and up, its port open; -EEXIST if the name is taken. */
        int (*pool_link_hand_out)(struct lab *lab, int student_ifindex, int bridge_end_ifindex, const char *name);
        /* A new tap, owned by owner, persistent or not, with features (tap.h),
         * plugged into the bridge bridge_ifindex (the lab's or a segment's)
         * with its MTU and up; its fd and ifindex.  -EEXIST if the name is taken. */
        int (*tap_create)(struct lab *lab, const char *name, uid_t owner, bool persistent,
                          const struct tap_features *features, int bridge_ifindex, int *ret_fd, int *ret_ifindex);
        /* A veth: `name` made in the network namespace netns_fd, up; the other
         * end plugged into the bridge bridge_ifindex (the lab's or a
         * segment's) with its MTU and up (in ret_port).  -EEXIST if the
         * namespace has a link of that name. */
        int (*netns_link_create)(struct lab *lab, int netns_fd, const char *name, int bridge_ifindex,
                                 struct kernel_link *ret_port);
        /* A private segment: the bridge `bridge` (no address, no IPv6, up)
         * and the veth `link`, whose other end is a port of that bridge, both
         * up (segment.h).  -EEXIST if either name is taken. */
        int (*segment_create)(struct lab *lab, const char *bridge, const char *link, struct kernel_link *ret_bridge,
                              struct kernel_link *ret_link, struct kernel_link *ret_peer);
        /* An existing segment's bridge up, its link's other end plugged into
         * it again, both ends up. */
        int (*segment_plug)(struct lab *lab, int bridge_ifindex, int link_ifindex, int peer_ifindex);
        /* segment_seal.h's table installed (or replaced). */
        int (*segments_seal)(struct lab *lab);
        /* netns.h's netns_owner(). */
        int (*netns_owner)(int netns_fd, uid_t *ret_owner);
        /* bridge.h's links_delete(). */
        int (*links_delete)(struct lab *lab, const int *ifindexes, size_t n);
        /* What the kernel says about a link now (for STATUS). */
        int (*link_get)(struct lab *lab, int ifindex, struct kernel_link *ret);
        /* The name of the lab bridge's port behind which mac was learnt. */
        int (*port_of_mac)(struct lab *lab, const uint8_t mac[6], char ret_port[IFNAMSIZ]);
        /* A capture tap (capture_tap.h) with port_ifindex mirrored onto it at
         * prio (mirror.h): its fd and what the kernel says of it. */
        int (*capture_start)(struct lab *lab, int port_ifindex, unsigned prio, int *ret_fd, struct kernel_link *ret_tap);
        /* The mirror of port_ifindex at prio removed (a gone port is no error). */
        int (*capture_stop)(struct lab *lab, int port_ifindex, unsigned prio);
        /* process.h. */
        int (*process_pidfd)(pid_t pid, unsigned long long start_time, unsigned long long *ret_start_time);
        int (*process_start_time)(pid_t pid, unsigned long long *ret);
        /* users.h; user_is_allowed with the lab's allow_groups. */
        int (*user_by_name)(const char *name, struct user_info *ret);
        int (*user_by_uid)(uid_t uid, struct user_info *ret);
        bool (*user_is_allowed)(struct lab *lab, const struct user_info *user);
};

extern const struct lab_ops lab_kernel_ops;
