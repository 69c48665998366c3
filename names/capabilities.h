/* The names program reads what guests chose: it must hold no capability
 * when it does.  dnsmasq runs it with its own two (ambient ones, which
 * survive exec); they cannot be dropped with capset() where vmnetd.service's
 * system call filter refuses it.  Two ways leave a process that is not
 * root none:
 *   - installed with an EMPTY set of file capabilities (`setcap =`, the
 *     package's postinst and `make install` as root do it), the kernel
 *     clears the ambient set at dnsmasq's exec and grants nothing: one
 *     exec, nothing to shed here;
 *   - otherwise (no setcap, a file system without xattrs or mounted
 *     nosuid) an exec of itself with an empty ambient set: a second exec,
 *     about 1.3 ms of CPU a lease on a hypervisor that traps cpuid (the C
 *     library's start probes the CPU on every exec). */
#pragma once

/* Returns 0 when this process holds no capability (but its bounding and
 * inheritable sets), with no_new_privs set.  Otherwise clears the ambient set, sets no_new_privs
 * and execs /proc/self/exe again with argv and the environment (nothing of
 * them is read before): it returns only on failure, -EPERM when it holds
 * some all the same (root), or -errno.  The second run names itself
 * vmnet-names again (the exec named it "exe"). */
int capabilities_shed(char *const argv[]);
