/* The control socket (see server.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "client.h"
#include "log.h"
#include "server.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

static int mkdir_parent(const char *path) {
        char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
        char *slash;

        snprintf(dir, sizeof dir, "%s", path);
        slash = strrchr(dir, '/');
        if (!slash || slash == dir)
                return 0;
        *slash = 0;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int server_listen(const char *path, bool *ret_activated) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int n, fd, probe;

        n = sd_listen_fds(1);
        if (n > 1) {
                log_error("systemd passed %d sockets, expected one", n);
                return -EINVAL;
        }
        if (n == 1) {
                if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_SEQPACKET, 1, NULL, 0) <= 0) {
                        log_error("the socket systemd passed is not a listening SOCK_SEQPACKET unix socket");
                        return -EINVAL;
                }
                /* systemd may pass it blocking; accept loops until EAGAIN */
                int flags = fcntl(SD_LISTEN_FDS_START, F_GETFL);
                if (flags < 0 || fcntl(SD_LISTEN_FDS_START, F_SETFL, flags | O_NONBLOCK) < 0)
                        return -errno;
                *ret_activated = true;
                return SD_LISTEN_FDS_START;
        }
        *ret_activated = false;
        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        (void)mkdir_parent(path);
        /* a socket file that nobody answers is stale; one that answers is another vmnetd */
        probe = vmnet_client_connect(path, 200);
        if (probe >= 0) {
                close(probe);
                log_error("another vmnetd is already listening on %s", path);
                return -EADDRINUSE;
        }
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || chmod(path, 0666) < 0 ||
            listen(fd, SOMAXCONN) < 0) {
                int e = -errno;
                close(fd);
                return e;
        }
        return fd;
}

int server_accept(int listen_fd, struct client *ret) {
        struct ucred cred;
        socklen_t len = sizeof cred;
        int fd, pidfd = -1;

        fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
                int e = -errno;
                close(fd);
                return e;
        }
        len = sizeof pidfd;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0)
                pidfd = -1; /* kernels before 6.5: process.c opens one by pid */
        *ret = (struct client) {
                .fd = fd,
                .peer = { .uid = cred.uid, .pid = cred.pid, .pidfd = pidfd },
        };
        return 0;
}

static int send_reply(int fd, const struct vmnet_reply *rep, int pass_fd) {
        uint8_t buf[VMNET_MSG_MAX];
        union {
                struct cmsghdr h;
                char space[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = buf };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
        int n = vmnet_reply_encode(rep, buf, sizeof buf);

        if (n < 0)
                return n;
        iov.iov_len = n;
        if (pass_fd >= 0) {
                msg.msg_control = &control;
                msg.msg_controllen = sizeof control;
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
        }
        /* a client that does not read its reply is dropped, never waited for */
        if (sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) != n)
                return -errno;
        return 0;
}

int server_serve(struct lab *lab, struct client *c) {
        uint8_t buf[VMNET_MSG_MAX];
        struct vmnet_request req;
        struct vmnet_reply rep;
        ssize_t n;
        int r, pass_fd = -1;

        n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        if (n == 0)
                return -ECONNRESET;
        if ((size_t)n > sizeof buf)
                r = -EMSGSIZE;
        else
                r = vmnet_request_decode(buf, n, &req);
        if (r < 0) {
                log_warn("dropping client pid %d uid %u: %s message", (int)c->peer.pid, (unsigned)c->peer.uid,
                         r == -EPROTO ? "unsupported protocol version in" : r == -EMSGSIZE ? "oversized" : "malformed");
                memset(&rep, 0, sizeof rep);
                rep.type = n >= 2 && vmnet_msg_type_is_known(buf[1]) ? buf[1] : 0;
                rep.status = r == -EPROTO ? VMNET_ERR_VERSION : VMNET_ERR_BAD_REQUEST;
                if (rep.type)
                        (void)send_reply(c->fd, &rep, -1);
                return r;
        }
        /* a client that gave up (a login past its timeout) gets nothing done:
         * it would never learn of the tap, nor close the session */
        struct pollfd p = { .fd = c->fd, .events = POLLRDHUP };
        if (poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP))) {
                log_info("pid %d hung up before its request was served; dropped", (int)c->peer.pid);
                return -ECONNRESET;
        }
        request_handle(lab, &c->peer, &req, &rep, &pass_fd);
        r = send_reply(c->fd, &rep, pass_fd);
        if (pass_fd >= 0)
                close(pass_fd); /* the VM's tap now lives with the client's copy */
        return r;
}

void client_close(struct client *c) {
        if (c->peer.pidfd >= 0)
                close(c->peer.pidfd);
        close(c->fd);
        c->fd = c->peer.pidfd = -1;
}
