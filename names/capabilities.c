/* Shedding capabilities before anything is read (see capabilities.h).
 * Plain system calls, no libcap-ng: each run of the names program is an
 * exec (or two), and every library it loads costs each of them. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capabilities.h"

/* argv[0] of the second run: an exec that did not shed them must not loop */
#define SHED_ARGV0 "vmnet-names:shed"
#define PROGRAM_NAME "vmnet-names"
#define ARGS_MAX 16
#define CAPS_MAX 64 /* two 32-bit words of them (_LINUX_CAPABILITY_U32S_3) */

extern char **environ;

/* Nothing effective, permitted or ambient: the inheritable set alone
 * grants nothing (this program runs no other). */
static bool holds_none(void) {
        struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

        if (syscall(SYS_capget, &header, data) < 0)
                return false;
        for (size_t i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
                if (data[i].effective || data[i].permitted)
                        return false;
        /* the kernel says EINVAL past the last capability it knows */
        for (unsigned long cap = 0; cap < CAPS_MAX; cap++) {
                int r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0);
                if (r < 0)
                        return errno == EINVAL && cap > 0;
                if (r > 0)
                        return false;
        }
        return true;
}

int capabilities_shed(char *const argv[]) {
        char *again[ARGS_MAX + 1] = { SHED_ARGV0 };
        size_t n = 1;
        bool second = argv[0] && strcmp(argv[0], SHED_ARGV0) == 0;

        if (holds_none()) {
                /* the exec of /proc/self/exe named the process "exe" (ps, top) */
                if (second)
                        (void)prctl(PR_SET_NAME, PROGRAM_NAME, 0, 0, 0);
                /* none to gain later either, as after the exec below */
                return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -EPERM : 0;
        }
        if (geteuid() == 0 || second)
                return -EPERM; /* the exec did not help: root, or file capabilities */
        /* the same arguments (pointers only: none is read here) */
        for (; argv[0] && argv[n]; n++) {
                if (n == ARGS_MAX)
                        return -E2BIG;
                again[n] = argv[n];
        }
        again[n] = NULL;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -EPERM;
        execve("/proc/self/exe", again, environ);
        return -errno;
}
