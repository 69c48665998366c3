/* An array's positions sorted by a MAC in each element (see mac_index.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mac_index.h"

static const uint8_t *mac_of(const struct mac_index *ix, size_t i) {
        return ix->base + i * ix->stride + ix->offset;
}

static int compare_positions(const void *a, const void *b, void *userdata) {
        const struct mac_index *ix = userdata;
        uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
        int r = memcmp(mac_of(ix, i), mac_of(ix, j), 6);
        if (r != 0)
                return r;
        return i < j ? -1 : i > j;
}

int mac_index_build(struct mac_index *ix, const void *base, size_t n, size_t stride, size_t offset) {
        *ix = (struct mac_index) { .base = base, .stride = stride, .offset = offset };
        if (n > UINT32_MAX)
                return -E2BIG;
        ix->pos = malloc((n ? n : 1) * sizeof *ix->pos);
        if (!ix->pos)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                ix->pos[i] = (uint32_t)i;
        ix->n = n;
        qsort_r(ix->pos, n, sizeof *ix->pos, compare_positions, ix);
        return 0;
}

size_t mac_index_find(const struct mac_index *ix, const uint8_t mac[6]) {
        size_t lo = 0, hi = ix->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (memcmp(mac_of(ix, ix->pos[mid]), mac, 6) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < ix->n && mac_index_at(ix, lo, mac) ? lo : ix->n;
}

bool mac_index_at(const struct mac_index *ix, size_t k, const uint8_t mac[6]) {
        return memcmp(mac_of(ix, ix->pos[k]), mac, 6) == 0;
}

void mac_index_free(struct mac_index *ix) {
        free(ix->pos);
        *ix = (struct mac_index) {};
}
