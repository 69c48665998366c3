// fuzz-sources: nss_vmnet/hosts_lookup.c nss_vmnet/hostent_pack.c
/* libFuzzer target for the hosts snapshot reader and the NSS lookups on
 * top of it.  Input: a snapshot file's bytes, copied into a block of
 * exactly that size (so any read past the end is caught).  Checks: when
 * the reader accepts it, every lookup stays inside it and answers only
 * with live entries whose name matches, and the buckets' hashes find
 * exactly what the name index finds; the answer packs into a buffer of
 * any size without writing past it.  Seeds: tests/fuzz/corpus/fuzz_hosts_snapshot. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostent_pack.h"
#include "hosts_lookup.h"
#include "hosts_snapshot.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)
#define NOW 1700000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uid_t caller;
static uid_t caller_uid(void) {
        return caller;
}

static void check_pack(const struct hosts_answer *a) {
        for (size_t len = 0; len < 200; len += 7) {
                char *buf = malloc(len ? len : 1);
                struct hostent h;
                struct gaih_addrtuple *t;
                CHECK(buf);
                int r = hostent_pack(a, &h, buf, len);
                CHECK(r == 0 || r == -ERANGE);
                if (r == 0)
                        CHECK(strcmp(h.h_name, a->canonical) == 0);
                r = addrtuple_pack(a, buf, len, &t);
                CHECK(r == 0 || r == -ERANGE);
                free(buf);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* the reader wants what mmap gives: an 8-aligned block */
        void *copy = malloc(size ? size : 1);
        struct hosts_snapshot s;
        CHECK(copy);
        if (size)
                memcpy(copy, data, size);

        if (hosts_snapshot_parse(copy, size, &s) == 0) {
                CHECK(s.n_entries <= HOSTS_SNAPSHOT_ENTRIES_MAX);
                for (uint32_t i = 0; i < s.n_entries && i < 64; i++) {
                        const struct hosts_snapshot_entry *e = &s.entries[i];
                        char query[HOSTS_ANSWER_NAME_MAX + 8];
                        struct hosts_answer a;
                        size_t first, n = hosts_snapshot_find_name(&s, e->name, &first);

                        CHECK(n >= 1 && first + n <= s.n_entries);
                        for (size_t k = first; k < first + n; k++)
                                CHECK(strcmp(s.entries[s.by_name[k]].name, e->name) == 0);
                        /* the buckets and their hashes find what by_name finds,
                         * in the same order: a checked file's hashes are right */
                        struct hosts_name_key key;
                        struct hosts_name_range range;
                        CHECK(hosts_name_key_init(&key, e->name, strlen(e->name)));
                        size_t m = hosts_snapshot_find_key(&s, &key, &range);
                        CHECK(m == n && range.first + m <= s.n_entries);
                        for (size_t k = 0; k < m; k++) {
                                CHECK(hosts_name_range_entry(&s, &range, k) == &s.entries[s.by_name[first + k]]);
                                CHECK(s.name_hash[range.first + k] == key.hash);
                        }
                        n = hosts_snapshot_find_addr(&s, (struct in_addr) { e->addr }, &first);
                        CHECK(n >= 1 && first + n <= s.n_entries);

                        /* a live VM answers its owner's bare name; nobody's own, nobody's */
                        caller = e->owner_uid;
                        if (hosts_lookup_name(&s, e->name, caller_uid, NOW, &a) == 0) {
                                CHECK(strncmp(a.canonical, e->name, strlen(e->name)) == 0);
                                CHECK(e->owner_uid != HOSTS_OWNER_UNKNOWN);
                                check_pack(&a);
                        } else
                                CHECK((e->expiry != 0 && e->expiry <= NOW) || e->owner_uid == HOSTS_OWNER_UNKNOWN);
                        /* NAME.DOMAIN answers whenever one of that name lives */
                        snprintf(query, sizeof query, "%s%s%s", e->name, s.header->domain[0] ? "." : "",
                                 s.header->domain);
                        if (s.header->domain[0] && hosts_lookup_name(&s, query, caller_uid, NOW, &a) != 0)
                                CHECK(e->expiry != 0 && e->expiry <= NOW);
                        snprintf(query, sizeof query, "%s.%s.%s", e->name, e->owner, s.header->domain);
                        (void)hosts_lookup_name(&s, query, caller_uid, NOW, &a);
                        (void)hosts_lookup_addr(&s, (struct in_addr) { e->addr }, NOW, &a);
                }
                struct hosts_answer a;
                (void)hosts_lookup_name(&s, "vm1", caller_uid, NOW, &a);
                (void)hosts_lookup_addr(&s, (struct in_addr) { htonl(0x0a4d0065) }, NOW, &a);
        }
        /* libnss_vmnet maps with the layout checked only: its lookups must
         * stay inside whatever the entries and indexes hold */
        if (hosts_snapshot_parse_layout(copy, size, &s) == 0) {
                for (uint32_t i = 0; i < s.n_entries && i < 16; i++) {
                        const struct hosts_snapshot_entry *e = &s.entries[i];
                        char name[sizeof e->name + 1];
                        struct hosts_answer a;
                        memcpy(name, e->name, sizeof e->name);
                        name[sizeof e->name] = '\0';
                        if (hosts_lookup_name(&s, name, caller_uid, NOW, &a) == 0)
                                check_pack(&a);
                        if (hosts_lookup_addr(&s, (struct in_addr) { e->addr }, NOW, &a) == 0)
                                check_pack(&a);
                }
                struct hosts_answer a;
                if (hosts_lookup_name(&s, "vm1.stu1", caller_uid, NOW, &a) == 0)
                        check_pack(&a);
                /* whatever the hashes say, a name found is the name asked */
                struct hosts_name_key key;
                struct hosts_name_range range;
                CHECK(hosts_name_key_init(&key, "vm1", 3));
                size_t m = hosts_snapshot_find_key(&s, &key, &range);
                CHECK(range.first + m <= s.n_entries);
                for (size_t k = 0; k < m; k++)
                        CHECK(strcmp(hosts_name_range_entry(&s, &range, k)->name, "vm1") == 0);
        }
        free(copy);
        return 0;
}
