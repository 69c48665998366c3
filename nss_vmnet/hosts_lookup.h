/* What a name or an address resolves to in a hosts snapshot: the pure
 * part of libnss_vmnet, with no I/O, locks or buffers.
 *
 * Names: NAME, NAME.DOMAIN (any owner) and NAME.USER.DOMAIN (that user's
 * VM), case-insensitive, with or without a final dot.  When several live
 * leases carry NAME, the caller's own come first (owner uid == caller),
 * then the newest (latest expiry, infinite counting as the latest), then
 * the first in the snapshot.  Expired leases never answer. */
#pragma once
#include <netinet/in.h>
#include <stdint.h>
#include <sys/types.h>

#include "hosts_snapshot.h"

/* NAME.USER.DOMAIN, NUL included. */
#define HOSTS_ANSWER_NAME_MAX (DNS_LABEL_MAX + 1 + HOSTS_USER_MAX + 1 + DNS_LABEL_MAX + 1)

struct hosts_answer {
        struct in_addr addr;
        /* NAME.USER.DOMAIN when the owner is known, the name that names
         * this VM whoever asks; else NAME.DOMAIN (NAME without a domain). */
        char canonical[HOSTS_ANSWER_NAME_MAX];
        /* NAME.DOMAIN (or NAME) when it differs from canonical, else "". */
        char alias[HOSTS_ANSWER_NAME_MAX];
        size_t canonical_len, alias_len; /* strlen() of each */
};

/* Returns 0 and fills *ret, or -ENOENT (*ret untouched).  caller_uid()
 * tells who asks; it is called only when several leases carry the name
 * (getuid() is a system call, and most names are unique). */
int hosts_lookup_name(const struct hosts_snapshot *s, const char *query, uid_t (*caller_uid)(void),
                      int64_t now, struct hosts_answer *ret);
int hosts_lookup_addr(const struct hosts_snapshot *s, struct in_addr addr, int64_t now,
                      struct hosts_answer *ret);
