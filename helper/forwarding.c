/* The forwarding sysctl and its record (see forwarding.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "forwarding.h"

/* The first byte of path, which must be '0' or '1' (the sysctl's form). */
static int read_flag(const char *path, char *ret) {
        char buf[8];
        ssize_t n;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof buf);
        int saved_errno = errno;
        close(fd);
        if (n < 0)
                return -saved_errno;
        if (n < 1 || (buf[0] != '0' && buf[0] != '1') || (n > 1 && buf[1] != '\n'))
                return -EINVAL;
        *ret = buf[0];
        return 0;
}

static int write_flag(const char *path, int flags, char value) {
        char line[2] = { value, '\n' };
        int fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0644);

        if (fd < 0)
                return -errno;
        int r = write(fd, line, sizeof line) == (ssize_t)sizeof line ? 0 : -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        return r;
}

int forwarding_enable(const char *sysctl_path, const char *saved_path) {
        char now;
        int r, r_save;

        r = read_flag(sysctl_path, &now);
        if (r < 0)
                return r;
        /* O_EXCL: the first record wins; a restart must not record its own 1 */
        r_save = write_flag(saved_path, O_CREAT | O_EXCL, now);
        if (r_save == -EEXIST)
                r_save = 0;
        else if (r_save < 0)
                (void)unlink(saved_path);       /* a half record is worse than none */
        if (now != '1') {
                r = write_flag(sysctl_path, 0, '1');
                if (r < 0)
                        return r;
        }
        return r_save;
}

int forwarding_saved(const char *saved_path, char *ret) {
        return read_flag(saved_path, ret);
}

int forwarding_restore(const char *sysctl_path, const char *saved_path) {
        char before;
        int r = read_flag(saved_path, &before);

        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = write_flag(sysctl_path, 0, before);
        if (r < 0)
                return r;
        return unlink(saved_path) < 0 ? -errno : 0;
}
