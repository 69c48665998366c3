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

#include "cleanup.h"
#include "client.h"
#include "fd_passing.h"
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

int server_root_socket_path(const char *socket_path, char *ret, size_t size) {
        size_t n = strlen(socket_path);

        if (n >= 5 && strcmp(socket_path + n - 5, ".sock") == 0)
                n -= 5;
        if (snprintf(ret, size, "%.*s-root.sock", (int)n, socket_path) >= (int)size)
                return -ENAMETOOLONG;
        return 0;
}

/* Binds path ourselves (not socket-activated), mode as given. */
static int bind_socket(const char *path, mode_t mode) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;
        int probe;

        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        (void)mkdir_parent(path);
        /* a socket file that nobody answers is stale; one that answers is another vmnetd */
        probe = vmnet_client_connect(path, 200);
        if (probe >= 0) {
                close(probe);
                return log_error_errno(EADDRINUSE, "another vmnetd is already listening on %s", path);
        }
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        /* the file is made with mode at once: a root-only socket is never
         * open to others, not even between bind and chmod */
        mode_t old_umask = umask(~mode & 0777);
        int r = bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ? -errno : 0;
        umask(old_umask);
        if (r < 0)
                return r;
        if (chmod(path, mode) < 0 || listen(fd, SOMAXCONN) < 0)
                return -errno;
        return TAKE_FD(fd);
}

/* A socket systemd passed, checked and made non-blocking (systemd may pass
 * it blocking; accept loops until EAGAIN). */
static int take_passed(int fd) {
        if (sd_is_socket_unix(fd, SOCK_SEQPACKET, 1, NULL, 0) <= 0)
                return log_error_errno(EINVAL, "fd %d that systemd passed is not a listening SOCK_SEQPACKET unix socket",
                                       fd);
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return -errno;
        return fd;
}

int server_listen(const char *path, const char *root_path, struct listeners *ret) {
        struct listeners l = { .public_fd = -1, .root_fd = -1 };
        int n, r;

        n = sd_listen_fds(1);
        if (n < 0)
                return log_error_errno(n, "sockets passed by systemd: %m");
        if (n > 2)
                return log_error_errno(EINVAL, "systemd passed %d sockets, expected at most two", n);
        for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; fd++) {
                r = take_passed(fd);
                if (r < 0)
                        return r;
                /* one socket is the public one (whatever its path, as before
                 * there was a root socket); of two, the root one is known by its path */
                if (sd_is_socket_unix(fd, SOCK_SEQPACKET, 1, root_path, 0) > 0)
                        l.root_fd = fd;
                else if (l.public_fd < 0)
                        l.public_fd = fd;
                else
                        return log_error_errno(EINVAL, "systemd passed two sockets and neither is %s", root_path);
        }
        l.activated = n > 0;
        if (l.public_fd < 0) {
                if (l.activated)
                        return log_error_errno(EINVAL, "systemd passed only the root socket %s", root_path);
                l.public_fd = bind_socket(path, 0666);
                if (l.public_fd < 0)
                        return log_error_errno(l.public_fd, "cannot listen on %s: %m", path);
        }
        if (l.root_fd < 0) {
                /* a socket unit from before the root socket existed: bind it ourselves */
                l.root_fd = bind_socket(root_path, 0600);
                if (l.root_fd < 0)
                        return log_error_errno(l.root_fd, "cannot listen on %s: %m", root_path);
        }
        *ret = l;
        return 0;
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
        ret->peer.groups[0] = cred.gid;
        len = sizeof ret->peer.groups - sizeof ret->peer.groups[0];
        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, ret->peer.groups + 1, &len) < 0)
                len = 0; /* ERANGE: more groups than we look at; a teacher is not one of them */
        ret->peer.n_groups = 1 + len / sizeof ret->peer.groups[0];
        return 0;
}

static int send_reply(int fd, const struct vmnet_reply *rep, int pass_fd) {
        uint8_t buf[VMNET_MSG_MAX];
        int n = vmnet_reply_encode(rep, buf, sizeof buf);

        if (n < 0)
                return n;
        /* a client that does not read its reply is dropped, never waited for */
        ssize_t sent = fd_send(fd, buf, n, pass_fd, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0)
                return (int)sent;
        return sent == n ? 0 : -EMSGSIZE;
}

/* Whether the fd that came with the request (or its absence) is what its
 * type says: a request that needs one and has none, or has one it does
 * not take, is malformed. */
static bool fd_as_expected(const struct vmnet_request *req) {
        return vmnet_msg_request_has_fd(req->type) == (req->fd >= 0);
}

int server_serve(struct lab *lab, struct client *c) {
        uint8_t buf[VMNET_MSG_MAX];
        struct vmnet_request req;
        struct vmnet_reply rep;
        _cleanup_close_ int passed_fd = -1;
        bool truncated;
        ssize_t n;
        int r, pass_fd = -1;

        n = fd_receive(c->fd, buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC, &passed_fd, &truncated);
        if (n < 0)
                return n == -EAGAIN || n == -EINTR ? 0 : (int)n;
        if (n == 0)
                return -ECONNRESET;
        if ((size_t)n > sizeof buf || truncated)
                r = -EMSGSIZE;
        else
                r = vmnet_request_decode(buf, n, &req);
        if (r >= 0) {
                req.fd = passed_fd;
                if (!fd_as_expected(&req))
                        r = -EBADMSG;
        }
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
        /* the passed fd is closed when this returns: vmnetd keeps nothing
         * of a client's (a namespace's fd held would keep it alive) */
        request_handle(lab, &c->peer, &req, &rep, &pass_fd);
        r = send_reply(c->fd, &rep, pass_fd);
        if (pass_fd >= 0)
                close(pass_fd); /* the VM's tap now lives with the client's copy */
        return r;
}

int server_refuse_busy(struct client *c) {
        uint8_t buf[VMNET_MSG_MAX];
        struct vmnet_reply rep = { .status = VMNET_ERR_BUSY };
        ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC);

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return -EAGAIN; /* nothing yet: keep waiting (bounded by the idle sweep) */
        /* only a request of ours gets the answer; anything else is just closed */
        if (n >= 4 && (size_t)n <= sizeof buf && buf[0] == VMNET_PROTOCOL_VERSION && vmnet_msg_type_is_known(buf[1])) {
                rep.type = buf[1];
                (void)send_reply(c->fd, &rep, -1);
        }
        return -EBUSY;
}

void client_close(struct client *c) {
        if (c->peer.pidfd >= 0)
                close(c->peer.pidfd);
        close(c->fd);
        c->fd = c->peer.pidfd = -1;
}
