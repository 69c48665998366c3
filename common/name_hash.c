/* The user names' short hash (see name_hash.h). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "name_hash.h"

static uint64_t fnv1a64(const char *s) {
        uint64_t h = UINT64_C(0xcbf29ce484222325);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                h ^= *p;
                h *= UINT64_C(0x100000001b3);
        }
        return h;
}

void name_hash_hex(const char *s, char ret[NAME_HASH_HEX + 1]) {
        /* the top 40 bits: FNV's best mixed ones */
        snprintf(ret, NAME_HASH_HEX + 1, "%010" PRIx64, fnv1a64(s) >> 24);
}
