/* rtnetlink through libnl-route-3 (see bridge.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "array.h"
#include "bridge.h"
#include "cleanup.h"
#include "log.h"
#include "mac_address.h"

/* The device group links wait in for their batched deletion ("vmnt"). */
#define VMNET_DYING_GROUP 0x766d6e74u

int errno_from_nl(int nlerr) {
        switch (-nlerr) {
        case NLE_EXIST:          return -EEXIST;
        case NLE_NODEV:
        case NLE_OBJ_NOTFOUND:   return -ENODEV;
        case NLE_PERM:           return -EPERM;
        case NLE_BUSY:           return -EBUSY;
        case NLE_NOMEM:          return -ENOMEM;
        case NLE_INVAL:          return -EINVAL;
        case NLE_OPNOTSUPP:      return -EOPNOTSUPP;
        default:                 return -EIO;
        }
}

#define NETLINK_BUFFER (64u << 10)

int netlink_open(struct nl_sock **ret) {
        struct nl_sock *sk = nl_socket_alloc();
        int r;

        if (!sk)
                return -ENOMEM;
        r = nl_connect(sk, NETLINK_ROUTE);
        if (r < 0) {
                log_error("netlink: %s", nl_geterror(r));
                nl_socket_free(sk);
                return errno_from_nl(r);
        }
        /* the kernel fills each part of a dump as big as the reader's
         * buffer, and rtnl_bridge_getlink walks every link again for each
         * part (the kernel takes at most 32 KiB a part): with libnl's
         * default of a page, fdb_read() at 1000 ports took 0.43-0.53 ms,
         * with this 0.33-0.35 ms (measured) */
        r = nl_socket_set_msg_buf_size(sk, NETLINK_BUFFER);
        if (r < 0) {
                nl_socket_free(sk);
                return errno_from_nl(r);
        }
        /* libnl opens without CLOEXEC: dnsmasq must not inherit it */
        (void)fcntl(nl_socket_get_fd(sk), F_SETFD, FD_CLOEXEC);
        *ret = sk;
        return 0;
}

void netlink_close(struct nl_sock *sk) {
        if (sk)
                nl_socket_free(sk);
}

/* Applies `change` to the link with ifindex. */
static int link_change(struct nl_sock *sk, int ifindex, struct rtnl_link *change) {
        struct rtnl_link *orig = rtnl_link_alloc();
        int r;

        if (!orig)
                return -ENOMEM;
        rtnl_link_set_ifindex(orig, ifindex);
        r = rtnl_link_change(sk, orig, change, 0);
        rtnl_link_put(orig);
        return r < 0 ? errno_from_nl(r) : 0;
}

int link_set_up(struct nl_sock *sk, int ifindex) {
        struct rtnl_link *change = rtnl_link_alloc();
        int r;

        if (!change)
                return -ENOMEM;
        rtnl_link_set_flags(change, IFF_UP);
        r = link_change(sk, ifindex, change);
        rtnl_link_put(change);
        return r;
}

/* The address object for (ifindex, address/prefix_len), or NULL. */
static struct rtnl_addr *address_object(int ifindex, struct in_addr address, unsigned prefix_len) {
        struct rtnl_addr *a = rtnl_addr_alloc();
        struct nl_addr *local = nl_addr_build(AF_INET, &address, sizeof address);

        if (!a || !local) {
                nl_addr_put(local);
                rtnl_addr_put(a);
                return NULL;
        }
        nl_addr_set_prefixlen(local, prefix_len);
        rtnl_addr_set_ifindex(a, ifindex);
        rtnl_addr_set_local(a, local);
        rtnl_addr_set_prefixlen(a, prefix_len);
        nl_addr_put(local);
        return a;
}

int link_address_add(struct nl_sock *sk, int ifindex, struct in_addr address, unsigned prefix_len) {
        struct rtnl_addr *a = address_object(ifindex, address, prefix_len);
        int r;

        if (!a)
                return -ENOMEM;
        r = rtnl_addr_add(sk, a, NLM_F_EXCL);
        rtnl_addr_put(a);
        return r < 0 ? errno_from_nl(r) : 0;
}

int link_address_delete(struct nl_sock *sk, int ifindex, struct in_addr address, unsigned prefix_len) {
        struct rtnl_addr *a = address_object(ifindex, address, prefix_len);
        int r;

        if (!a)
                return -ENOMEM;
        r = rtnl_addr_delete(sk, a, 0);
        rtnl_addr_put(a);
        /* gone already (with its link, or by hand): what was asked for */
        return r < 0 && r != -NLE_NOADDR && r != -NLE_NODEV && r != -NLE_OBJ_NOTFOUND ? errno_from_nl(r) : 0;
}

/* IFLA_BR_FDB_MAX_LEARNED (linux/if_link.h of 6.8; Debian 12's headers
 * are older).  A kernel without it ignores the attribute. */
#define BRIDGE_ATTR_FDB_MAX_LEARNED 49

/* What vmnetd wants of a bridge of its own, in the bridge's own
 * attributes (libnl has no setters for them): the FDB bounded, and
 * multicast snooping off — on every port that comes or goes the kernel
 * re-arms each other port's multicast timers (br_port_state_selection),
 * which made a mass logout's deletions a third slower with 1000 ports
 * (measured, tests/bench/sessions); multicast is flooded to every port
 * instead, as broadcast is. */
/* One attribute of a link's kind data (IFLA_INFO_DATA) or of its data as
 * a port (IFLA_INFO_SLAVE_DATA): a u8 unless u32 says otherwise. */
struct link_info_attr {
        int type;
        uint32_t value;
        bool u32;
};

/* Sets attributes the kernel takes only inside IFLA_LINKINFO, where libnl
 * has no setters: as the link's kind's (port false) or as its master's
 * port's (port true), kind naming that kind. */
static int link_info_set(struct nl_sock *sk, int ifindex, bool port, const char *kind,
                         const struct link_info_attr *attrs, size_t n) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
        struct nlattr *info, *data;
        int r = -ENOMEM;

        if (!msg)
                return r;
        if (nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) >= 0 && (info = nla_nest_start(msg, IFLA_LINKINFO)) &&
            nla_put_string(msg, port ? IFLA_INFO_SLAVE_KIND : IFLA_INFO_KIND, kind) >= 0 &&
            (data = nla_nest_start(msg, port ? IFLA_INFO_SLAVE_DATA : IFLA_INFO_DATA))) {
                size_t i = 0;
                while (i < n && (attrs[i].u32 ? nla_put_u32(msg, attrs[i].type, attrs[i].value)
                                              : nla_put_u8(msg, attrs[i].type, (uint8_t)attrs[i].value)) >= 0)
                        i++;
                if (i == n) {
                        nla_nest_end(msg, data);
                        nla_nest_end(msg, info);
                        r = nl_send_auto_complete(sk, msg);
                        if (r >= 0)
                                r = nl_wait_for_ack(sk);
                        r = r < 0 ? errno_from_nl(r) : 0;
                }
        }
        nlmsg_free(msg);
        return r;
}

int bridge_set_options(struct nl_sock *sk, int ifindex, uint32_t fdb_max) {
        const struct link_info_attr attrs[] = {
                { BRIDGE_ATTR_FDB_MAX_LEARNED, fdb_max, true },
                { IFLA_BR_MCAST_SNOOPING, 0, false },
        };
        return link_info_set(sk, ifindex, false, "bridge", attrs, ELEMENTSOF(attrs));
}

int bridge_port_set_open(struct nl_sock *sk, int ifindex, bool open) {
        const struct link_info_attr attrs[] = {
                { IFLA_BRPORT_MCAST_FLOOD, open, false },
                { IFLA_BRPORT_BCAST_FLOOD, open, false },
        };
        return link_info_set(sk, ifindex, true, "bridge", attrs, ELEMENTSOF(attrs));
}

int bridge_create(struct nl_sock *sk, const char *name) {
        struct rtnl_link *br = rtnl_link_bridge_alloc();
        int r;

        if (!br)
                return -ENOMEM;
        rtnl_link_set_name(br, name);
        /* A MAC of its own: a bridge without one takes its lowest
         * port's, so it would change as students come and go, and the
         * guests' ARP entry for the host would go stale for seconds. */
        uint8_t mac[6];
        mac_address_random(mac);
        struct nl_addr *lladdr = nl_addr_build(AF_LLC, mac, sizeof mac);
        if (lladdr) {
                rtnl_link_set_addr(br, lladdr);
                nl_addr_put(lladdr);
        }
        r = rtnl_link_add(sk, br, NLM_F_CREATE | NLM_F_EXCL);
        rtnl_link_put(br);
        return r < 0 ? errno_from_nl(r) : 0;
}

int bridge_ensure(struct nl_sock *sk, const char *name, bool create,
                  struct in_addr address, unsigned prefix_len, bool *ret_created) {
        struct rtnl_link *link = NULL;
        bool created = false;
        int r, ifindex;

        r = rtnl_link_get_kernel(sk, 0, name, &link);
        if (r < 0) {
                if (!create)
                        return -ENODEV;
                r = bridge_create(sk, name);
                if (r < 0)
                        return log_error_errno(r, "cannot create bridge %s: %m", name);
                created = true;
                r = rtnl_link_get_kernel(sk, 0, name, &link);
                if (r < 0)
                        return errno_from_nl(r);
        }
        if (!rtnl_link_is_bridge(link)) {
                rtnl_link_put(link);
                log_error("%s exists and is not a bridge", name);
                return -EEXIST;
        }
        ifindex = rtnl_link_get_ifindex(link);
        rtnl_link_put(link);
        if (prefix_len > 0) {
                r = link_address_add(sk, ifindex, address, prefix_len);
                if (r < 0 && r != -EEXIST) {
                        return log_error_errno(r, "cannot add address to %s: %m", name);
                }
        }
        if (create) {
                link_disable_ipv6(name);
                r = bridge_set_options(sk, ifindex, BRIDGE_FDB_MAX_LEARNED);
                if (r < 0)
                        log_warn_errno(r, "cannot bound the FDB of %s or turn its multicast snooping off: %m", name);
        }
        r = link_set_up(sk, ifindex);
        if (r < 0)
                return r;
        if (ret_created)
                *ret_created = created;
        return ifindex;
}

int link_rename(struct nl_sock *sk, int ifindex, const char *name) {
        struct kernel_link now;
        struct rtnl_link *change;
        int r = link_get(sk, ifindex, NULL, &now);

        if (r < 0)
                return r;
        /* the kernel renames only links that are down */
        if (now.flags & IFF_UP) {
                change = rtnl_link_alloc();
                if (!change)
                        return -ENOMEM;
                rtnl_link_unset_flags(change, IFF_UP);
                r = link_change(sk, ifindex, change);
                rtnl_link_put(change);
                if (r < 0)
                        return r;
        }
        change = rtnl_link_alloc();
        if (!change)
                return -ENOMEM;
        rtnl_link_set_name(change, name);
        r = link_change(sk, ifindex, change);
        rtnl_link_put(change);
        if (now.flags & IFF_UP) {
                int up = link_set_up(sk, ifindex);
                if (r >= 0)
                        r = up;
        }
        return r;
}

int link_set_address(struct nl_sock *sk, int ifindex, const uint8_t mac[6]) {
        struct rtnl_link *change = rtnl_link_alloc();
        struct nl_addr *lladdr = nl_addr_build(AF_LLC, mac, 6);
        int r = -ENOMEM;

        if (change && lladdr) {
                rtnl_link_set_addr(change, lladdr);
                r = link_change(sk, ifindex, change);
        }
        nl_addr_put(lladdr);
        rtnl_link_put(change);
        return r;
}

static void link_sysctl(const char *family, const char *name, const char *key, const char *value) {
        char path[128];
        _cleanup_close_ int fd = -1;

        snprintf(path, sizeof path, "/proc/sys/net/%s/conf/%s/%s", family, name, key);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return; /* a kernel without that family */
        if (write(fd, value, strlen(value)) != (ssize_t)strlen(value))
                log_debug("cannot set %s of %s to %s: %m", key, name, value);
}

void link_disable_ipv6(const char *name) {
        link_sysctl("ipv6", name, "disable_ipv6", "1\n");
}

void link_ignore_arp(const char *name) {
        /* 8: answer no ARP request on it, for no address of the host */
        link_sysctl("ipv4", name, "arp_ignore", "8\n");
}

int link_rename_up(struct nl_sock *sk, int ifindex, const char *name) {
        struct rtnl_link *change = rtnl_link_alloc();
        int r;

        if (!change)
                return -ENOMEM;
        /* the kernel renames first, then changes the flags */
        rtnl_link_set_name(change, name);
        rtnl_link_set_flags(change, IFF_UP);
        r = link_change(sk, ifindex, change);
        rtnl_link_put(change);
        return r;
}

int link_plug(struct nl_sock *sk, int ifindex, int bridge_ifindex, unsigned mtu) {
        struct rtnl_link *change = rtnl_link_alloc();
        int r;

        if (!change)
                return -ENOMEM;
        rtnl_link_set_master(change, bridge_ifindex);
        if (mtu > 0)
                rtnl_link_set_mtu(change, mtu);
        rtnl_link_set_flags(change, IFF_UP);
        r = link_change(sk, ifindex, change);
        rtnl_link_put(change);
        return r;
}

int link_set_group(struct nl_sock *sk, int ifindex, uint32_t group) {
        struct rtnl_link *change = rtnl_link_alloc();
        int r;

        if (!change)
                return -ENOMEM;
        rtnl_link_set_group(change, group);
        r = link_change(sk, ifindex, change);
        rtnl_link_put(change);
        return r;
}

static int group_delete(struct nl_sock *sk, uint32_t group) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
        int r;

        if (!msg)
                return -ENOMEM;
        r = nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO);
        if (r >= 0)
                r = nla_put_u32(msg, IFLA_GROUP, group);
        if (r >= 0)
                r = nl_send_auto_complete(sk, msg);
        if (r >= 0)
                r = nl_wait_for_ack(sk);
        nlmsg_free(msg);
        return r < 0 ? errno_from_nl(r) : 0;
}

int links_delete(struct nl_sock *sk, const int *ifindexes, size_t n) {
        size_t grouped = 0;
        int r;

        for (size_t i = 0; i < n; i++)
                if (link_set_group(sk, ifindexes[i], VMNET_DYING_GROUP) >= 0)
                        grouped++;
        if (grouped == 0)
                return 0;
        r = group_delete(sk, VMNET_DYING_GROUP);
        if (r < 0) {
                return log_error_errno(r, "cannot delete %zu links: %m", grouped);
        }
        return (int)grouped;
}

int link_delete(struct nl_sock *sk, int ifindex) {
        struct rtnl_link *link = rtnl_link_alloc();
        int r;

        if (!link)
                return -ENOMEM;
        rtnl_link_set_ifindex(link, ifindex);
        r = rtnl_link_delete(sk, link);
        rtnl_link_put(link);
        return r < 0 ? errno_from_nl(r) : 0;
}

void kernel_link_from_rtnl(struct rtnl_link *link, struct kernel_link *ret) {
        const char *name = rtnl_link_get_name(link), *kind = rtnl_link_get_type(link);

        *ret = (struct kernel_link) {
                .ifindex = rtnl_link_get_ifindex(link),
                .master = rtnl_link_get_master(link),
                .link = rtnl_link_get_link(link),
                .flags = rtnl_link_get_flags(link),
        };
        snprintf(ret->name, sizeof ret->name, "%s", name ? name : "");
        snprintf(ret->kind, sizeof ret->kind, "%s", kind ? kind : "");
        struct nl_addr *address = rtnl_link_get_addr(link);
        if (address && nl_addr_get_len(address) == sizeof ret->address)
                memcpy(ret->address, nl_addr_get_binary_addr(address), sizeof ret->address);
}

int link_get(struct nl_sock *sk, int ifindex, const char *name, struct kernel_link *ret) {
        struct rtnl_link *link = NULL;
        int r;

        /* RTM_GETLINK by name: unlike SIOCGIFINDEX it never asks for a module */
        r = rtnl_link_get_kernel(sk, ifindex, name, &link);
        if (r < 0)
                return r == -NLE_OBJ_NOTFOUND || r == -NLE_NODEV ? -ENODEV : errno_from_nl(r);
        if (ret)
                kernel_link_from_rtnl(link, ret);
        rtnl_link_put(link);
        return 0;
}
