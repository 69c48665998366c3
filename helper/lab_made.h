/* What vmnetd made besides links (link_registry.h has those): the
 * addresses it added to a link, and the nftables tables it made.  Kept in
 * run_dir/state with the links, so that a restart, a new configuration or
 * --down removes what an earlier one made, never re-derived from the
 * configuration in force.  (The subnet's route is the kernel's, made with
 * the address and gone with it; vmnetd adds no route of its own.)
 *
 * Pure bookkeeping: no kernel calls. */
#pragma once
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#define MADE_ADDRESSES_MAX 8
#define MADE_TABLES_MAX    8
#define MADE_TABLE_MAX     64 /* "FAMILY NAME", e.g. "inet vmnet" */

struct address_record {
        int ifindex;
        struct in_addr address;
        unsigned prefix_len;
};

struct lab_made {
        struct address_record addresses[MADE_ADDRESSES_MAX];
        size_t n_addresses;
        char tables[MADE_TABLES_MAX][MADE_TABLE_MAX];
        size_t n_tables;
};

/* Records rec (no duplicates); -ENOSPC when full, -EINVAL for a bad one. */
int made_address_add(struct lab_made *m, const struct address_record *rec);
bool made_address_remove(struct lab_made *m, const struct address_record *rec);
bool made_address_has(const struct lab_made *m, const struct address_record *rec);

/* table is "FAMILY NAME" (words of [a-z0-9_]); -ENOSPC, -EINVAL as above. */
int made_table_add(struct lab_made *m, const char *table);
bool made_table_remove(struct lab_made *m, const char *table);
bool made_table_is_valid(const char *table);
