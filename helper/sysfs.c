/* /sys/class/net/DEV/FILE readers (see sysfs.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sysfs.h"

int sysfs_read_long(const char *dev, const char *file, long *ret) {
        char path[256], buf[64], *end;
        ssize_t n;
        long v;
        int fd;

        if (snprintf(path, sizeof path, "/sys/class/net/%s/%s", dev, file) >= (int)sizeof path)
                return -ENAMETOOLONG;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
                return n < 0 ? -errno : -ENODATA;
        buf[n] = 0;
        errno = 0;
        v = strtol(buf, &end, 0);
        if (errno || end == buf || (*end && *end != '\n'))
                return -EINVAL;
        *ret = v;
        return 0;
}

int sysfs_read_int(const char *dev, const char *file, int *ret) {
        long v;
        int r = sysfs_read_long(dev, file, &v);
        if (r < 0)
                return r;
        if (v < INT_MIN || v > INT_MAX)
                return -ERANGE;
        *ret = (int)v;
        return 0;
}
