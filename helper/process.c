/* pidfds and /proc/PID/stat (see process.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "process.h"

int process_start_time(pid_t pid, unsigned long long *ret) {
        char path[64], buf[1024], *p;
        unsigned long long start;
        ssize_t n;
        int fd;

        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
                return -ESRCH;
        buf[n] = 0;
        /* the command name may hold spaces and ')': fields restart after the last ')' */
        p = strrchr(buf, ')');
        if (!p)
                return -EIO;
        /* after ") " come fields 3.. ; field 22 is the 20th of them */
        if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                   &start) != 1)
                return -EIO;
        *ret = start;
        return 0;
}

int process_pidfd(pid_t pid, unsigned long long start_time, unsigned long long *ret_start_time) {
        unsigned long long now;
        int pidfd, r;

        if (pid <= 0)
                return -ESRCH;
        pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0)
                return -errno;
        r = process_start_time(pid, &now);
        if (r < 0 || (start_time != 0 && now != start_time)) {
                close(pidfd);
                return r < 0 ? r : -ESRCH;
        }
        if (ret_start_time)
                *ret_start_time = now;
        return pidfd;
}
