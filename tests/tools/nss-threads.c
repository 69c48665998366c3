/* nss-threads [REPUBLISH]: 8 threads resolve names and addresses through
 * glibc (gethostbyname2_r, getaddrinfo, gethostbyaddr_r, so through
 * libnss_vmnet) while the main thread republishes /run/vmnet/hosts
 * REPUBLISH times (default 1000) with the real writer.  Snapshot X maps
 * vmK to 10.(X+1).0.K owned by "gX", so an answer is right only if its
 * name, owner and address come from one snapshot: a torn or stale-mapped
 * read shows.  A forward lookup must never fail (rename keeps the path
 * valid at all times).  At the end: no descriptor and at most one mapping
 * of the snapshot left.  Needs a private /run (run it inside world.sh). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hosts_snapshot.h"

#define THREADS     8
#define NAMES       100
#define SNAPSHOTS   200  /* X = generation % SNAPSHOTS */

static atomic_bool done;
static atomic_ulong lookups, wrong, seen_mask_lo, seen_mask_hi;

static void note_seen(unsigned x) {
        if (x < 64)
                atomic_fetch_or(&seen_mask_lo, 1ul << x);
        else if (x < 128)
                atomic_fetch_or(&seen_mask_hi, 1ul << (x - 64));
}

static void bad(const char *what, const char *detail) {
        if (atomic_fetch_add(&wrong, 1) < 10)
                fprintf(stderr, "WRONG %s: %s\n", what, detail);
}

/* name must be vmK.gX.lab and addr 10.(X+1).0.K. */
static void check_answer(const char *what, unsigned k, const char *name, const void *addr) {
        unsigned kk, x;
        char tail[8];
        uint8_t a[4];

        memcpy(a, addr, 4);
        if (sscanf(name, "vm%u.g%u.%7s", &kk, &x, tail) != 3 || kk != k || strcmp(tail, "lab") != 0 ||
            x >= SNAPSHOTS || a[0] != 10 || a[1] != x + 1 || a[2] != 0 || a[3] != k) {
                char detail[128];
                snprintf(detail, sizeof detail, "k=%u name=%s addr=%u.%u.%u.%u", k, name, a[0], a[1], a[2], a[3]);
                bad(what, detail);
                return;
        }
        note_seen(x);
}

static void *resolver(void *arg) {
        unsigned seed = (unsigned)(uintptr_t)arg;
        char buf[1024], name[24];

        for (unsigned long i = 0; !atomic_load(&done); i++) {
                unsigned k = (unsigned)rand_r(&seed) % NAMES;
                struct hostent he, *result = NULL;
                int herr, r;

                /* NAME.DOMAIN: a bare name would answer only the caller's own */
                snprintf(name, sizeof name, "vm%u.lab", k);
                switch (i % 3) {
                case 0:
                        r = gethostbyname2_r(name, AF_INET, &he, buf, sizeof buf, &result, &herr);
                        if (r != 0 || !result)
                                bad("gethostbyname2_r", name);
                        else
                                check_answer("gethostbyname2_r", k, he.h_name, he.h_addr_list[0]);
                        break;
                case 1: {
                        struct addrinfo hints = { .ai_family = AF_INET, .ai_flags = AI_CANONNAME }, *ai = NULL;
                        r = getaddrinfo(name, NULL, &hints, &ai);
                        if (r != 0 || !ai)
                                bad("getaddrinfo", name);
                        else
                                check_answer("getaddrinfo", k, ai->ai_canonname,
                                             &((struct sockaddr_in *)ai->ai_addr)->sin_addr);
                        if (ai)
                                freeaddrinfo(ai);
                        break;
                }
                default: {
                        uint8_t a[4] = { 10, (uint8_t)(rand_r(&seed) % SNAPSHOTS + 1), 0, (uint8_t)k };
                        r = gethostbyaddr_r(a, 4, AF_INET, &he, buf, sizeof buf, &result, &herr);
                        if (r == 0 && result)
                                check_answer("gethostbyaddr_r", k, he.h_name, he.h_addr_list[0]);
                        else if (herr != HOST_NOT_FOUND)
                                bad("gethostbyaddr_r", "error other than not found");
                        break;
                }
                }
                atomic_fetch_add(&lookups, 1);
        }
        return NULL;
}

static int publish(unsigned long generation) {
        struct hosts_snapshot_entry e[NAMES];
        unsigned x = (unsigned)(generation % SNAPSHOTS);
        char user[8], host[8];

        snprintf(user, sizeof user, "g%u", x);
        for (unsigned k = 0; k < NAMES; k++) {
                uint8_t mac[6] = { 0x52, 0x54, 0, 0, (uint8_t)x, (uint8_t)k };
                struct in_addr a = { htonl(0x0a000000u | (x + 1) << 16 | k) };
                snprintf(host, sizeof host, "vm%u", k);
                if (hosts_snapshot_entry_init(&e[k], a, mac, 0, 70000 + x, user, host) < 0)
                        return -EINVAL;
        }
        return hosts_snapshot_write(HOSTS_SNAPSHOT_PATH, "lab", generation, e, NAMES);
}

static unsigned count_fds(void) {
        unsigned n = 0;
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return 0;
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

static unsigned count_snapshot_maps(void) {
        char line[512];
        unsigned n = 0;
        FILE *f = fopen("/proc/self/maps", "re");
        if (!f)
                return 0;
        while (fgets(line, sizeof line, f))
                if (strstr(line, HOSTS_SNAPSHOT_PATH))
                        n++;
        fclose(f);
        return n;
}

int main(int argc, char *argv[]) {
        unsigned long republish = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
        pthread_t t[THREADS];
        int r;

        if (publish(0) < 0) {
                perror("publish");
                return 1;
        }
        /* one lookup first, so that glibc has loaded the module before counting fds */
        struct hostent *he = gethostbyname2("vm0.lab", AF_INET);
        if (!he) {
                fprintf(stderr, "vm0 does not resolve: is libnss_vmnet in nsswitch.conf?\n");
                return 1;
        }
        unsigned fds_before = count_fds();

        for (unsigned i = 0; i < THREADS; i++)
                if (pthread_create(&t[i], NULL, resolver, (void *)(uintptr_t)(i + 1)) != 0)
                        return 1;
        for (unsigned long g = 1; g <= republish; g++) {
                r = publish(g);
                /* a breath between snapshots, so that readers see many of them */
                nanosleep(&(struct timespec) { .tv_nsec = 100000 }, NULL);
                if (r < 0) {
                        fprintf(stderr, "publish: %s\n", strerror(-r));
                        atomic_store(&done, true);
                        break;
                }
        }
        atomic_store(&done, true);
        for (unsigned i = 0; i < THREADS; i++)
                pthread_join(t[i], NULL);

        unsigned long seen = (unsigned long)__builtin_popcountl(atomic_load(&seen_mask_lo)) +
                             (unsigned long)__builtin_popcountl(atomic_load(&seen_mask_hi));
        unsigned fds_after = count_fds(), maps = count_snapshot_maps();
        printf("%lu republished, %lu lookups, %lu wrong, %lu of the first 128 snapshots seen, fds %u -> %u, %u snapshot mapping(s)\n",
               republish, atomic_load(&lookups), atomic_load(&wrong), seen, fds_before, fds_after, maps);
        if (atomic_load(&wrong) > 0 || fds_after != fds_before || maps > 1)
                return 1;
        if (seen < (republish >= 1000 ? 10 : 2) || atomic_load(&lookups) < republish) {
                fprintf(stderr, "too few lookups or snapshots seen: the test did not race\n");
                return 1;
        }
        return 0;
}
