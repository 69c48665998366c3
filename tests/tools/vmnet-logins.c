/* vmnet-logins [-s SOCKET] PREFIX COUNT CLIENTS: a class logging in, for
 * tests/bench/sessions (not installed).  CLIENTS processes at once, as
 * that many sshd/gdm sessions would, open sessions for PREFIX0 ..
 * PREFIX(COUNT-1) between them, each OPEN a connection of its own as
 * pam_vmnet makes it, and time every call.  Then it prints
 *   opened COUNT sessions in MS ms, per login us: p50 P p90 P p99 P max P
 * waits for EOF on stdin (the sessions stay open: the clients that opened
 * them live), has the same clients close them all the same way and prints
 *   closed COUNT sessions in MS ms, per logout us: p50 P p90 P p99 P max P
 * Exit 0, or 1 when a call failed (its status on stderr). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

static long long now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int cmp_ll(const void *a, const void *b) {
        long long x = *(const long long *)a, y = *(const long long *)b;
        return x < y ? -1 : x > y;
}

/* One client: its share of the users, one phase; latencies to out. */
static int client_phase(const char *sock, const char *prefix, int count, int clients, int k, uint8_t type,
                        int out) {
        for (int i = k; i < count; i += clients) {
                struct vmnet_request req = { .type = type };
                struct vmnet_reply rep;
                snprintf(req.user, sizeof req.user, "%s%d", prefix, i);
                long long t0 = now_us();
                int r = vmnet_client_request(sock, &req, &rep, NULL, 10000);
                long long dt = now_us() - t0;
                if (r < 0 || rep.status != VMNET_OK) {
                        fprintf(stderr, "vmnet-logins: %s for %s: %s\n", type == VMNET_MSG_OPEN ? "OPEN" : "CLOSE",
                                req.user, r < 0 ? strerror(-r) : vmnet_status_string(rep.status));
                        return 1;
                }
                if (write(out, &dt, sizeof dt) != sizeof dt)
                        return 1;
        }
        return 0;
}

/* Reads count latencies from the clients and prints the phase's line. */
static int report(const char *what, const char *per, int in, int count, long long t0) {
        long long *v = calloc((size_t)count, sizeof *v);
        int n = 0;

        if (!v)
                return 1;
        while (n < count && read(in, &v[n], sizeof v[n]) == sizeof v[n])
                n++;
        long long total = now_us() - t0;
        if (n < count) {
                fprintf(stderr, "vmnet-logins: %d of %d calls %s\n", n, count, what);
                free(v);
                return 1;
        }
        qsort(v, (size_t)n, sizeof *v, cmp_ll);
        printf("%s %d sessions in %.1f ms, per %s us: p50 %lld p90 %lld p99 %lld max %lld\n", what, count,
               total / 1000.0, per, v[n / 2], v[n * 9 / 10], v[(n * 99 + 99) / 100 - 1], v[n - 1]);
        fflush(stdout);
        free(v);
        return 0;
}

int main(int argc, char **argv) {
        const char *sock = VMNET_DEFAULT_SOCKET;
        int lat[2], go[2];

        if (argc > 2 && strcmp(argv[1], "-s") == 0) {
                sock = argv[2];
                argv += 2;
                argc -= 2;
        }
        if (argc != 4) {
                fprintf(stderr, "usage: vmnet-logins [-s SOCKET] PREFIX COUNT CLIENTS\n");
                return 2;
        }
        int count = atoi(argv[2]), clients = atoi(argv[3]);
        if (count < 1 || clients < 1 || clients > 256 || pipe2(lat, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0)
                return 2;
        long long t0 = now_us();
        for (int k = 0; k < clients; k++) {
                pid_t pid = fork();
                if (pid < 0)
                        return 1;
                if (pid == 0) {
                        char byte;
                        close(lat[0]);
                        close(go[1]);
                        if (client_phase(sock, argv[1], count, clients, k, VMNET_MSG_OPEN, lat[1]))
                                _exit(1);
                        /* the sessions live as long as this process: wait for the word */
                        if (read(go[0], &byte, 1) < 0)
                                _exit(1);
                        _exit(client_phase(sock, argv[1], count, clients, k, VMNET_MSG_CLOSE, lat[1]));
                }
        }
        close(lat[1]);
        close(go[0]);
        int r = report("opened", "login", lat[0], count, t0);
        char line[64];
        while (fgets(line, sizeof line, stdin))
                ;
        t0 = now_us();
        close(go[1]); /* EOF: every client closes its share */
        if (r == 0)
                r = report("closed", "logout", lat[0], count, t0);
        int status;
        while (wait(&status) > 0)
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        r = 1;
        return r;
}
