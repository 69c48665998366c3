/* The lab's names and their claims (see names_table.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
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

/* The new entry goes last: among equal names, the latest claim. */
static int append(struct names_table *t, const struct hosts_snapshot_entry *e) {
        if (ARRAY_RESERVE(t->v, t->allocated, t->n + 1) < 0)
                return -ENOMEM;
        t->v[t->n++] = *e;
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
        return append(t, &e);
}

/* Whether an earlier entry than i carries the same name. */
static bool claimed_before(const struct names_table *t, size_t i) {
        for (size_t j = 0; j < i; j++)
                if (strcmp(t->v[j].name, t->v[i].name) == 0)
                        return true;
        return false;
}

static void put_name(struct strbuf *b, const char *name, const char *user, const char *domain) {
        strbuf_printf(b, " %s%s%s%s%s", name, user ? "." : "", user ? user : "", domain[0] ? "." : "", domain);
}

int names_table_dns_hosts(const struct names_table *t, const char *domain, char **ret, size_t *ret_len) {
        struct strbuf b = {};

        strbuf_puts(&b, "# Written by vmnet-names for the lab's dnsmasq (hostsdir); every change rewrites it.\n");
        for (size_t i = 0; i < t->n; i++) {
                const struct hosts_snapshot_entry *e = &t->v[i];
                char addr[INET_ADDRSTRLEN];
                bool own = e->owner[0] && dns_label_is_valid(e->owner, strlen(e->owner));
                bool first = !claimed_before(t, i);

                if (!own && !first)
                        continue;
                inet_ntop(AF_INET, &e->addr, addr, sizeof addr);
                strbuf_puts(&b, addr);
                if (own) {
                        char user[HOSTS_USER_MAX + 1];
                        dns_lowercase(user, e->owner, strlen(e->owner) + 1);
                        put_name(&b, e->name, user, domain);
                }
                if (first)
                        put_name(&b, e->name, NULL, domain);
                strbuf_puts(&b, "\n");
        }
        if (b.error < 0) {
                int r = b.error;
                strbuf_free(&b);
                return r;
        }
        *ret_len = b.len;
        *ret = b.data;
        return 0;
}
