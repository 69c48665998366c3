/* Watching the process that opened a session, safely across pid reuse. */
#pragma once
#include <sys/types.h>

/* Field 22 of /proc/PID/stat (start time in clock ticks since boot). */
int process_start_time(pid_t pid, unsigned long long *ret);

/* A pidfd for pid, but only if that pid is still the process that started
 * at start_time (0: any).  The pidfd pins the pid, so the start time read
 * after opening it is proof.  Returns the pidfd, -ESRCH if that process is
 * gone, or -errno. */
int process_pidfd(pid_t pid, unsigned long long start_time, unsigned long long *ret_start_time);
