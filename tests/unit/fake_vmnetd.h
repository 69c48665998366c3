/* A scripted stand-in for vmnetd, for unit tests of its clients
 * (common/client.c, pam_vmnet).  It runs in a child process on a
 * SOCK_SEQPACKET socket in a fresh temporary directory, serves one
 * connection per step of its script, and reports every request it
 * received to the test through a pipe.  Only for tests: the real vmnetd
 * is what the integration tests talk to. */
#pragma once
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fd_passing.h"
#include "protocol.h"

enum fake_action {
        FAKE_REPLY,     /* answer with status (and tap, on success) */
        FAKE_RAW,       /* answer with the bytes raw[0..raw_len) */
        FAKE_SILENT,    /* read the request, never answer */
        FAKE_HANGUP,    /* accept and close at once, without reading */
        FAKE_NO_ACCEPT, /* listen with a backlog of 0 and never accept */
};

struct fake_step {
        enum fake_action action;
        uint16_t status;
        const char *tap;
        const uint8_t *raw;
        size_t raw_len;
        bool pass_fd; /* send an fd of /dev/null with the answer */
};

/* What the child reports for each connection it served. */
struct fake_report {
        int decode_result;  /* vmnet_request_decode()'s, or 1: hung up before reading */
        struct vmnet_request req;
};

struct fake_vmnetd {
        char dir[64];
        char path[96];
        pid_t pid;
        int report_fd;
};

static void fake_send(int c, const void *buf, size_t len, bool pass_fd) {
        int null_fd = pass_fd ? open("/dev/null", O_RDONLY | O_CLOEXEC) : -1;

        (void)fd_send(c, buf, len, null_fd, MSG_NOSIGNAL);
        if (null_fd >= 0)
                close(null_fd);
}

static void fake_serve(int listen_fd, int report_fd, const struct fake_step *steps, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const struct fake_step *s = &steps[i];
                struct fake_report rep = { .decode_result = 1 };
                uint8_t buf[VMNET_MSG_MAX];

                if (s->action == FAKE_NO_ACCEPT)
                        break;
                int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0)
                        _exit(2);
                if (s->action == FAKE_HANGUP) {
                        close(c);
                        (void)!write(report_fd, &rep, sizeof rep);
                        continue;
                }
                ssize_t len = recv(c, buf, sizeof buf, 0);
                rep.decode_result = vmnet_request_decode(buf, len < 0 ? 0 : (size_t)len, &rep.req);
                (void)!write(report_fd, &rep, sizeof rep);
                if (s->action == FAKE_SILENT) {
                        pause();
                        _exit(0);
                }
                if (s->action == FAKE_RAW) {
                        fake_send(c, s->raw, s->raw_len, s->pass_fd);
                } else {
                        struct vmnet_reply r = { .type = rep.req.type, .status = s->status };
                        if (s->tap)
                                snprintf(r.tap, sizeof r.tap, "%s", s->tap);
                        int m = vmnet_reply_encode(&r, buf, sizeof buf);
                        if (m < 0)
                                _exit(3);
                        fake_send(c, buf, (size_t)m, s->pass_fd);
                }
                close(c);
        }
        /* stay, so that the socket keeps existing, until stopped */
        for (;;)
                pause();
}

/* Starts the fake with its script; 0 or a negative errno. */
static int fake_vmnetd_start(struct fake_vmnetd *f, const struct fake_step *steps, size_t n) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int p[2], l;

        snprintf(f->dir, sizeof f->dir, "/tmp/fake-vmnetd.XXXXXX");
        if (!mkdtemp(f->dir))
                return -errno;
        snprintf(f->path, sizeof f->path, "%s/vmnetd.sock", f->dir);
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", f->path);
        l = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (l < 0)
                return -errno;
        bool no_accept = n > 0 && steps[0].action == FAKE_NO_ACCEPT;
        if (bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, no_accept ? 0 : 16) < 0)
                return -errno;
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        f->pid = fork();
        if (f->pid < 0)
                return -errno;
        if (f->pid == 0) {
                close(p[0]);
                fake_serve(l, p[1], steps, n);
                _exit(0);
        }
        close(l);
        close(p[1]);
        f->report_fd = p[0];
        return 0;
}

/* The next request the fake received, waiting at most timeout_ms:
 * 0, or -ETIMEDOUT when none came. */
static int fake_vmnetd_next(struct fake_vmnetd *f, struct fake_report *ret, int timeout_ms) {
        struct pollfd p = { .fd = f->report_fd, .events = POLLIN };
        if (poll(&p, 1, timeout_ms) <= 0)
                return -ETIMEDOUT;
        if (read(f->report_fd, ret, sizeof *ret) != (ssize_t)sizeof *ret)
                return -EIO;
        return 0;
}

static void fake_vmnetd_stop(struct fake_vmnetd *f) {
        if (f->pid > 0) {
                kill(f->pid, SIGKILL);
                waitpid(f->pid, NULL, 0);
                f->pid = 0;
        }
        if (f->report_fd >= 0)
                close(f->report_fd);
        f->report_fd = -1;
        unlink(f->path);
        rmdir(f->dir);
}

/* Open file descriptors of this process, to prove none is leaked. */
static int count_open_fds(void) {
        int n = 0;
        for (int fd = 0; fd < 1024; fd++)
                if (fcntl(fd, F_GETFD) >= 0)
                        n++;
        return n;
}

static long long monotonic_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}
