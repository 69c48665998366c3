/* login-link-floor BRIDGE COUNT: the kernel's floor for tests/bench/sessions.
 * Makes COUNT login links (tap-kN) on BRIDGE one after the other with the
 * very code vmnetd uses (login_link_create(): veth pair, IPv6 off, bridge
 * end plugged and up, student's end up), then deletes them all in one
 * kernel operation (links_delete()), and prints
 *     made COUNT in MS ms, cpu US us each, all deleted in MS ms
 * — what the links cost without sessions, requests, the state file or a
 * batch limit; the CPU time (its own and the kernel's on its behalf) is
 * what a loaded machine disturbs least.  Exit 1 when the kernel refuses
 * one. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bridge.h"
#include "login_link.h"

static double clock_ms(clockid_t clock) {
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double now_ms(void) {
        return clock_ms(CLOCK_MONOTONIC);
}

int main(int argc, char **argv) {
        struct nl_sock *sk;
        struct kernel_link bridge, student, port;

        if (argc != 3 || atoi(argv[2]) < 1) {
                fprintf(stderr, "usage: login-link-floor BRIDGE COUNT\n");
                return 2;
        }
        int count = atoi(argv[2]);
        int *ifindexes = calloc((size_t)count, sizeof *ifindexes);
        if (!ifindexes || netlink_open(&sk) < 0 || link_get(sk, 0, argv[1], &bridge) < 0) {
                fprintf(stderr, "login-link-floor: no bridge %s\n", argv[1]);
                return 1;
        }
        double t0 = now_ms(), cpu0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
        for (int i = 0; i < count; i++) {
                char name[IFNAMSIZ];
                snprintf(name, sizeof name, "tap-k%d", i);
                if (login_link_create(sk, name, bridge.ifindex, &student, &port) < 0) {
                        fprintf(stderr, "login-link-floor: cannot make %s\n", name);
                        return 1;
                }
                ifindexes[i] = student.ifindex;
        }
        double t1 = now_ms(), cpu1 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
        if (links_delete(sk, ifindexes, (size_t)count) != count) {
                fprintf(stderr, "login-link-floor: cannot delete them\n");
                return 1;
        }
        printf("made %d in %.0f ms, cpu %.0f us each, all deleted in %.0f ms\n", count, t1 - t0,
               (cpu1 - cpu0) * 1e3 / count, now_ms() - t1);
        netlink_close(sk);
        free(ifindexes);
        return 0;
}
