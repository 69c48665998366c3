/* nss-watch NAME OLD NEW READY_FILE: one long-running process that keeps
 * resolving NAME through glibc.  Once NAME gives OLD it creates READY_FILE;
 * then it resolves until NAME gives NEW, at most 10 s, and prints how long
 * that took.  Exit 0 when NEW came, 1 on a timeout or an answer that is
 * neither.  Shows that a process which keeps the snapshot mapped follows
 * it when it is replaced. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1: old, 2: new, 0: neither (or not found) */
static int resolve(const char *name, struct in_addr old, struct in_addr new) {
        char buf[1024];
        struct hostent he, *result = NULL;
        int herr;

        if (gethostbyname2_r(name, AF_INET, &he, buf, sizeof buf, &result, &herr) != 0 || !result)
                return 0;
        if (memcmp(he.h_addr_list[0], &old, 4) == 0)
                return 1;
        if (memcmp(he.h_addr_list[0], &new, 4) == 0)
                return 2;
        return 0;
}

int main(int argc, char *argv[]) {
        struct in_addr old, new;

        if (argc != 5 || inet_pton(AF_INET, argv[2], &old) != 1 || inet_pton(AF_INET, argv[3], &new) != 1) {
                fprintf(stderr, "usage: %s NAME OLD NEW READY_FILE\n", argv[0]);
                return 2;
        }
        double start = now_s();
        while (resolve(argv[1], old, new) != 1) {
                if (now_s() - start > 10) {
                        fprintf(stderr, "%s never gave %s\n", argv[1], argv[2]);
                        return 1;
                }
                usleep(1000);
        }
        int fd = open(argv[4], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
                perror(argv[4]);
                return 1;
        }
        close(fd);
        start = now_s();
        for (;;) {
                int r = resolve(argv[1], old, new);
                if (r == 2)
                        break;
                if (r == 0) {
                        fprintf(stderr, "%s: an answer that is neither %s nor %s\n", argv[1], argv[2], argv[3]);
                        return 1;
                }
                if (now_s() - start > 10) {
                        fprintf(stderr, "%s still %s after 10 s\n", argv[1], argv[2]);
                        return 1;
                }
                usleep(1000);
        }
        printf("%s followed the new snapshot after %.0f ms\n", argv[1], (now_s() - start) * 1000);
        return 0;
}
