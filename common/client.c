/* A client's side of the conversation with vmnetd (see client.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "clock.h"
#include "fd_passing.h"

/* Waits for events on fd until deadline (CLOCK_MONOTONIC ms). */
static int wait_fd(int fd, short events, long long deadline) {
        for (;;) {
                long long left = deadline - now_ms();
                if (left <= 0)
                        return -ETIMEDOUT;
                struct pollfd p = { .fd = fd, .events = events };
                int n = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n > 0)
                        return 0;
        }
}

int vmnet_client_connect(const char *path, int timeout_ms) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        long long deadline = now_ms() + timeout_ms;
        int fd, e;

        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
                /* A full backlog answers EAGAIN on unix sockets: wait for room. */
                if (errno != EAGAIN && errno != EINPROGRESS) {
                        e = -errno;
                        close(fd);
                        return e;
                }
                for (;;) {
                        e = wait_fd(fd, POLLOUT, deadline);
                        if (e < 0)
                                break;
                        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 || errno == EISCONN) {
                                e = 0;
                                break;
                        }
                        if (errno != EAGAIN && errno != EALREADY && errno != EINPROGRESS) {
                                e = -errno;
                                break;
                        }
                        /* still no room: sleep a little rather than spin */
                        struct timespec nap = { 0, 5 * 1000 * 1000 };
                        nanosleep(&nap, NULL);
                }
                if (e < 0) {
                        close(fd);
                        return e;
                }
        }
        return fd;
}

/* Receives one message, with at most one passed fd. */
static int receive_reply(int fd, uint8_t *buf, size_t size, int *ret_fd, long long deadline) {
        bool truncated;
        ssize_t n;
        int e;

        for (;;) {
                e = wait_fd(fd, POLLIN, deadline);
                if (e < 0)
                        return e;
                n = fd_receive(fd, buf, size, MSG_DONTWAIT, ret_fd, &truncated);
                if (n >= 0)
                        break;
                if (n != -EAGAIN && n != -EINTR)
                        return (int)n;
        }
        if (n == 0 || truncated) {
                if (*ret_fd >= 0)
                        close(*ret_fd);
                *ret_fd = -1;
                return n == 0 ? -ECONNRESET : -EBADMSG;
        }
        return (int)n;
}

int vmnet_client_call(int fd, const struct vmnet_request *req,
                      struct vmnet_reply *ret, int *ret_fd, int timeout_ms) {
        long long deadline = now_ms() + timeout_ms;
        uint8_t buf[VMNET_MSG_MAX];
        int n, e, passed_fd = -1;

        n = vmnet_request_encode(req, buf, sizeof buf);
        if (n < 0)
                return n;
        int pass_fd = vmnet_msg_request_has_fd(req->type) ? req->fd : -1;
        if (vmnet_msg_request_has_fd(req->type) && pass_fd < 0)
                return -EBADF;
        for (;;) {
                ssize_t sent = fd_send(fd, buf, n, pass_fd, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (sent == n)
                        break;
                if (sent >= 0)
                        return -EMSGSIZE; /* never, for one seqpacket datagram */
                if (sent != -EAGAIN && sent != -EINTR)
                        return (int)sent;
                e = wait_fd(fd, POLLOUT, deadline);
                if (e < 0)
                        return e;
        }
        n = receive_reply(fd, buf, sizeof buf, &passed_fd, deadline);
        if (n < 0)
                return n;
        e = vmnet_reply_decode(buf, n, ret);
        if (e >= 0 && ret->type != req->type)
                e = -EBADMSG;
        if (e < 0) {
                if (passed_fd >= 0)
                        close(passed_fd);
                return e;
        }
        if (ret_fd)
                *ret_fd = passed_fd;
        else if (passed_fd >= 0)
                close(passed_fd);
        return 0;
}

int vmnet_client_request(const char *path, const struct vmnet_request *req,
                         struct vmnet_reply *ret, int *ret_fd, int timeout_ms) {
        long long deadline = now_ms() + timeout_ms;
        int fd, e;

        fd = vmnet_client_connect(path, timeout_ms);
        if (fd < 0)
                return fd;
        long long left = deadline - now_ms();
        e = vmnet_client_call(fd, req, ret, ret_fd, left > 0 ? (int)left : 0);
        close(fd);
        return e;
}
