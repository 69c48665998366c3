#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
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
        dns_lowercase(q.name, query, name_len);

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

/* Appends n bytes of src at *pos in dst (size bytes); false if it would not fit. */
static bool append(char *dst, size_t size, size_t *pos, const char *src, size_t n) {
        if (n >= size - *pos)
                return false;
        memcpy(dst + *pos, src, n);
        *pos += n;
        dst[*pos] = '\0';
        return true;
}

static int answer_for(const struct hosts_snapshot *s, const struct hosts_snapshot_entry *e,
                      struct hosts_answer *ret) {
        const char *domain = s->header->domain;
        size_t name_len = strlen(e->name), owner_len = strlen(e->owner), domain_len = strlen(domain);
        struct hosts_answer a = { .addr.s_addr = e->addr };
        size_t pos = 0;

        /* NAME[.DOMAIN]; the field sizes make it fit, the checks keep it so. */
        if (!append(a.alias, sizeof(a.alias), &pos, e->name, name_len) ||
            (domain_len > 0 && (!append(a.alias, sizeof(a.alias), &pos, ".", 1) ||
                                !append(a.alias, sizeof(a.alias), &pos, domain, domain_len))))
                return -ENOENT;
        if (owner_len == 0) {
                memcpy(a.canonical, a.alias, pos + 1);
                a.alias[0] = '\0';
        } else {
                /* NAME.OWNER[.DOMAIN] */
                pos = 0;
                if (!append(a.canonical, sizeof(a.canonical), &pos, e->name, name_len) ||
                    !append(a.canonical, sizeof(a.canonical), &pos, ".", 1) ||
                    !append(a.canonical, sizeof(a.canonical), &pos, e->owner, owner_len) ||
                    (domain_len > 0 && (!append(a.canonical, sizeof(a.canonical), &pos, ".", 1) ||
                                        !append(a.canonical, sizeof(a.canonical), &pos, domain, domain_len))))
                        return -ENOENT;
        }
        *ret = a;
        return 0;
}

int hosts_lookup_name(const struct hosts_snapshot *s, const char *query, uid_t (*caller_uid)(void),
                      int64_t now, struct hosts_answer *ret) {
        const struct hosts_snapshot_entry *best = NULL;
        bool best_is_own = false, have_caller = false;
        uint32_t caller = HOSTS_OWNER_UNKNOWN;
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
                if (!best) {
                        best = e;
                        continue;
                }
                /* A second candidate: now who asks matters. */
                if (!have_caller) {
                        caller = (uint32_t) caller_uid();
                        have_caller = true;
                        best_is_own = best->owner_uid != HOSTS_OWNER_UNKNOWN && best->owner_uid == caller;
                }
                bool own = e->owner_uid != HOSTS_OWNER_UNKNOWN && e->owner_uid == caller;
                /* The index keeps entry order among equal names: first wins a tie. */
                if ((own && !best_is_own) || (own == best_is_own && is_newer(e, best))) {
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
