/* tcpbench: TCP throughput between two ends, for tests/bench/datapath.
 * Built static into the test guest (tests/guest/build) and for the host.
 *
 *   tcpbench recv PORT            accepts connections one after the other,
 *                                 reads each to EOF, then closes it; prints
 *                                 "recv BYTES SECONDS" per connection
 *   tcpbench send HOST PORT SECS  writes for SECS seconds, then half-closes
 *                                 and waits for the receiver's EOF (so the
 *                                 time covers every byte received); prints
 *                                 "sent BYTES SECONDS"
 *
 * HOST is an IPv4 address (no name resolution in the guest).  Exit 0, or 1
 * with a message on stderr.  Bounded: a send never lasts more than SECS +
 * 30 s (SO_SNDTIMEO/SO_RCVTIMEO), a connection that stalls is dropped. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (128 * 1024)
#define STALL_SECONDS 30

static char buf[CHUNK];

static double now_seconds(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int fail(const char *what) {
        fprintf(stderr, "tcpbench: %s: %s\n", what, strerror(errno));
        return 1;
}

static void set_stall_timeout(int fd) {
        struct timeval tv = { .tv_sec = STALL_SECONDS };
        (void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        (void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

static int parse_port(const char *s, unsigned short *ret) {
        char *end;
        long v = strtol(s, &end, 10);
        if (*s == '\0' || *end != '\0' || v < 1 || v > 65535)
                return -1;
        *ret = (unsigned short) v;
        return 0;
}

static int do_recv(unsigned short port) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
        int one = 1, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (s < 0)
                return fail("socket");
        (void) setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(s, (struct sockaddr *) &a, sizeof a) < 0 || listen(s, 4) < 0)
                return fail("bind/listen");
        for (;;) {
                int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0) {
                        if (errno == EINTR)
                                continue;
                        return fail("accept");
                }
                set_stall_timeout(c);
                unsigned long long bytes = 0;
                double start = 0;
                for (;;) {
                        ssize_t n = read(c, buf, sizeof buf);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0)
                                break;
                        if (bytes == 0)
                                start = now_seconds();
                        bytes += (unsigned long long) n;
                }
                printf("recv %llu %.3f\n", bytes, bytes ? now_seconds() - start : 0.0);
                fflush(stdout);
                close(c);
        }
}

static int do_send(const char *host, unsigned short port, double seconds) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        unsigned long long bytes = 0;

        if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
                fprintf(stderr, "tcpbench: '%s' is no IPv4 address\n", host);
                return 1;
        }
        if (s < 0)
                return fail("socket");
        set_stall_timeout(s);
        if (connect(s, (struct sockaddr *) &a, sizeof a) < 0)
                return fail("connect");
        double start = now_seconds(), end = start + seconds;
        while (now_seconds() < end) {
                ssize_t n = write(s, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return fail("write");
                bytes += (unsigned long long) n;
        }
        /* every byte is in when the receiver, having read to EOF, closes */
        shutdown(s, SHUT_WR);
        while (read(s, buf, sizeof buf) > 0) {
        }
        printf("sent %llu %.3f\n", bytes, now_seconds() - start);
        close(s);
        return 0;
}

int main(int argc, char **argv) {
        unsigned short port;

        if (argc == 3 && strcmp(argv[1], "recv") == 0 && parse_port(argv[2], &port) == 0)
                return do_recv(port);
        if (argc == 5 && strcmp(argv[1], "send") == 0 && parse_port(argv[3], &port) == 0) {
                double secs = strtod(argv[4], NULL);
                if (secs > 0 && secs <= 600)
                        return do_send(argv[2], port, secs);
        }
        fprintf(stderr, "usage: tcpbench recv PORT | tcpbench send HOST PORT SECONDS\n");
        return 2;
}
