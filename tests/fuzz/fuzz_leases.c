// fuzz-sources:
/* libFuzzer target for the lease file parser (common/leases.c: vmnetd's,
 * for the guard; its line reader is also the names program's).
 * Input: lease file text.  Checks: no lease is expired; "complete" means
 * the text is empty or ends with '\n'; any prefix cut at a newline parses
 * to no more leases than the whole. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

        for (size_t i = 0; i < n; i++)
                CHECK(l[i].expiry == 0 || l[i].expiry > NOW);

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
