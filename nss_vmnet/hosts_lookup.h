/* What a name or an address resolves to in a hosts snapshot: the pure
 * part of libnss_vmnet, with no I/O, locks or buffers.
 *
 * Names (case-insensitive, with or without a final dot), where the
 * snapshot keeps the leases of one name in the order they claimed it
 * (names/names_table.h):
 *   NAME              the caller's own VM (owner uid == caller), its first
 *                     claim; nobody else's, so that no VM answers a name
 *                     the host's files or DNS should (root has no VMs)
 *   NAME.DOMAIN       the VM that claimed NAME first, whoever asks
 *   NAME.USER.DOMAIN  that user's VM, its first claim
 * (NAME.USER without a domain.)  Expired leases never answer, and the next
 * claim in line does.  An address answers with its newest lease. */
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
 * tells who asks; it is called only for a bare NAME that some lease
 * carries (getuid() is a system call). */
int hosts_lookup_name(const struct hosts_snapshot *s, const char *query, uid_t (*caller_uid)(void),
                      int64_t now, struct hosts_answer *ret);
int hosts_lookup_addr(const struct hosts_snapshot *s, struct in_addr addr, int64_t now,
                      struct hosts_answer *ret);
