// fuzz-sources: helper/leases.c
/* libFuzzer target for the lease file parser.  Input: lease file text.
 * Checks: no lease is expired or has an invalid or repeated host name;
 * "complete" means the text is empty or ends with '\n'; any prefix cut at
 * a newline parses to no more leases than the whole; and the leases always
 * make a snapshot that the validating reader accepts and that finds each
 * named lease again (what hosts_publish relies on). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hosts_snapshot.h"
#include "leases.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)
#define NOW 1700000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *text = (const char *)data;
        struct lease *l = NULL;
        size_t n;
        bool complete;

        CHECK(leases_parse(text, size, NOW, &l, &n, &complete) == 0);
        CHECK(complete == (size == 0 || text[size - 1] == '\n'));
        CHECK((n == 0) == (l == NULL));

        struct hosts_snapshot_entry *e = calloc(n ? n : 1, sizeof *e);
        size_t named = 0;
        CHECK(e);
        for (size_t i = 0; i < n; i++) {
                size_t len = strnlen(l[i].hostname, sizeof l[i].hostname);
                CHECK(len < sizeof l[i].hostname);
                CHECK(l[i].expiry == 0 || l[i].expiry > NOW);
                if (len == 0)
                        continue;
                CHECK(dns_label_is_valid(l[i].hostname, len));
                for (size_t j = 0; j < i; j++)
                        CHECK(strcmp(l[i].hostname, l[j].hostname) != 0);
                CHECK(hosts_snapshot_entry_init(&e[named++], l[i].addr, l[i].mac, l[i].expiry,
                                                1000, "user", l[i].hostname) == 0);
        }

        void *snap;
        size_t snap_size;
        struct hosts_snapshot s;
        CHECK(hosts_snapshot_build("lab", 1, e, named, &snap, &snap_size) == 0);
        CHECK(hosts_snapshot_parse(snap, snap_size, &s) == 0);
        CHECK(s.n_entries == named);
        for (size_t i = 0; i < named; i++) {
                size_t first;
                CHECK(hosts_snapshot_find_name(&s, e[i].name, &first) == 1);
                CHECK(s.entries[s.by_name[first]].addr == e[i].addr);
        }
        free(snap);
        free(e);

        /* a prefix ending at a newline is what a half-written read shows */
        const char *last_nl = size ? memrchr(text, '\n', size - 1) : NULL;
        if (last_nl) {
                struct lease *p = NULL;
                size_t pn;
                CHECK(leases_parse(text, (size_t)(last_nl - text) + 1, NOW, &p, &pn, &complete) == 0);
                CHECK(complete);
                CHECK(pn <= n);
                free(p);
        }
        free(l);
        return 0;
}
