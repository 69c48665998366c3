/* The guard's drop counters (see guard.h): read from the table, logged
 * rate-limited, kept for each student's vmnet status. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "guard.h"
#include "guard_drop.h"
#include "log.h"
#include "nft.h"

struct reading {
        struct guard_drop_seen *v;
        size_t n, cap;
};

static int add_count(const struct nft_object *in, const char *element, void *userdata) {
        struct reading *r = userdata;
        struct nft_drop_count d;

        if (strcmp(in->name, "drops") != 0 || nft_drop_count_parse(element, &d) < 0)
                return 0;
        if (ARRAY_RESERVE(r->v, r->cap, r->n + 1) < 0)
                return -ENOMEM;
        r->v[r->n++] = (struct guard_drop_seen) { .count = d };
        return 0;
}

/* The same student, MAC and kind in the last reading, or NULL. */
static const struct guard_drop_seen *previous(const struct guard *g, const struct nft_drop_count *d) {
        for (size_t i = 0; i < g->n_drops; i++) {
                const struct nft_drop_count *p = &g->drops[i].count;
                if (p->uid == d->uid && p->kind == d->kind && memcmp(p->mac, d->mac, 6) == 0)
                        return &g->drops[i];
        }
        return NULL;
}

int guard_read_drops(struct guard *g, long long now_ms, guard_describe_fn describe, void *userdata) {
        struct reading now = {};
        struct nft_object *objects = NULL;
        size_t n_objects, logged = 0, more = 0;
        char *text = NULL;
        int r;

        if (!g->on)
                return 0;
        r = nft_run("list set bridge " GUARD_TABLE " drops", 0, &text);
        if (r < 0)
                return r;
        r = nft_listing_parse(text, strlen(text), &objects, &n_objects, add_count, &now);
        free(text);
        free(objects);
        if (r < 0) {
                free(now.v);
                return r;
        }
        for (size_t i = 0; i < now.n; i++) {
                struct guard_drop_seen *d = &now.v[i];
                const struct guard_drop_seen *p = previous(g, &d->count);
                /* a counter that fell is a new one (the old one expired) */
                if (p && p->logged <= d->count.packets) {
                        d->logged = p->logged;
                        d->logged_ms = p->logged_ms;
                }
                if (d->count.packets == d->logged || (d->logged_ms && now_ms - d->logged_ms < GUARD_LOG_EVERY_MS))
                        continue;
                if (logged == GUARD_LOG_LINES_MAX) {
                        more++;
                        continue;
                }
                char who[160];
                uint64_t n = d->count.packets - d->logged;
                describe(d->count.uid, d->count.mac, who, sizeof who, userdata);
                log_warn("guard: %s %s: %llu frame%s blocked (%llu in all)", who, guard_drop_sentence(d->count.kind),
                         (unsigned long long)n, n == 1 ? "" : "s", (unsigned long long)d->count.packets);
                d->logged = d->count.packets;
                d->logged_ms = now_ms;
                logged++;
        }
        if (more)
                log_warn("guard: and %zu more counters of blocked frames grew", more);
        free(g->drops);
        g->drops = now.v;
        g->n_drops = now.n;
        g->read_ms = now_ms;
        return 0;
}

size_t guard_drops_of(const struct guard *g, uint32_t uid, struct nft_drop_count *ret, size_t max) {
        size_t n = 0;
        for (size_t i = 0; i < g->n_drops && n < max; i++)
                if (g->drops[i].count.uid == uid)
                        ret[n++] = g->drops[i].count;
        return n;
}
