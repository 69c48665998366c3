/* nss_lookup COUNT SECONDS [--direct MODULE_PATH | --expect-none] [--cycle K]:
 * the driver of tests/bench/nss.  Resolves vm0 .. vm(COUNT-1) through
 * glibc's gethostbyname2_r, in a scattered order, for about SECONDS, and
 * prints "LOOKUPS NS_PER_LOOKUP FAILURES NS_QUIET".  Name vmI must give
 * 10.I/65536.I/256%256.I%256.  With --direct, it calls that module's
 * _nss_vmnet_gethostbyname2_r instead (the module's own cost, without
 * glibc's dispatch), one call at a time: each call waits for the one
 * before it to finish, as through glibc, where each lookup's system calls
 * keep two lookups from overlapping (back to back, the processor ran the
 * next call's misses under the last one's: at 100,000 names 180-225 ns a
 * call against 231-262 ns one at a time).  What the module costs through
 * glibc beyond that (about 100 ns more at 100,000 names) is the work
 * glibc and the kernel do between two lookups, which leaves the module's
 * code and data colder.  With --expect-none every lookup must find nothing (the
 * floor: "hosts: vmnetnull", a module that answers nothing).  With
 * --cycle K only K of the names are looked up, over and over (as
 * scattered): the lookup with its data in the cache. */
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

#define BATCH 64
#define COUNT_MAX (1ul << 20)
#define BATCHES_MAX (1ul << 20) /* ~100 s of batches */

static int compare_doubles(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static double now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Nothing after this starts before all before it has finished (x86's
 * lfence); elsewhere at least the compiler keeps the calls apart. */
static inline void one_at_a_time(void) {
#if defined(__x86_64__) || defined(__i386__)
        __asm__ volatile("lfence" ::: "memory");
#else
        __asm__ volatile("" ::: "memory");
#endif
}

static bool answer_is(const struct hostent *he, unsigned long i) {
        const uint8_t *a = (const uint8_t *)he->h_addr_list[0];
        return a && a[0] == 10 && a[1] == (i >> 16 & 0xff) && a[2] == (i >> 8 & 0xff) && a[3] == (i & 0xff);
}

int main(int argc, char *argv[]) {
        gethostbyname2_fn direct = NULL;
        bool expect_none = false;
        char names[BATCH][16];
        char buf[1024];

        const char *module = NULL;
        unsigned long cycle = 0;
        int a = 3;
        for (; a < argc; a++) {
                if (strcmp(argv[a], "--expect-none") == 0)
                        expect_none = true;
                else if (strcmp(argv[a], "--direct") == 0 && a + 1 < argc)
                        module = argv[++a];
                else if (strcmp(argv[a], "--cycle") == 0 && a + 1 < argc)
                        cycle = strtoul(argv[++a], NULL, 10);
                else
                        break;
        }
        if (argc < 3 || a < argc || (module && expect_none)) {
                fprintf(stderr, "usage: %s COUNT SECONDS [--direct MODULE_PATH | --expect-none] [--cycle K]\n",
                        argv[0]);
                return 2;
        }
        unsigned long count = strtoul(argv[1], NULL, 10);
        double budget_ns = strtod(argv[2], NULL) * 1e9;
        if (count == 0 || count > COUNT_MAX || cycle > count)
                return 2;
        if (module) {
                void *h = dlopen(module, RTLD_NOW | RTLD_LOCAL);
                if (!h || !(direct = (gethostbyname2_fn) dlsym(h, "_nss_vmnet_gethostbyname2_r"))) {
                        fprintf(stderr, "%s: %s\n", module, dlerror());
                        return 1;
                }
        }

        unsigned long lookups = 0, failures = 0, n_batches = 0;
        double *batch_ns = malloc(BATCHES_MAX * sizeof *batch_ns);
        if (!batch_ns)
                return 1;
        double start = now_ns(), elapsed = 0;
        /* Batches between clock reads; 7919 is prime and no divisor of a
         * count of ours, so the order jumps all over the names. */
        for (unsigned long next = 0; elapsed < budget_ns; ) {
                unsigned long idx[BATCH];
                for (unsigned b = 0; b < BATCH; b++) {
                        idx[b] = ((cycle ? next++ % cycle : next++) * 7919) % count;
                        snprintf(names[b], sizeof names[b], "vm%lu", idx[b]);
                }
                double batch_start = now_ns(); /* the lookups only, not the making of names */
                for (unsigned b = 0; b < BATCH; b++) {
                        struct hostent he, *result = NULL;
                        int herr = 0, err = 0;
                        bool found;

                        if (direct) {
                                one_at_a_time();
                                found = direct(names[b], AF_INET, &he, buf, sizeof buf, &err, &herr) ==
                                        NSS_STATUS_SUCCESS;
                        }
                        else
                                found = gethostbyname2_r(names[b], AF_INET, &he, buf, sizeof buf, &result, &herr) ==
                                                0 && result;
                        if (expect_none ? found : !found || !answer_is(&he, idx[b]))
                                failures++;
                        lookups++;
                }
                double t = now_ns();
                if (n_batches < BATCHES_MAX)
                        batch_ns[n_batches++] = t - batch_start;
                elapsed = t - start;
        }
        qsort(batch_ns, n_batches, sizeof *batch_ns, compare_doubles);
        printf("%lu %.0f %lu %.0f\n", lookups, elapsed / (double)lookups, failures,
               batch_ns[n_batches / 10] / BATCH);
        free(batch_ns);
        return 0;
}
