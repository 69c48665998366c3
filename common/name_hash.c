/* The user names' short hash (see name_hash.h). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "name_hash.h"

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME  UINT64_C(0x100000001b3)

static uint64_t fnv1a64(uint64_t h, const char *s) {
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                h ^= *p;
                h *= FNV_PRIME;
        }
        return h;
}

static void hex(uint64_t h, char ret[NAME_HASH_HEX + 1]) {
        /* the top 40 bits: FNV's best mixed ones */
        snprintf(ret, NAME_HASH_HEX + 1, "%010" PRIx64, h >> 24);
}

uint64_t name_hash64(const char *s) {
        return fnv1a64(FNV_OFFSET, s);
}

void name_hash_hex(const char *s, char ret[NAME_HASH_HEX + 1]) {
        hex(name_hash64(s), ret);
}

void name_hash_hex_pair(const char *a, const char *b, char ret[NAME_HASH_HEX + 1]) {
        /* the NUL between them: h ^= 0, then the multiply */
        hex(fnv1a64(fnv1a64(FNV_OFFSET, a) * FNV_PRIME, b), ret);
}
