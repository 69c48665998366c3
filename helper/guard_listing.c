/* Reading back the guard's table (see guard_listing.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "guard.h"
#include "guard_listing.h"
#include "nft.h"

bool guard_object_uid(const struct nft_object *o, const char *kind, const char *prefix, uint32_t *ret) {
        size_t len = strlen(prefix);
        char *end;
        if (strcmp(o->kind, kind) != 0 || strncmp(o->name, prefix, len) != 0 || o->name[len] < '0' ||
            o->name[len] > '9')
                return false;
        unsigned long v = strtoul(o->name + len, &end, 10);
        if (*end || v > UINT32_MAX)
                return false;
        *ret = (uint32_t)v;
        return true;
}

/* Appends the objects of the guard's table that command lists.  A listing
 * of no table at all (nothing of the family there) adds none. */
static int read_objects(const char *command, struct guard_listing *l, size_t *cap) {
        struct nft_object *objects;
        char *text = NULL;
        size_t n;
        int r;

        r = nft_run(command, NFT_RUN_QUIET, &text);
        if (r < 0)
                return r;
        if (!text || strspn(text, " \t\n") == strlen(text)) {
                free(text);
                return 0;
        }
        r = nft_listing_parse(text, strlen(text), &objects, &n, NULL, NULL);
        free(text);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r == 0; i++) {
                if (strcmp(objects[i].family, "bridge") != 0 || strcmp(objects[i].table, GUARD_TABLE) != 0)
                        continue;
                if (ARRAY_RESERVE(l->objects, *cap, l->n_objects + 1) < 0)
                        r = -ENOMEM;
                else
                        l->objects[l->n_objects++] = objects[i];
        }
        free(objects);
        return r;
}

int guard_listing_read(struct guard_listing *ret, unsigned max_macs) {
        size_t cap = 0;
        int r;

        *ret = (struct guard_listing) {};
        /* the chains and the sets, not the rules: `list table` would have
         * the kernel dump and nftables print every rule (most of a
         * restart's wait at 1000 students, for nothing read here) */
        r = read_objects("list chains bridge", ret, &cap);
        if (r < 0 || ret->n_objects == 0) {
                guard_listing_clear(ret);
                return 0; /* no table yet */
        }
        r = read_objects("list sets bridge", ret, &cap);
        if (r < 0) {
                guard_listing_clear(ret);
                return r;
        }
        ret->uids = calloc(ret->n_objects, sizeof *ret->uids);
        if (!ret->uids)
                return -ENOMEM;
        for (size_t i = 0; i < ret->n_objects; i++) {
                uint32_t uid;
                if (guard_object_uid(&ret->objects[i], "chain", "in_", &uid))
                        ret->uids[ret->n++] = uid;
                if ((guard_object_uid(&ret->objects[i], "set", "macs_", &uid) ||
                     guard_object_uid(&ret->objects[i], "set", "addrs_", &uid)) &&
                    ret->objects[i].size != max_macs)
                        ret->other_size = true;
        }
        return 0;
}

void guard_listing_clear(struct guard_listing *l) {
        free(l->uids);
        free(l->objects);
        *l = (struct guard_listing) {};
}
