/* The records of addresses and tables vmnetd made (see lab_made.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "lab_made.h"

static bool same_address(const struct address_record *a, const struct address_record *b) {
        return a->ifindex == b->ifindex && a->address.s_addr == b->address.s_addr && a->prefix_len == b->prefix_len;
}

bool made_address_has(const struct lab_made *m, const struct address_record *rec) {
        for (size_t i = 0; i < m->n_addresses; i++)
                if (same_address(&m->addresses[i], rec))
                        return true;
        return false;
}

int made_address_add(struct lab_made *m, const struct address_record *rec) {
        if (rec->ifindex <= 0 || rec->prefix_len < 1 || rec->prefix_len > 32)
                return -EINVAL;
        if (made_address_has(m, rec))
                return 0;
        if (m->n_addresses == MADE_ADDRESSES_MAX)
                return -ENOSPC;
        m->addresses[m->n_addresses++] = *rec;
        return 0;
}

bool made_address_remove(struct lab_made *m, const struct address_record *rec) {
        for (size_t i = 0; i < m->n_addresses; i++)
                if (same_address(&m->addresses[i], rec)) {
                        m->addresses[i] = m->addresses[--m->n_addresses];
                        return true;
                }
        return false;
}

bool made_table_is_valid(const char *table) {
        size_t n = strlen(table), words = 1;

        if (n == 0 || n >= MADE_TABLE_MAX || table[0] == ' ' || table[n - 1] == ' ')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = table[i];
                if (c == ' ') {
                        if (table[i + 1] == ' ')
                                return false;
                        words++;
                } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
                        return false;
        }
        return words == 2;
}

int made_table_add(struct lab_made *m, const char *table) {
        if (!made_table_is_valid(table))
                return -EINVAL;
        for (size_t i = 0; i < m->n_tables; i++)
                if (strcmp(m->tables[i], table) == 0)
                        return 0;
        if (m->n_tables == MADE_TABLES_MAX)
                return -ENOSPC;
        strcpy(m->tables[m->n_tables++], table);
        return 0;
}

bool made_table_remove(struct lab_made *m, const char *table) {
        for (size_t i = 0; i < m->n_tables; i++)
                if (strcmp(m->tables[i], table) == 0) {
                        memcpy(m->tables[i], m->tables[--m->n_tables], MADE_TABLE_MAX);
                        return true;
                }
        return false;
}
