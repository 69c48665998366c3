#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "hosts_lookup.h"

struct query {
        struct hosts_name_key key;
        const char *user;               /* NULL: any owner */
        size_t user_len;
};

/* The n bytes at a and b are equal but for ASCII case (no locale). */
static bool equal_ignoring_case(const char *a, const char *b, size_t n) {
        for (size_t i = 0; i < n; i++) {
                char x = a[i], y = b[i];
                if (x >= 'A' && x <= 'Z')
                        x = (char)(x - 'A' + 'a');
                if (y >= 'A' && y <= 'Z')
                        y = (char)(y - 'A' + 'a');
                if (x != y)
                        return false;
        }
        return true;
}

/* Splits query into NAME[.USER][.DOMAIN] as described in the header;
 * *ret_bare: NAME alone. */
static int parse_query(const char *query, const char *domain, size_t domain_len, struct query *ret,
                       bool *ret_bare) {
        size_t len, name_len = 0;

        /* strnlen() and memchr() as loops: a lookup calls nothing (see
         * tests/bench/nss, where each call into libc showed); NAME first,
         * and the rest is read only when there is one */
        while (name_len <= DNS_LABEL_MAX && query[name_len] != '\0' && query[name_len] != '.')
                name_len++;
        if (name_len > DNS_LABEL_MAX)
                return -ENOENT;
        len = name_len;
        while (len <= HOSTS_ANSWER_NAME_MAX && query[len] != '\0')
                len++;
        if (len > 0 && query[len - 1] == '.')
                len--; /* an absolute name */
        if (len == 0 || len >= HOSTS_ANSWER_NAME_MAX)
                return -ENOENT;
        bool dot = name_len < len;
        if (!hosts_name_key_init(&ret->key, query, name_len))
                return -ENOENT;
        ret->user = NULL;
        ret->user_len = 0;
        *ret_bare = !dot;

        if (dot) {
                const char *rest = query + name_len + 1;
                size_t rest_len = len - name_len - 1;

                if (domain_len == 0) {
                        ret->user = rest;           /* NAME.USER */
                        ret->user_len = rest_len;
                } else if (rest_len == domain_len && equal_ignoring_case(rest, domain, domain_len)) {
                        ret->user = NULL;           /* NAME.DOMAIN */
                } else if (rest_len > domain_len + 1 && rest[rest_len - domain_len - 1] == '.' &&
                           equal_ignoring_case(rest + rest_len - domain_len, domain, domain_len)) {
                        ret->user = rest;           /* NAME.USER.DOMAIN */
                        ret->user_len = rest_len - domain_len - 1;
                } else
                        return -ENOENT;
                if (ret->user && (ret->user_len == 0 || ret->user_len > HOSTS_USER_MAX))
                        return -ENOENT;
        }
        return 0;
}

static bool is_live(const struct hosts_snapshot_entry *e, int64_t now) {
        return e->expiry == 0 || e->expiry > now;
}

/* True if a lease is newer than b (later expiry; 0 is infinite). */
static bool is_newer(const struct hosts_snapshot_entry *a, const struct hosts_snapshot_entry *b) {
        uint64_t ea = a->expiry == 0 ? UINT64_MAX : (uint64_t)a->expiry;
        uint64_t eb = b->expiry == 0 ? UINT64_MAX : (uint64_t)b->expiry;
        return ea > eb;
}

/* Appends a fixed field (a NUL-terminated string of len bytes in size
 * bytes) at *p: the whole field is copied, a move of constant size the
 * compiler does inline, and *p moves on by len only.  The destination has
 * room for the whole field (see answer_for). */
#define PUT_FIELD(p, field, len)                                        \
        do {                                                            \
                memcpy(*(p), (field), sizeof field);                   \
                *(p) += (len);                                          \
        } while (0)

/* Fills *ret for entry e, whose name is name_len bytes long.  Every part
 * is copied as its whole field: the last copy, the domain, ends at most at
 * 63 + 1 + 32 + 1 + 64 bytes, which the answer's arrays hold. */
static void answer_for(const struct hosts_snapshot_entry *e, size_t name_len, const struct hosts_snapshot *s,
                       struct hosts_answer *ret) {
        size_t domain_len = s->domain_len, owner_len = 0;
        char *p = ret->alias;

        static_assert(DNS_LABEL_MAX + 1 + HOSTS_USER_MAX + 1 + sizeof s->header->domain <= HOSTS_ANSWER_NAME_MAX,
                      "the whole domain field fits after NAME.USER.");
        static_assert(sizeof e->name <= HOSTS_ANSWER_NAME_MAX, "the whole name field fits");
        while (owner_len < HOSTS_USER_MAX && e->owner[owner_len] != '\0')
                owner_len++;
        ret->addr.s_addr = e->addr;
        /* NAME[.DOMAIN] */
        PUT_FIELD(&p, e->name, name_len);
        if (domain_len > 0) {
                *p++ = '.';
                PUT_FIELD(&p, s->header->domain, domain_len);
        }
        *p = '\0';
        ret->alias_len = (size_t)(p - ret->alias);
        if (owner_len == 0) {
                memcpy(ret->canonical, ret->alias, sizeof ret->canonical);
                ret->canonical_len = ret->alias_len;
                ret->alias[0] = '\0';
                ret->alias_len = 0;
                return;
        }
        /* NAME.OWNER[.DOMAIN] */
        p = ret->canonical;
        PUT_FIELD(&p, e->name, name_len);
        *p++ = '.';
        PUT_FIELD(&p, e->owner, owner_len);
        if (domain_len > 0) {
                *p++ = '.';
                PUT_FIELD(&p, s->header->domain, domain_len);
        }
        *p = '\0';
        ret->canonical_len = (size_t)(p - ret->canonical);
}

/* e's owner is the user of the query (ASCII case ignored). */
static bool owner_is(const struct hosts_snapshot_entry *e, const struct query *q) {
        return q->user_len < sizeof e->owner && e->owner[q->user_len] == '\0' &&
               equal_ignoring_case(e->owner, q->user, q->user_len);
}

int hosts_lookup_name(const struct hosts_snapshot *s, const char *query, uid_t (*caller_uid)(void),
                      int64_t now, struct hosts_answer *ret) {
        bool bare, have_caller = false;
        uint32_t caller = HOSTS_OWNER_UNKNOWN;
        struct hosts_name_range range;
        struct query q;

        if (parse_query(query, s->header->domain, s->domain_len, &q, &bare) < 0)
                return -ENOENT;
        size_t n = hosts_snapshot_find_key(s, &q.key, &range);
        /* in claim order: the first live one that fits is the answer */
        for (size_t k = 0; k < n; k++) {
                const struct hosts_snapshot_entry *e = hosts_name_range_entry(s, &range, k);

                if (!is_live(e, now))
                        continue;
                if (q.user && !owner_is(e, &q))
                        continue;
                if (bare) {
                        /* the caller's own VMs only: asked once, and only
                         * once a candidate is there (getuid() is a system call) */
                        if (!have_caller) {
                                caller = (uint32_t)caller_uid();
                                have_caller = true;
                        }
                        if (e->owner_uid == HOSTS_OWNER_UNKNOWN || e->owner_uid != caller)
                                continue;
                }
                answer_for(e, q.key.len, s, ret);
                return 0;
        }
        return -ENOENT;
}

int hosts_lookup_addr(const struct hosts_snapshot *s, struct in_addr addr, int64_t now,
                      struct hosts_answer *ret) {
        const struct hosts_snapshot_entry *best = NULL;
        size_t first, n;

        n = hosts_snapshot_find_addr(s, addr, &first);
        for (size_t i = first; i < first + n; i++) {
                const struct hosts_snapshot_entry *e = &s->entries[s->by_addr[i]];
                /* the module reads an unchecked file: this entry's strings
                 * are not known good, as a matched name is */
                if (hosts_snapshot_entry_is_valid(e) && is_live(e, now) && (!best || is_newer(e, best)))
                        best = e;
        }
        if (!best)
                return -ENOENT;
        answer_for(best, strnlen(best->name, sizeof best->name), s, ret);
        return 0;
}
