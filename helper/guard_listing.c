/* Reading back the guard's table (see guard_listing.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

int guard_listing_read(struct guard_listing *ret, unsigned max_macs) {
        char *text = NULL;
        int r;

        *ret = (struct guard_listing) {};
        r = nft_run("list table bridge " GUARD_TABLE, NFT_RUN_QUIET, &text);
        if (r < 0)
                return 0; /* no table yet */
        r = nft_listing_parse(text, strlen(text), &ret->objects, &ret->n_objects, NULL, NULL);
        free(text);
        if (r < 0)
                return r;
        ret->uids = calloc(ret->n_objects ? ret->n_objects : 1, sizeof *ret->uids);
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
