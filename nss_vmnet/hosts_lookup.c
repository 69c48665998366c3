#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hosts_lookup.h"

struct query {
        char name[DNS_LABEL_MAX + 1];   /* lowercase */
        const char *user;               /* NULL: any owner */
        size_t user_len;
};

/* Splits query into NAME[.USER][.DOMAIN] as described in the header. */
static int parse_query(const char *query, const char *domain, struct query *ret) {
        size_t len = strnlen(query, HOSTS_ANSWER_NAME_MAX + 1);
        size_t domain_len = strlen(domain);
        struct query q = {};

        if (len > 0 && query[len - 1] == '.')
                len--; /* an absolute name */
        if (len == 0 || len >= HOSTS_ANSWER_NAME_MAX)
                return -ENOENT;

        const char *dot = memchr(query, '.', len);
        size_t name_len = dot ? (size_t) (dot - query) : len;
        if (!dns_label_is_valid(query, name_len))
                return -ENOENT;
        for (size_t i = 0; i < name_len; i++)
                q.name[i] = (query[i] >= 'A' && query[i] <= 'Z') ? (char) (query[i] - 'A' + 'a') : query[i];

        if (dot) {
                const char *rest = dot + 1;
                size_t rest_len = len - name_len - 1;

                if (domain_len == 0) {
                        q.user = rest;              /* NAME.USER */
                        q.user_len = rest_len;
                } else if (rest_len == domain_len && strncasecmp(rest, domain, domain_len) == 0) {
                        q.user = NULL;              /* NAME.DOMAIN */
                } else if (rest_len > domain_len + 1 && rest[rest_len - domain_len - 1] == '.' &&
                           strncasecmp(rest + rest_len - domain_len, domain, domain_len) == 0) {
                        q.user = rest;              /* NAME.USER.DOMAIN */
                        q.user_len = rest_len - domain_len - 1;
                } else
                        return -ENOENT;
                if (q.user && (q.user_len == 0 || q.user_len > HOSTS_USER_MAX))
                        return -ENOENT;
        }
        *ret = q;
        return 0;
}

static bool is_live(const struct hosts_snapshot_entry *e, int64_t now) {
        return e->expiry == 0 || e->expiry > now;
}

/* True if a lease is newer than b (later expiry; 0 is infinite). */
static bool is_newer(const struct hosts_snapshot_entry *a, const struct hosts_snapshot_entry *b) {
        uint64_t ea = a->expiry == 0 ? UINT64_MAX : (uint64_t) a->expiry;
        uint64_t eb = b->expiry == 0 ? UINT64_MAX : (uint64_t) b->expiry;
        return ea > eb;
}

static int answer_for(const struct hosts_snapshot *s, const struct hosts_snapshot_entry *e,
                      struct hosts_answer *ret) {
        const char *domain = s->header->domain;
        const char *sep = domain[0] ? "." : "";
        struct hosts_answer a = { .addr.s_addr = e->addr };
        int k;

        /* Field sizes make every name fit; the checks keep it so if they change. */
        k = snprintf(a.alias, sizeof(a.alias), "%s%s%s", e->name, sep, domain);
        if (k < 0 || (size_t) k >= sizeof(a.alias))
                return -ENOENT;
        if (e->owner[0]) {
                k = snprintf(a.canonical, sizeof(a.canonical), "%s.%s%s%s", e->name, e->owner, sep, domain);
                if (k < 0 || (size_t) k >= sizeof(a.canonical))
                        return -ENOENT;
        } else {
                memcpy(a.canonical, a.alias, sizeof(a.canonical));
                a.alias[0] = '\0';
        }
        *ret = a;
        return 0;
}

int hosts_lookup_name(const struct hosts_snapshot *s, const char *query, uid_t caller, int64_t now,
                      struct hosts_answer *ret) {
        const struct hosts_snapshot_entry *best = NULL;
        bool best_is_own = false;
        struct query q;
        size_t first, n;

        if (parse_query(query, s->header->domain, &q) < 0)
                return -ENOENT;
        n = hosts_snapshot_find_name(s, q.name, &first);
        for (size_t i = first; i < first + n; i++) {
                const struct hosts_snapshot_entry *e = &s->entries[s->by_name[i]];

                if (!is_live(e, now))
                        continue;
                if (q.user && (strlen(e->owner) != q.user_len || strncasecmp(e->owner, q.user, q.user_len) != 0))
                        continue;
                bool own = e->owner_uid != HOSTS_OWNER_UNKNOWN && e->owner_uid == (uint32_t) caller;
                /* The index keeps entry order among equal names: first wins a tie. */
                if (!best || (own && !best_is_own) || (own == best_is_own && is_newer(e, best))) {
                        best = e;
                        best_is_own = own;
                }
        }
        if (!best)
                return -ENOENT;
        return answer_for(s, best, ret);
}

int hosts_lookup_addr(const struct hosts_snapshot *s, struct in_addr addr, int64_t now,
                      struct hosts_answer *ret) {
        const struct hosts_snapshot_entry *best = NULL;
        size_t first, n;

        n = hosts_snapshot_find_addr(s, addr, &first);
        for (size_t i = first; i < first + n; i++) {
                const struct hosts_snapshot_entry *e = &s->entries[s->by_addr[i]];
                if (is_live(e, now) && (!best || is_newer(e, best)))
                        best = e;
        }
        if (!best)
                return -ENOENT;
        return answer_for(s, best, ret);
}
