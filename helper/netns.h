/* What the kernel says about a file descriptor a client hands vmnetd as
 * its network namespace (NETNS_ATTACH).  The only facts that authorise an
 * attach: whose user namespace owns that network namespace — never a path,
 * a pid or a name the client sends. */
#pragma once
#include <sys/types.h>

/* The uid owning (NS_GET_OWNER_UID) the user namespace that owns
 * (NS_GET_USERNS) the network namespace fd refers to, in *ret_owner.
 * Returns 0, or:
 *   -ENOTTY  fd is no namespace (not on nsfs: no ioctl is tried on it, so
 *            a device or socket passed in learns nothing of vmnetd)
 *   -EINVAL  a namespace, but not a network namespace
 *   -EPERM   a network namespace of vmnetd's own user namespace (the
 *            host's, or one root made with ip netns add) or of one above it
 *   another -errno from the kernel.
 * Nothing stays open. */
int netns_owner(int fd, uid_t *ret_owner);

/* Why netns_owner() said no, for vmnetd's log: "is not a namespace"... */
const char *netns_refusal_reason(int r);
