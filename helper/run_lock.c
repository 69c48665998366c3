/* The run_dir lock (see run_lock.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "cleanup.h"
#include "run_lock.h"

int run_lock_take(const char *run_dir) {
        _cleanup_close_ int fd = open(run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                return errno == EWOULDBLOCK ? -EBUSY : -errno;
        return TAKE_FD(fd);
}

bool run_lock_is_held(const char *run_dir) {
        int fd = run_lock_take(run_dir);

        if (fd >= 0)
                close(fd); /* nobody held it: let go at once */
        return fd == -EBUSY;
}
