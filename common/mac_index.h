/* The elements of an array in the order of a MAC inside each (then of
 * their position): a MAC looked up among thousands of leases, snapshot
 * entries or bridge FDB rows in O(log n), not a scan of them all.  The
 * lab view joins them per VM (helper/vm_sightings.c): with 10,000 leases
 * in dnsmasq's file, scans made each drawing of the view seconds of
 * vmnetd's CPU (tests/bench/leases). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mac_index {
        const uint8_t *base;
        size_t stride, offset; /* element i's MAC: base + i * stride + offset */
        uint32_t *pos;         /* n positions, sorted by (MAC, position) */
        size_t n;
};

/* Indexes n elements of stride bytes at base, the MAC at offset in each.
 * The array must stay in place while the index is used.  0 or -ENOMEM
 * (or -E2BIG past UINT32_MAX elements). */
int mac_index_build(struct mac_index *ix, const void *base, size_t n, size_t stride, size_t offset);

/* The first k with mac_index_at(ix, k, mac) true, or ix->n when no
 * element has mac; those with mac follow it in position order. */
size_t mac_index_find(const struct mac_index *ix, const uint8_t mac[6]);

/* Whether the element at sorted place k (< ix->n) carries mac. */
bool mac_index_at(const struct mac_index *ix, size_t k, const uint8_t mac[6]);

/* The array position of the element at sorted place k. */
static inline size_t mac_index_position(const struct mac_index *ix, size_t k) {
        return ix->pos[k];
}

void mac_index_free(struct mac_index *ix);
