/* Tap devices through /dev/net/tun: create one, and what the kernel says
 * about one (owner, persistence). */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

/* Creates the tap `name` (IFF_TAP | IFF_NO_PI, failing with -EEXIST if it
 * exists), owned by owner, persistent or not.  The creating fd is returned
 * in ret_fd (CLOEXEC, non-blocking): a non-persistent tap lives as long as
 * that fd.  Returns 0 or -errno. */
int tap_create(const char *name, uid_t owner, bool persistent, int *ret_fd);

/* Drops persistence on the tap behind fd (it goes when fd is closed). */
int tap_unpersist(int fd);

/* What sysfs says: is it a tun/tap device, its owner uid (-1 for none),
 * whether it is persistent.  Returns 0 or -ENOENT / -errno. */
int tap_info(const char *name, uid_t *ret_owner, bool *ret_persistent);
