/* nss_lookup COUNT SECONDS [MODULE_PATH | floor]: the benchmark driver of
 * tests/bench/nss.  Resolves vm0 .. vm(COUNT-1) (each must give
 * 10.0.I/256.I%256) through glibc's gethostbyname2_r, in a scattered order,
 * for about SECONDS, and prints "LOOKUPS NS_PER_LOOKUP FAILURES".  With
 * MODULE_PATH it calls that module's _nss_vmnet_gethostbyname2_r directly
 * instead (the module's own cost, without glibc's dispatch).  With "floor"
 * it asks glibc for names no module can hold ("vm_I": '_' is no host name
 * character, libnss_vmnet refuses it before any work), which is glibc's own
 * cost per call; every one must be not found. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum nss_status (*gethostbyname2_fn)(const char *, int, struct hostent *, char *, size_t, int *, int *);

static double now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

int main(int argc, char *argv[]) {
        gethostbyname2_fn direct = NULL;
        bool floor_mode = false;
        char names[64][16];
        char buf[1024];

        if (argc < 3 || argc > 4) {
                fprintf(stderr, "usage: %s COUNT SECONDS [MODULE_PATH]\n", argv[0]);
                return 2;
        }
        unsigned long count = strtoul(argv[1], NULL, 10);
        double budget_ns = strtod(argv[2], NULL) * 1e9;
        if (count == 0 || count > 65536)
                return 2;
        if (argc == 4 && strcmp(argv[3], "floor") == 0)
                floor_mode = true;
        else if (argc == 4) {
                void *h = dlopen(argv[3], RTLD_NOW | RTLD_LOCAL);
                if (!h || !(direct = (gethostbyname2_fn) dlsym(h, "_nss_vmnet_gethostbyname2_r"))) {
                        fprintf(stderr, "%s: %s\n", argv[3], dlerror());
                        return 1;
                }
        }

        unsigned long lookups = 0, failures = 0;
        double start = now_ns(), elapsed = 0;
        /* Batches of 64 between clock reads; 7919 is prime, so the order
         * visits every name and jumps all over the file. */
        for (unsigned long next = 0; elapsed < budget_ns; ) {
                unsigned long idx[64];
                for (unsigned b = 0; b < 64; b++) {
                        idx[b] = (next++ * 7919) % count;
                        snprintf(names[b], sizeof names[b], floor_mode ? "vm_%lu" : "vm%lu", idx[b]);
                }
                for (unsigned b = 0; b < 64; b++) {
                        struct hostent he, *result = NULL;
                        int herr = 0, err = 0, r;

                        if (direct)
                                r = direct(names[b], AF_INET, &he, buf, sizeof buf, &err, &herr) == NSS_STATUS_SUCCESS ? 0 : -1;
                        else
                                r = gethostbyname2_r(names[b], AF_INET, &he, buf, sizeof buf, &result, &herr) == 0 && result ? 0 : -1;
                        const uint8_t *a = r == 0 ? (const uint8_t *) he.h_addr_list[0] : NULL;
                        if (floor_mode ? r == 0 :
                            (!a || a[0] != 10 || a[1] != 0 || a[2] != idx[b] / 256 || a[3] != idx[b] % 256))
                                failures++;
                        lookups++;
                }
                elapsed = now_ns() - start;
        }
        printf("%lu %.0f %lu\n", lookups, elapsed / (double) lookups, failures);
        return 0;
}
