/* What the kernel's table bridge vmnet_guard holds now, read back when
 * the guard starts or reloads: the learned sets survive a restart, and the
 * chains of students who left are collected from it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nft_listing.h"

/* What the kernel's table holds now: the students with chains there, and
 * whether any of their sets has a size other than max_macs. */
struct guard_listing {
        uint32_t *uids;
        size_t n;
        bool other_size;
        struct nft_object *objects;
        size_t n_objects;
};

/* Reads the table into ret (empty when there is none yet).  0 or -errno. */
int guard_listing_read(struct guard_listing *ret, unsigned max_macs);
void guard_listing_clear(struct guard_listing *l);

/* Whether o is a KIND named PREFIX + a uid (as the guard names its per-student
 * chains and sets), the uid in ret. */
bool guard_object_uid(const struct nft_object *o, const char *kind, const char *prefix, uint32_t *ret);

