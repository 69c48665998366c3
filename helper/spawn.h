/* vmnetd's children (dnsmasq): forked and exec'd with the capabilities
 * they are meant to have and nothing vmnetd holds by accident (blocked
 * signals, ignored SIGPIPE, descriptors). */
#pragma once
#include <stddef.h>
#include <sys/types.h>

enum spawn_capabilities {
        SPAWN_NO_CAPABILITIES,      /* none: vmnetd's ambient set is empty */
        SPAWN_NETWORK_CAPABILITIES, /* vmnetd's two, passed on (privilege_child_keep_network) */
};

/* Runs argv[0] (an absolute path) with argv and envp; fds[i] becomes
 * descriptor 3 + i in the child, every other descriptor of vmnetd is
 * close-on-exec already.  On success *ret_pid and *ret_pidfd (close-on-exec)
 * are set.  Returns 0 or -errno; a program that cannot be run exits 127
 * after saying why on stderr. */
int spawn_program(char *const argv[], char *const envp[], enum spawn_capabilities caps, const int *fds,
                  size_t n_fds, pid_t *ret_pid, int *ret_pidfd);
