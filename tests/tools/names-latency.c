/* names-latency NAME LEASE_FILE TIMEOUT_MS: the stopwatch of
 * tests/bench/names.  Watches LEASE_FILE (dnsmasq rewrites it in place
 * when it grants a lease), prints "ready", and from the first write on
 * resolves NAME through glibc (gethostbyname2_r, so through libnss_vmnet)
 * every 100 µs until it answers; then prints the milliseconds from that
 * write to the answer.  Exit 0; 1 and "timeout" when the file was not
 * written or NAME did not answer within TIMEOUT_MS. */
#define _GNU_SOURCE
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
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

int main(int argc, char **argv) {
        if (argc != 4) {
                fprintf(stderr, "usage: %s NAME LEASE_FILE TIMEOUT_MS\n", argv[0]);
                return 2;
        }
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
        if (poll(&p, 1, timeout_ms) != 1) {
                printf("timeout\n");
                return 1;
        }
        double t0 = now_ms();
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
