/* The tun ioctls (see tap.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "privilege.h"
#include "sysfs.h"
#include "tap.h"

#define TUN_DEVICE "/dev/net/tun"

static int tun_open(const char *name, short flags, int *ret_fd) {
        struct ifreq ifr = {};
        int fd;

        if (strlen(name) >= IFNAMSIZ)
                return -ENAMETOOLONG;
        fd = open(TUN_DEVICE, O_RDWR | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return errno == EACCES ? log_tun_unusable(errno) : -errno;
        strcpy(ifr.ifr_name, name);
        ifr.ifr_flags = flags;
        if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
                int e = -errno;
                close(fd);
                return e;
        }
        *ret_fd = fd;
        return 0;
}

int log_tun_unusable(int error) {
        /* vmnetd is not root: the device node's mode decides */
        return log_error_errno(error, "cannot open " TUN_DEVICE ": %m; vmnetd runs as the user %s and makes "
                               "taps through it: give it the mode 0666 it has under udev on Debian "
                               "(KERNEL==\"tun\", MODE=\"0666\")", VMNETD_USER);
}

int tap_device_check(void) {
        int fd = open(TUN_DEVICE, O_RDWR | O_CLOEXEC | O_NONBLOCK);

        if (fd < 0)
                return errno == EACCES ? log_tun_unusable(errno)
                                       : log_error_errno(errno, "cannot open " TUN_DEVICE ": %m; no VM tap can be made");
        close(fd);
        return 0;
}

int tap_create(const char *name, uid_t owner, bool persistent, const struct tap_features *features,
               int *ret_fd) {
        /* IFF_TUN_EXCL: never silently attach to a device that exists */
        short flags = IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL;
        int fd = -1, r;

        if (features && features->vnet_hdr)
                flags |= IFF_VNET_HDR;
        if (features && features->multi_queue)
                flags |= IFF_MULTI_QUEUE;
        r = tun_open(name, flags, &fd);
        if (r == -EBUSY)
                r = -EEXIST;
        if (r < 0)
                return r;
        if ((owner != (uid_t)-1 && ioctl(fd, TUNSETOWNER, (unsigned long)owner) < 0) ||
            (persistent && ioctl(fd, TUNSETPERSIST, 1UL) < 0)) {
                r = -errno;
                close(fd); /* not yet persistent: the device goes with it */
                return r;
        }
        *ret_fd = fd;
        return 0;
}

int tap_unpersist(int fd) {
        return ioctl(fd, TUNSETPERSIST, 0UL) < 0 ? -errno : 0;
}

int tap_info(const char *name, uid_t *ret_owner, bool *ret_persistent) {
        long owner, flags;
        int r;

        r = sysfs_read_long(name, "tun_flags", &flags);
        if (r < 0)
                return r;
        r = sysfs_read_long(name, "owner", &owner);
        if (r < 0)
                return r;
        *ret_owner = owner < 0 ? (uid_t)-1 : (uid_t)owner;
        *ret_persistent = flags & IFF_PERSIST;
        return 0;
}
