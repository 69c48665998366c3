/* The lab's lease file on disk (its text: lease_file.h), run_dir/
 * NAMES_LEASE_FILE. */
#pragma once
#include <stdint.h>

#include "lease_event.h"

/* Records ev in the file (replaced atomically, and only when its text
 * changes: vmnetd rereads it on every replace), as of time now.  The
 * caller holds the names lock.  0 or -errno, said on stderr. */
int lease_store_record(const char *run_dir, const struct lease_event *ev, int64_t now);

/* What dnsmasq asks at its start ("vmnet-names init", with leasefile-ro):
 * the file's text on fd, nothing when there is none.  A file that cannot be
 * read is said on stderr and answered as none: dnsmasq then starts without
 * leases (its guests get theirs again when they renew) rather than not at
 * all.  0, or -errno when fd cannot be written. */
int lease_store_print(const char *run_dir, int fd);
