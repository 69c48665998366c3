/* One vmnetd per run_dir: the one that runs holds a lock on the directory
 * (flock, released by the kernel when it exits, even by kill -9).  A second
 * vmnetd does not start over it, and --down does not tear the lab down
 * under it.  Nothing is written: the lock is the proof. */
#pragma once
#include <stdbool.h>

/* Takes the lock on run_dir: its fd (CLOEXEC, to keep open while running),
 * -EBUSY when another process holds it, or -errno. */
int run_lock_take(const char *run_dir);

/* True when a running vmnetd holds the lock on run_dir. */
bool run_lock_is_held(const char *run_dir);
