/* Shedding capabilities before anything is read (see capabilities.h). */
#define _GNU_SOURCE
#include <cap-ng.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "capabilities.h"

/* argv[0] of the second run: an exec that did not shed them must not loop */
#define SHED_ARGV0 "vmnet-names:shed"
#define PROGRAM_NAME "vmnet-names"
#define ARGS_MAX 16

extern char **environ;

/* Nothing effective, permitted or ambient: the inheritable set alone
 * grants nothing (this program runs no other). */
static bool holds_none(void) {
        return capng_get_caps_process() == 0 && capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE &&
               capng_have_permitted_capabilities() == CAPNG_NONE &&
               capng_have_capabilities(CAPNG_SELECT_AMBIENT) == CAPNG_NONE;
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
        capng_clear(CAPNG_SELECT_AMBIENT);
        if (capng_apply(CAPNG_SELECT_AMBIENT) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -EPERM;
        execve("/proc/self/exe", again, environ);
        return -errno;
}
