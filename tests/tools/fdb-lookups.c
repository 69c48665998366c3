/* Owner lookups over a big forwarding database, both ways, for
 * tests/bench/guard (not installed):
 *   fdb-lookups BRIDGE N   N lookups of MACs the FDB has: the FDB read once
 *                          and searched (what a publish does now), then read
 *                          whole for each lookup (what it did before)
 * Prints "once MS per-lookup MS found N". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fdb.h"

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* What a lookup was before the guard read the FDB once: all of it. */
static int read_whole_for(const char *bridge, const uint8_t mac[6]) {
        struct fdb_sighting *v;
        size_t n;
        int r = fdb_read(bridge, &v, &n);
        if (r < 0)
                return r;
        fdb_sort(v, n);
        r = fdb_find(v, n, mac) ? 0 : -1;
        free(v);
        return r;
}

int main(int argc, char **argv) {
        struct fdb_sighting *v;
        size_t n_fdb, found = 0, found_each = 0;

        if (argc != 3)
                return 2;
        long n = strtol(argv[2], NULL, 10);
        if (n <= 0 || n > 100000)
                return 2;
        double t0 = now_ms();
        if (fdb_read(argv[1], &v, &n_fdb) < 0 || n_fdb == 0) {
                fprintf(stderr, "fdb-lookups: no FDB on %s\n", argv[1]);
                return 1;
        }
        fdb_sort(v, n_fdb);
        /* the MACs to look up: spread over the FDB, as a lab's leases are */
        uint8_t (*macs)[6] = calloc((size_t)n, 6);
        if (!macs)
                return 1;
        for (long i = 0; i < n; i++)
                for (int k = 0; k < 6; k++)
                        macs[i][k] = v[(size_t)i * n_fdb / (size_t)n].mac[k];
        for (long i = 0; i < n; i++)
                found += fdb_find(v, n_fdb, macs[i]) != NULL;
        double once = now_ms() - t0;
        t0 = now_ms();
        for (long i = 0; i < n; i++)
                found_each += read_whole_for(argv[1], macs[i]) == 0;
        double each = now_ms() - t0;
        printf("once %.3f per-lookup %.3f found %zu %zu\n", once, each, found, found_each);
        free(macs);
        free(v);
        return found == (size_t)n && found_each == (size_t)n ? 0 : 1;
}
