/* Tap devices through /dev/net/tun: create one, and what the kernel says
 * about one (owner, persistence). */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

/* What a tap is made with, besides IFF_TAP | IFF_NO_PI. */
struct tap_features {
        /* the creating fd reads and writes virtio's vnet header
         * (IFF_VNET_HDR): QEMU then hands checksum and TSO/GSO offloads
         * to the guest instead of cutting every stream into MTU frames */
        bool vnet_hdr;
        /* IFF_MULTI_QUEUE: every opener must ask for it too (QEMU's and
         * libvirt's queues=N), each open is one more queue */
        bool multi_queue;
};

/* Creates the tap `name` (failing with -EEXIST if it exists), owned by
 * owner ((uid_t)-1: nobody, so that only CAP_NET_ADMIN may attach to it
 * by name), persistent or not, with features (NULL: none).  The creating fd is
 * returned in ret_fd (CLOEXEC, non-blocking): a non-persistent tap lives as
 * long as that fd.  Returns 0 or -errno. */
int tap_create(const char *name, uid_t owner, bool persistent, const struct tap_features *features,
               int *ret_fd);

/* Whether vmnetd can open /dev/net/tun (at start: a clear message early
 * rather than at the first VM).  0 or -errno, logged. */
int tap_device_check(void);
/* Logs what to do about /dev/net/tun refusing vmnetd (error: EACCES);
 * returns -error. */
int log_tun_unusable(int error);

/* Drops persistence on the tap behind fd (it goes when fd is closed). */
int tap_unpersist(int fd);

/* What sysfs says: is it a tun/tap device, its owner uid (-1 for none),
 * whether it is persistent.  Returns 0 or -ENOENT / -errno. */
int tap_info(const char *name, uid_t *ret_owner, bool *ret_persistent);
