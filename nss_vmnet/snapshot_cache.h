/* The hosts snapshot as libnss_vmnet sees it: mapped once per version of
 * the file and shared by the threads of the process.  Each lookup checks
 * with one stat() that the path still names the mapped file (vmnetd
 * replaces it by rename, so a new snapshot is a new inode; the old
 * mapping keeps its inode alive, so the number cannot be reused under us). */
#pragma once
#include "hosts_snapshot.h"

/* Calls fn on the current snapshot at path, under a lock held until fn
 * returns, and returns what fn returns.  Returns -ENOENT when the file is
 * missing, -EBADMSG when it is malformed, another negative errno when it
 * cannot be mapped; fn is not called then. */
int snapshot_cache_run(const char *path, int (*fn)(const struct hosts_snapshot *s, void *userdata), void *userdata);
