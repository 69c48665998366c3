/* The names program reads what guests chose: it must hold no capability
 * when it does.  dnsmasq runs it with its own two (ambient ones, which
 * survive exec); they cannot be dropped with capset() where vmnetd.service's
 * system call filter refuses it, but an exec with an empty ambient set
 * leaves a process that is not root none. */
#pragma once

/* Returns 0 when this process holds no capability (but its bounding set).
 * Otherwise clears the ambient set, sets no_new_privs and execs
 * /proc/self/exe again with argv and the environment (nothing of them is
 * read before): it returns only on failure, -EPERM when it holds some all
 * the same (root), or -errno. */
int capabilities_shed(char *const argv[]);
