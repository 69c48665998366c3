/* What the snapshot's reader (hosts_snapshot.c) and writer
 * (hosts_snapshot_write.c) agree on beyond hosts_snapshot.h: the checks
 * an entry passes and the orders of the two indexes.  Not an API. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hosts_snapshot.h"

/* "" or a lowercase DNS domain of len bytes. */
bool hosts_snapshot_domain_is_valid(const char *domain, size_t len);
/* Where the name buckets go: 8-aligned right after by_addr. */
size_t hosts_snapshot_name_buckets_offset(size_t by_addr_offset, size_t n);
/* The bytes of the name buckets of n entries: their header, the start
 * table, the hashes. */
size_t hosts_snapshot_name_buckets_size(uint32_t n_buckets, size_t n);
/* Total orders of the two indexes; the entry index breaks ties, so a valid
 * index is strictly increasing and thus a permutation. */
int hosts_snapshot_compare_by_name(const struct hosts_snapshot_entry *entries, uint32_t i, uint32_t j);
int hosts_snapshot_compare_by_addr(const struct hosts_snapshot_entry *entries, uint32_t i, uint32_t j);
