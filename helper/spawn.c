/* Starting a child program (see spawn.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "privilege.h"
#include "spawn.h"

#define SPAWN_FDS_MAX 8

/* In the child: only async-signal-safe calls, and libcap-ng's (no locks
 * in a single-threaded vmnetd). */
static _Noreturn void run_child(char *const argv[], char *const envp[], enum spawn_capabilities caps,
                                const int *fds, size_t n_fds) {
        int moved[SPAWN_FDS_MAX];
        sigset_t none;
        int r;

        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        /* out of the way first, so that placing one never overwrites another */
        for (size_t i = 0; i < n_fds; i++)
                if ((moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3 + (int)n_fds)) < 0)
                        _exit(127);
        for (size_t i = 0; i < n_fds; i++)
                if (dup2(moved[i], 3 + (int)i) < 0)
                        _exit(127);
        r = caps == SPAWN_NETWORK_CAPABILITIES ? privilege_child_keep_network() : 0;
        if (r < 0) {
                dprintf(STDERR_FILENO, "vmnetd: cannot set the capabilities of %s: %s\n", argv[0], strerror(-r));
                _exit(127);
        }
        execve(argv[0], argv, envp);
        dprintf(STDERR_FILENO, "vmnetd: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
}

int spawn_program(char *const argv[], char *const envp[], enum spawn_capabilities caps, const int *fds,
                  size_t n_fds, pid_t *ret_pid, int *ret_pidfd) {
        pid_t pid;
        int pidfd, r;

        if (n_fds > SPAWN_FDS_MAX)
                return -EINVAL;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                run_child(argv, envp, caps, fds, n_fds);
        pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) {
                r = -errno;
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                return r;
        }
        *ret_pid = pid;
        *ret_pidfd = pidfd;
        return 0;
}
