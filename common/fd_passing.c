/* Datagrams with an fd beside them (see fd_passing.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fd_passing.h"

/* Room for a few fds: more than one is refused, but each that arrives must
 * be seen to be closed (the kernel drops only those past the buffer). */
#define FDS_SEEN_MAX 4

ssize_t fd_send(int sock, const void *buf, size_t len, int fd, int flags) {
        union {
                struct cmsghdr h;
                char space[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (fd >= 0) {
                msg.msg_control = &control;
                msg.msg_controllen = sizeof control;
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        ssize_t n = sendmsg(sock, &msg, flags);
        return n < 0 ? -errno : n;
}

ssize_t fd_receive(int sock, void *buf, size_t size, int flags, int *ret_fd, bool *ret_truncated) {
        union {
                struct cmsghdr h;
                char space[CMSG_SPACE(sizeof(int) * FDS_SEEN_MAX)];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = size };
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = &control, .msg_controllen = sizeof control,
        };
        int fd = -1;
        bool several = false;

        ssize_t n = recvmsg(sock, &msg, flags | MSG_CMSG_CLOEXEC);
        if (n < 0)
                return -errno;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                int fds[FDS_SEEN_MAX];
                if (nfds > FDS_SEEN_MAX)
                        nfds = FDS_SEEN_MAX;
                memcpy(fds, CMSG_DATA(c), nfds * sizeof(int));
                for (size_t i = 0; i < nfds; i++) {
                        if (fd < 0) {
                                fd = fds[i];
                                continue;
                        }
                        close(fds[i]);
                        several = true;
                }
        }
        if (several && fd >= 0) {
                close(fd);
                fd = -1;
        }
        *ret_fd = fd;
        *ret_truncated = several || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC));
        return n;
}
