/* Everything vmnetd asks the kernel over rtnetlink (libnl-route-3): the lab
 * bridge, its address, plugging taps into it, deleting links in batches. */
#pragma once
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nl_sock;

int netlink_open(struct nl_sock **ret);
void netlink_close(struct nl_sock *sk);

/* Makes sure the bridge `name` exists and is up.  When it does not exist and
 * create is true, creates it (ret_created = true).  An existing link that is
 * not a bridge is -EEXIST.  When prefix_len > 0, the address is added if the
 * bridge does not have it yet.  Returns the bridge's ifindex or -errno. */
int bridge_ensure(struct nl_sock *sk, const char *name, bool create,
                  struct in_addr address, unsigned prefix_len, bool *ret_created);

/* True if `name` exists and is a bridge. */
bool bridge_exists(struct nl_sock *sk, const char *name);

/* Plugs link ifindex into the bridge, sets its MTU (when > 0) and brings
 * it up, in one request.  Returns 0 or -errno. */
int link_plug(struct nl_sock *sk, int ifindex, int bridge_ifindex, unsigned mtu);

/* Deletes the links in one kernel operation: they are moved into a device
 * group of ours and the group is deleted at once, so the deletions share
 * one RCU grace period (~16 ms each when done one by one).  Links that are
 * already gone are skipped.  Returns the number deleted or -errno. */
int links_delete(struct nl_sock *sk, const int *ifindexes, size_t n);

/* Deletes one link by name; -ENODEV if there is none. */
int link_delete_by_name(struct nl_sock *sk, const char *name);

/* The prefix of the bridge-side names of login links ("vmnp0", "vmnp1"...):
 * vmnetd deletes only veths of its own, never LXC's or anyone else's. */
#define LOGIN_PEER_PREFIX "vmnp"

/* Makes the veth pair of a login link: `name` for the student's hypervisor
 * to bridge to, its peer (LOGIN_PEER_PREFIX + a number vmnetd takes in turn)
 * plugged into the bridge; both up.  -EEXIST if name exists.  Returns 0. */
int login_link_create(struct nl_sock *sk, const char *name, int bridge_ifindex);

/* For an existing login link: plugs its peer into the bridge (again) and
 * brings both ends up.  -ENODEV if name is not a veth of ours. */
int login_link_plug(struct nl_sock *sk, const char *name, int bridge_ifindex);

/* The name of the other end of veth `name`; -ENODEV if it is no veth. */
int veth_peer_name(const char *name, char ret[IFNAMSIZ]);

/* Is name a login link's bridge end (by its prefix)?  Is name the student's
 * end of a login link (a veth whose peer is such a bridge end)? */
bool is_login_peer_name(const char *name);
bool is_login_link(const char *name);
