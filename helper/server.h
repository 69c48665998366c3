/* The control socket: listening (socket-activated or bound by us), and one
 * datagram in, one reply out, per request. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "requests.h"

/* Takes the socket systemd passed, or binds path (replacing a stale socket
 * file; refusing when another vmnetd answers there).  Returns the fd. */
int server_listen(const char *path, bool *ret_activated);

struct client {
        int fd;
        uint64_t id; /* the event loop's name for it: never reused, unlike fds */
        struct peer peer;
        long long last_active_ms;
};

/* Accepts one connection; -EAGAIN when none is waiting. */
int server_accept(int listen_fd, struct client *ret);

/* Reads one request from c and answers it through the lab.  Returns 0 to
 * keep the connection, or < 0 when it must be closed (peer gone, or a bad
 * message — answered first when it can be). */
int server_serve(struct lab *lab, struct client *c);

void client_close(struct client *c);
