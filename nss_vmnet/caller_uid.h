/* Who asks, for the bare-name rule (hosts_lookup.h: a bare NAME is the
 * caller's own VM only), without a system call per lookup where the
 * answer can never change.
 *
 * getuid() is a system call: 150 ns on the machine of tests/bench/nss,
 * most of the module's share of a lookup and most of glibc's 20% margin.
 * A process can change its real uid only with CAP_SETUID, or without it to
 * its effective or saved uid.  So when the three are one and CAP_SETUID is
 * not in its permitted set (which only an execve can widen, and an execve
 * loads this module afresh), the real uid is fixed for the life of the
 * process image: it is asked of the kernel once.  Root, a setuid program
 * (real, effective and saved differ) and anything holding CAP_SETUID are
 * asked at every call, so that a process dropping to a user at once
 * resolves as that user.  (A user namespace entered later shows getuid()
 * another number for the same kernel uid; the one kept is the one it had
 * where it first asked.) */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

/* The caller's real uid. */
uid_t caller_uid(void);

/* Whether caller_uid() has found the uid fixed and answers from memory. */
bool caller_uid_is_fixed(void);
