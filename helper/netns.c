/* Namespace facts by ioctl on nsfs (see netns.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "cleanup.h"
#include "netns.h"

/* Whether fd is the user namespace vmnetd itself runs in. */
static int is_own_user_namespace(int fd) {
        struct stat theirs, ours;

        if (fstat(fd, &theirs) < 0 || stat("/proc/self/ns/user", &ours) < 0)
                return -errno;
        return theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
}

int netns_owner(int fd, uid_t *ret_owner) {
        _cleanup_close_ int userns = -1;
        struct statfs fs;
        uid_t owner = (uid_t)-1; /* written by the kernel (valgrind cannot tell) */
        int r;

        /* ioctls only on nsfs: any other fd (a tty, a device) is never asked */
        if (fstatfs(fd, &fs) < 0)
                return -errno;
        if (fs.f_type != NSFS_MAGIC)
                return -ENOTTY;
        r = ioctl(fd, NS_GET_NSTYPE);
        if (r < 0)
                return -errno;
        if (r != CLONE_NEWNET)
                return -EINVAL;
        userns = ioctl(fd, NS_GET_USERNS);
        if (userns < 0)
                return -errno; /* EPERM: owned above vmnetd's user namespace */
        r = is_own_user_namespace(userns);
        if (r < 0)
                return r;
        /* made by root (or a process of the host's) and not a user namespace of anyone's */
        if (r)
                return -EPERM;
        if (ioctl(userns, NS_GET_OWNER_UID, &owner) < 0)
                return -errno;
        *ret_owner = owner;
        return 0;
}

const char *netns_refusal_reason(int r) {
        switch (-r) {
        case ENOTTY: return "is not a namespace";
        case EINVAL: return "is a namespace, not a network namespace";
        case EPERM:  return "is a network namespace of the host's (not in a user namespace of a student's)";
        default:     return strerror(-r);
        }
}
