/* names-latency NAME LEASE_FILE TIMEOUT_MS [KEY]: the stopwatch of
 * tests/bench/names.  Watches LEASE_FILE (dnsmasq rewrites it in place
 * when it grants a lease), prints "ready", and from the first write on
 * resolves NAME through glibc (gethostbyname2_r, so through libnss_vmnet)
 * every 100 µs until it answers; then prints the milliseconds from that
 * write to the answer.  With KEY (what the lease's line holds, e.g. its
 * client id), the clock starts at the first write after which the file
 * holds KEY: dnsmasq rewrites the file for other leases too (it names
 * each lease after its record, once the names program wrote one), and
 * the write of the previous client's lease is not this one's.  Exit 0; 1
 * and "timeout" when the file was not written or NAME did not answer
 * within TIMEOUT_MS. */
#define _GNU_SOURCE
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int resolves(const char *name) {
        struct hostent he, *result = NULL;
        char buf[1024];
        int herr;
        return gethostbyname2_r(name, AF_INET, &he, buf, sizeof buf, &result, &herr) == 0 && result;
}

/* Whether the file at path holds key now. */
static int holds(const char *path, const char *key) {
        static char buf[1 << 20];
        FILE *f = fopen(path, "re");
        if (!f)
                return 0;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        return strstr(buf, key) != NULL;
}

int main(int argc, char **argv) {
        if (argc != 4 && argc != 5) {
                fprintf(stderr, "usage: %s NAME LEASE_FILE TIMEOUT_MS [KEY]\n", argv[0]);
                return 2;
        }
        const char *key = argc == 5 ? argv[4] : NULL;
        int timeout_ms = atoi(argv[3]);
        int fd = inotify_init1(IN_CLOEXEC);
        if (fd < 0 || inotify_add_watch(fd, argv[2], IN_MODIFY) < 0) {
                perror(argv[2]);
                return 1;
        }
        /* a lookup first: glibc loads the module now, not on the clock */
        (void)resolves(argv[1]);
        printf("ready\n");
        fflush(stdout);
        struct pollfd p = { .fd = fd, .events = POLLIN };
        double start = now_ms(), t0;
        for (;;) {
                char events[4096];
                int left = timeout_ms - (int)(now_ms() - start);
                if (left <= 0 || poll(&p, 1, left) != 1) {
                        printf("timeout\n");
                        return 1;
                }
                t0 = now_ms();
                if (read(fd, events, sizeof events) < 0) {
                        perror("inotify");
                        return 1;
                }
                if (!key || holds(argv[2], key))
                        break;
        }
        while (!resolves(argv[1])) {
                if (now_ms() - t0 > timeout_ms) {
                        printf("timeout\n");
                        return 1;
                }
                usleep(100);
        }
        printf("%.3f\n", now_ms() - t0);
        return 0;
}
