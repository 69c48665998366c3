/* A student's network namespace on the lab: a veth whose one end vmnetd
 * makes inside it, the other a port of the lab bridge (see lab.h).  The
 * kernel alone says whose the namespace is; the link lives exactly as long
 * as the namespace (the kernel deletes both ends with it, and the link
 * event takes the record: lab_lifecycle.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ifname.h"
#include "lab.h"
#include "lab_ops.h"
#include "log.h"
#include "netns.h"

#define NETNS_DEFAULT_IFNAME "eth0"

int lab_netns_attach(struct lab *lab, const struct user_info *user, int netns_fd, const char *ifname,
                     const char *segment, char ret_port[IFNAMSIZ]) {
        const char *name = ifname[0] ? ifname : NETNS_DEFAULT_IFNAME;
        const struct link_record *seg = NULL;
        struct kernel_link port;
        uid_t owner;
        int r;

        if (!ifname_is_valid(name))
                return -EBADMSG;
        if (!lab->ops->user_is_allowed(lab, user))
                return -EPERM;
        if (segment[0]) {
                /* one of the caller's own segments; any other name is the one refusal */
                seg = lab_segment_of(lab, user->uid, segment);
                if (!seg) {
                        log_info("netns attach for %s refused: no segment of theirs is called that", user->name);
                        return -EPERM;
                }
        }
        r = lab->ops->netns_owner(netns_fd, &owner);
        if (r < 0) {
                log_info("netns attach for %s refused: what was passed %s", user->name, netns_refusal_reason(r));
                return -EPERM;
        }
        if (owner != user->uid) {
                log_info("netns attach for %s refused: the namespace is uid %u's", user->name, (unsigned)owner);
                return -EPERM;
        }
        if (lab_quota_reached(lab, user->uid)) {
                log_info("netns attach for %s refused: max_taps (%u) reached", user->name, lab->config.max_taps);
                return -EDQUOT;
        }
        r = lab->ops->netns_link_create(lab, netns_fd, name, seg ? seg->ifindex : lab->bridge_ifindex, &port);
        if (r == -EEXIST)
                return -ENOTUNIQ;
        if (r < 0)
                return log_error_errno(r, "cannot make a link into a namespace of %s's: %m", user->name);
        struct link_record rec = { .ifindex = port.ifindex, .kind = seg ? LINK_SEGMENT_NETNS : LINK_NETNS,
                                   .owner = user->uid, .segment = seg ? seg->ifindex : 0 };
        strcpy(rec.name, port.name);
        /* seg points into the registry, which the record may move */
        char on[sizeof "segment " + IFNAMSIZ];
        snprintf(on, sizeof on, "%s%s", seg ? "segment " : "", seg ? seg->label : lab->config.bridge);
        r = lab_record_link(lab, &rec);
        if (r < 0)
                return r;
        log_info("%s in a network namespace of %s's, on %s through %s", name, user->name, on, port.name);
        strcpy(ret_port, port.name);
        return 0;
}
