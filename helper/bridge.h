/* Everything vmnetd asks the kernel over rtnetlink (libnl-route-3): the lab
 * bridge and its address, what a link is (by index or name, or all at
 * once), plugging links into the bridge, deleting links in batches.
 *
 * Names are looked up only through netlink (RTM_GETLINK), never with
 * if_nametoindex() or a SIOCGIF* ioctl: for a name that does not exist,
 * those make a kernel with modules run modprobe ("netdev-NAME") when the
 * caller holds CAP_NET_ADMIN, and vmnetd does. */
#pragma once
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* <linux/if.h>'s; carrier, in struct kernel_link's flags */
#endif

struct nl_sock;
struct rtnl_link;

/* What the kernel says about a link. */
struct kernel_link {
        int ifindex;
        char name[IFNAMSIZ];
        char kind[16];  /* IFLA_INFO_KIND: "veth", "tun", "bridge"...; "" when it has none */
        int master;     /* the bridge it is a port of, 0 for none */
        int link;       /* IFLA_LINK: a veth's peer; else 0 or itself */
        unsigned flags; /* IFF_UP, IFF_LOWER_UP (carrier)... */
        uint8_t address[6]; /* its MAC address; 0s when it has none */
};

int netlink_open(struct nl_sock **ret);
void netlink_close(struct nl_sock *sk);

/* The kernel's link object as a struct kernel_link (link events, dumps). */
void kernel_link_from_rtnl(struct rtnl_link *link, struct kernel_link *ret);

/* The link with that index (name NULL) or that name (ifindex 0).
 * Returns 0, -ENODEV when there is none, or -errno.  ret may be NULL. */
int link_get(struct nl_sock *sk, int ifindex, const char *name, struct kernel_link *ret);

/* Every link, in one dump: *ret (malloc'ed) and *ret_n (links_read.c). */
int links_dump(struct nl_sock *sk, struct kernel_link **ret, size_t *ret_n);

/* Adds link (NLM_F_CREATE | NLM_F_EXCL) and returns what the kernel made,
 * as it echoes it (NLM_F_ECHO): a new link's index and a veth's peer's
 * without asking again.  -EEXIST when its name is taken; -EPROTO when the
 * kernel echoed nothing (older than 6.2: the link is made, ask for it). */
int link_add_echoed(struct nl_sock *sk, struct rtnl_link *link, struct kernel_link *ret);

/* Makes sure the bridge `name` exists and is up.  When it does not exist and
 * create is true, creates it (ret_created = true).  An existing link that is
 * not a bridge is -EEXIST.  When prefix_len > 0, the address is added if the
 * bridge does not have it yet.  A bridge of vmnet's own (create) takes no
 * IPv6 (no router advertisement, SLAAC or DHCPv6 from a guest reaches the
 * host through it) and learns at most BRIDGE_FDB_MAX_LEARNED MACs where the
 * kernel can bound it (6.8 and later).  Returns the bridge's ifindex or
 * -errno. */
#define BRIDGE_FDB_MAX_LEARNED 16384
int bridge_ensure(struct nl_sock *sk, const char *name, bool create,
                  struct in_addr address, unsigned prefix_len, bool *ret_created);

/* Makes the bridge `name` (-EEXIST if the name is taken), with a MAC of
 * its own; down, no address.  0 or -errno. */
int bridge_create(struct nl_sock *sk, const char *name);
/* What vmnetd wants of a bridge of its own (its FDB bounded to fdb_max
 * MACs where the kernel can, multicast snooping off).  0 or -errno. */
int bridge_set_options(struct nl_sock *sk, int ifindex, uint32_t fdb_max);
/* A port of a bridge closed (open false: it gets no flooded broadcast or
 * multicast frame, the ARP and DHCP of every guest that an idle link
 * behind it would cost the bridge a copy of) or open again as a port is
 * by default.  Learning and unknown unicast stay as they are: changing
 * either makes the kernel walk all the bridge's ports, twice (its count of
 * ports in promiscuous mode), which at 2000 ports cost a pooled login
 * about 15 % of vmnetd's CPU (measured).  0 or -errno. */
int bridge_port_set_open(struct nl_sock *sk, int ifindex, bool open);

/* Brings link ifindex up. */
int link_set_up(struct nl_sock *sk, int ifindex);

/* Puts link ifindex into the device group group (IFLA_GROUP).  0 or -errno. */
int link_set_group(struct nl_sock *sk, int ifindex, uint32_t group);

/* Adds address/prefix_len to the link: 0, -EEXIST when it has it, -errno. */
int link_address_add(struct nl_sock *sk, int ifindex, struct in_addr address, unsigned prefix_len);
/* Removes it (and the kernel's route for its subnet with it); 0 also when
 * it or the link is gone already. */
int link_address_delete(struct nl_sock *sk, int ifindex, struct in_addr address, unsigned prefix_len);

/* An IPv4 address the kernel has on a link. */
struct link_address {
        int ifindex;
        struct in_addr address;
        unsigned prefix_len;
};
/* Every IPv4 address of every link, in one dump: *ret (malloc'ed) and *ret_n. */
int addresses_dump(struct nl_sock *sk, struct link_address **ret, size_t *ret_n);

/* Renames the link, taking it down for the rename (the kernel renames only
 * links that are down) and up again if it was.  -EEXIST if the name is taken. */
int link_rename(struct nl_sock *sk, int ifindex, const char *name);

/* Gives link ifindex the MAC address mac.  0 or -errno. */
int link_set_address(struct nl_sock *sk, int ifindex, const uint8_t mac[6]);

/* Turns IPv6 off on the link `name` (its disable_ipv6 sysctl, which
 * CAP_NET_ADMIN may write): no address, DAD, MLD or router advertisement
 * taken on it.  Quietly nothing on a kernel without IPv6. */
void link_disable_ipv6(const char *name);
/* A link of the host's with no address of its own on the lab (a student's
 * end of a veth): by default Linux answers ARP for every address of the
 * host on every link, so each login link would answer "the gateway is
 * at my MAC" to a VM's ARP flooded to it -- a claim the guard must drop
 * and count against the student. */
void link_ignore_arp(const char *name);

/* Renames a link that is down and brings it up, in one request (one
 * rename of the kernel's, where link_rename() takes three).  -EEXIST if
 * the name is taken. */
int link_rename_up(struct nl_sock *sk, int ifindex, const char *name);

/* Plugs link ifindex into the bridge, sets its MTU (when > 0) and brings
 * it up, in one request.  Returns 0 or -errno. */
int link_plug(struct nl_sock *sk, int ifindex, int bridge_ifindex, unsigned mtu);

/* Deletes the links in one kernel operation: they are moved into a device
 * group of ours and the group is deleted at once, so the deletions share
 * one RCU grace period (~16 ms each when done one by one).  Links that are
 * already gone are skipped.  Returns the number deleted or -errno. */
int links_delete(struct nl_sock *sk, const int *ifindexes, size_t n);

/* Deletes one link; -ENODEV if there is none. */
int link_delete(struct nl_sock *sk, int ifindex);

/* libnl's error as a negative errno. */
int errno_from_nl(int nlerr);
/* The socket's callbacks, copied, for one exchange with callbacks of its
 * own (nl_cb_put() it). */
struct nl_cb *nl_callbacks_copy(struct nl_sock *sk);
/* Receives the kernel's answer to the request just sent (through cb's
 * NL_CB_VALID) and its ack (libnl asks for one), so that neither is left
 * to answer the next request.  0 or libnl's error (the kernel's refusal). */
struct nl_cb;
int nl_recv_answer(struct nl_sock *sk, struct nl_cb *cb);
