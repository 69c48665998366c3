/* The lab's names and their claims (see names_table.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "cleanup.h"
#include "names_table.h"
#include "strbuf.h"

int names_table_load(struct names_table *t, const struct hosts_snapshot *s) {
        if (s->n_entries > 0 && ARRAY_RESERVE(t->v, t->allocated, s->n_entries) < 0)
                return -ENOMEM;
        for (uint32_t i = 0; i < s->n_entries; i++)
                t->v[i] = s->entries[s->by_name[i]];
        t->n = s->n_entries;
        return 0;
}

void names_table_clear(struct names_table *t) {
        free(t->v);
        *t = (struct names_table) {};
}

bool names_reserved_has(const struct names_reserved *r, const char *name) {
        for (size_t i = 0; i < r->n; i++)
                if (strcmp(r->names[i], name) == 0)
                        return true;
        return false;
}

static void remove_at(struct names_table *t, size_t i) {
        memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof t->v[0]);
        t->n--;
}

static bool is_lease(const struct hosts_snapshot_entry *e, const struct lease_event *ev) {
        return e->addr == ev->addr.s_addr && memcmp(e->mac, ev->mac, sizeof e->mac) == 0;
}

/* Drops the entries that expired by now, and for a lease granted or
 * renewed the other leases at its address (dnsmasq gave it to this MAC:
 * their del was lost). */
static void drop_stale(struct names_table *t, const struct lease_event *ev, int64_t now) {
        for (size_t i = t->n; i-- > 0;) {
                const struct hosts_snapshot_entry *e = &t->v[i];
                bool expired = e->expiry != 0 && e->expiry <= now;
                bool displaced = ev->action != LEASE_DEL && e->addr == ev->addr.s_addr && !is_lease(e, ev);
                if (expired || displaced)
                        remove_at(t, i);
        }
}

/* The new entry goes after every entry of its name or a name before it:
 * among equal names the latest claim, and the table stays in the order
 * names_table_load() gives back.  Else the next event's dnsmasq records
 * came out in another order, a file of them was rewritten for nothing,
 * and dnsmasq reread it and went through all its leases again (10 ms of
 * its one thread with 1000 leases, and a run of this program). */
static int insert_claim(struct names_table *t, const struct hosts_snapshot_entry *e) {
        size_t lo = 0, hi = t->n;

        if (ARRAY_RESERVE(t->v, t->allocated, t->n + 1) < 0)
                return -ENOMEM;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (strcmp(t->v[mid].name, e->name) <= 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        memmove(&t->v[lo + 1], &t->v[lo], (t->n - lo) * sizeof t->v[0]);
        t->v[lo] = *e;
        t->n++;
        return 0;
}

int names_table_apply(struct names_table *t, const struct lease_event *ev, const struct names_owner *owner,
                      const struct names_reserved *reserved, int64_t now) {
        struct hosts_snapshot_entry e;
        size_t i;

        drop_stale(t, ev, now);
        for (i = 0; i < t->n && !is_lease(&t->v[i], ev); i++)
                ;
        bool found = i < t->n;
        bool over = ev->expiry != 0 && ev->expiry <= now; /* a renewal that came too late */
        if (ev->action == LEASE_DEL || over) {
                if (found)
                        remove_at(t, i);
                return 0;
        }
        if (found) {
                e = t->v[i];
                e.expiry = ev->expiry;
        } else {
                if (!ev->name_known || !ev->name[0])
                        return 0; /* nothing to resolve it by */
                e = (struct hosts_snapshot_entry) { .expiry = ev->expiry, .addr = ev->addr.s_addr,
                                                    .owner_uid = HOSTS_OWNER_UNKNOWN };
                memcpy(e.mac, ev->mac, sizeof e.mac);
        }
        if (owner->uid != HOSTS_OWNER_UNKNOWN) {
                /* a name too long for the field leaves the VM the student's
                 * own (by uid), without a NAME.USER of its own */
                size_t len = strlen(owner->user);
                e.owner_uid = owner->uid;
                memset(e.owner, 0, sizeof e.owner);
                if (len <= HOSTS_USER_MAX)
                        memcpy(e.owner, owner->user, len);
        }
        const char *name = ev->name_known ? ev->name : e.name;
        if (!name[0] || names_reserved_has(reserved, name)) {
                if (found)
                        remove_at(t, i); /* unnamed or renamed to what no VM may be */
                return 0;
        }
        if (found && strcmp(name, e.name) == 0) {
                t->v[i] = e; /* a renewal: its claim stays where it was */
                return 0;
        }
        /* zero-padded, as the snapshot's reader checks */
        memset(e.name, 0, sizeof e.name);
        memcpy(e.name, name, strlen(name));
        if (found)
                remove_at(t, i); /* renamed: a new claim */
        return insert_claim(t, &e);
}

bool names_table_is_snapshot(const struct names_table *t, const struct hosts_snapshot *s) {
        if (t->n != s->n_entries)
                return false;
        for (size_t i = 0; i < t->n; i++)
                if (memcmp(&t->v[i], &s->entries[s->by_name[i]], sizeof t->v[i]) != 0)
                        return false;
        return true;
}

/* Positions by (name, position): the first of each name's run is its
 * first claim. */
static int compare_claims(const void *a, const void *b, void *userdata) {
        const struct hosts_snapshot_entry *v = userdata;
        uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
        int c = strcmp(v[i].name, v[j].name);
        return c != 0 ? c : (i > j) - (i < j);
}

/* first[i]: no earlier entry than i carries its name.  One sort, not a
 * scan of the earlier entries for each (10,000 leases made that 50
 * million comparisons an event).  0 or -ENOMEM. */
static int mark_first_claims(const struct names_table *t, bool *first) {
        _cleanup_free_ uint32_t *order = malloc((t->n ? t->n : 1) * sizeof *order);

        if (!order)
                return -ENOMEM;
        for (size_t i = 0; i < t->n; i++)
                order[i] = (uint32_t)i;
        qsort_r(order, t->n, sizeof *order, compare_claims, t->v);
        for (size_t k = 0; k < t->n; k++)
                first[order[k]] = k == 0 || strcmp(t->v[order[k - 1]].name, t->v[order[k]].name) != 0;
        return 0;
}

/* " NAME[.USER][.DOMAIN]".  No printf here nor in put_addr: formatting
 * 2200 names with it was a fifth of the names program's time. */
static void put_name(struct strbuf *b, const char *name, const char *user, const char *domain) {
        strbuf_put(b, " ", 1);
        strbuf_puts(b, name);
        if (user) {
                strbuf_put(b, ".", 1);
                strbuf_puts(b, user);
        }
        if (domain[0]) {
                strbuf_put(b, ".", 1);
                strbuf_puts(b, domain);
        }
}

/* The address (network byte order) in dotted quad. */
static void put_addr(struct strbuf *b, uint32_t addr) {
        const uint8_t *q = (const uint8_t *)&addr;
        char text[INET_ADDRSTRLEN], *p = text;

        for (int i = 0; i < 4; i++) {
                unsigned v = q[i];
                if (v >= 100)
                        *p++ = (char)('0' + v / 100);
                if (v >= 10)
                        *p++ = (char)('0' + v / 10 % 10);
                *p++ = (char)('0' + v % 10);
                *p++ = '.';
        }
        strbuf_put(b, text, (size_t)(p - text - 1));
}

unsigned names_dns_shard(uint32_t addr) {
        /* Fibonacci hashing: neighbouring addresses spread over the files */
        return (unsigned)(((uint64_t)ntohl(addr) * 2654435769u & 0xffffffffu) * NAMES_DNS_SHARDS >> 32);
}

void names_dns_shards_free(struct strbuf shards[NAMES_DNS_SHARDS]) {
        for (size_t k = 0; k < NAMES_DNS_SHARDS; k++)
                strbuf_free(&shards[k]);
}

int names_table_dns_hosts(const struct names_table *t, const char *domain, struct strbuf shards[NAMES_DNS_SHARDS]) {
        _cleanup_free_ bool *first_claims = calloc(t->n ? t->n : 1, sizeof *first_claims);
        int r = 0;

        if (!first_claims || mark_first_claims(t, first_claims) < 0)
                return -ENOMEM;
        for (size_t k = 0; k < NAMES_DNS_SHARDS; k++) {
                shards[k] = (struct strbuf) {};
                strbuf_puts(&shards[k], "# Written by vmnet-names for the lab's dnsmasq (hostsdir); "
                                        "rewritten when it changes.\n");
        }
        for (size_t i = 0; i < t->n; i++) {
                const struct hosts_snapshot_entry *e = &t->v[i];
                struct strbuf *b = &shards[names_dns_shard(e->addr)];
                bool own = e->owner[0] && dns_label_is_valid(e->owner, strlen(e->owner));
                bool first = first_claims[i];

                if (!own && !first)
                        continue;
                put_addr(b, e->addr);
                if (own) {
                        char user[HOSTS_USER_MAX + 1];
                        dns_lowercase(user, e->owner, strlen(e->owner) + 1);
                        put_name(b, e->name, user, domain);
                }
                if (first)
                        put_name(b, e->name, NULL, domain);
                strbuf_puts(b, "\n");
        }
        for (size_t k = 0; k < NAMES_DNS_SHARDS; k++)
                if (shards[k].error < 0)
                        r = shards[k].error;
        if (r < 0)
                names_dns_shards_free(shards);
        return r;
}
