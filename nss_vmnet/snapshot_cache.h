/* The hosts snapshot as libnss_vmnet sees it: mapped once per version of
 * the file and shared by the threads of the process.
 *
 * When is the mapping still the current snapshot?  vmnetd replaces the file
 * by rename and then flags the old one as superseded, which this process
 * sees in its mapping at once: no system call on the fast path.  As a
 * backstop for a file replaced by other means (or a writer that died
 * between rename and flag), the path is also stat()ed once a second.
 *
 * It is mapped with hosts_snapshot_file_map(): the layout is checked, not
 * every entry, so that a new process's first lookup does not read all of
 * a large lab's names; the lookups check what they read. */
#pragma once
#include <time.h>

#include "hosts_snapshot.h"

/* Calls fn on the current snapshot at path, under a lock held until fn
 * returns, and returns what fn returns; now is the caller's time(NULL)
 * (one clock read per lookup).  Returns -ENOENT when the file is missing,
 * -EBADMSG when it is malformed, another negative errno when it cannot be
 * mapped; fn is not called then. */
int snapshot_cache_run(const char *path, time_t now, int (*fn)(const struct hosts_snapshot *s, void *userdata),
                       void *userdata);
