/* The control socket: listening (socket-activated or bound by us), and one
 * datagram in, one reply out, per request. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "requests.h"

/* Two sockets: the public one (0666: every client; SO_PEERCRED decides)
 * and the root one (0600), where only pam_vmnet, as root, can connect:
 * however many connections students open on the public socket, root's
 * OPEN and CLOSE never wait behind them. */
struct listeners {
        int public_fd, root_fd;
        bool activated; /* systemd passed at least one of them */
};

/* The root socket's path that goes with socket_path: its ".sock" replaced
 * by "-root.sock" (/run/vmnet/vmnetd.sock -> /run/vmnet/vmnetd-root.sock). */
int server_root_socket_path(const char *socket_path, char *ret, size_t size);

/* Takes the sockets systemd passed (one: the public socket; two: told apart
 * by root_path), and binds the ones it did not pass (replacing a stale
 * socket file; refusing when another vmnetd answers there).  Logs why not. */
int server_listen(const char *path, const char *root_path, struct listeners *ret);

struct client {
        int fd;
        uint64_t id; /* the event loop's name for it: never reused, unlike fds */
        struct peer peer;
        long long last_active_ms;
        bool busy;   /* over a limit: its request is answered VMNET_ERR_BUSY */
};

/* Accepts one connection; -EAGAIN when none is waiting. */
int server_accept(int listen_fd, struct client *ret);

/* Reads one request from c and answers it through the lab.  Returns 0 to
 * keep the connection, or < 0 when it must be closed (peer gone, or a bad
 * message — answered first when it can be). */
int server_serve(struct lab *lab, struct client *c);

/* For a busy client: reads its request and answers VMNET_ERR_BUSY.
 * -EAGAIN: nothing to read yet; else < 0: the connection is to be closed. */
int server_refuse_busy(struct client *c);

void client_close(struct client *c);
