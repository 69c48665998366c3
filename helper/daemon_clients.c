/* vmnetd's connections: accepted within the admission rules (clients.h),
 * served, dropped when idle or gone, and told of a new lab view when they
 * subscribed (see daemon_internal.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "clock.h"
#include "daemon_internal.h"
#include "log.h"

/* Connections taken per listener and wakeup: clients already connected
 * are served in between, however fast new ones come. */
#define ACCEPTS_PER_WAKEUP 16

/* Tells the subscribers of a new lab view; one that does not read its
 * announcements misses some (it has one waiting), one gone is dropped. */
void daemon_announce_view(struct vmnetd *d) {
        struct vmnet_reply rep = { .type = VMNET_MSG_LAB_CHANGED, .generation = d->lab.views.generation };
        uint8_t buf[64];
        int n;

        if (!d->lab.views.unannounced)
                return;
        d->lab.views.unannounced = false;
        n = vmnet_reply_encode(&rep, buf, sizeof buf);
        if (n < 0)
                return;
        for (size_t i = d->clients.n; i-- > 0;) {
                struct client *c = d->clients.v[i];
                if (c->peer.subscribed && send(c->fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
                    errno != EAGAIN)
                        daemon_drop_client(d, i);
        }
}

void daemon_set_listening(struct vmnetd *d, bool on) {
        if (d->listening == on)
                return;
        daemon_watch(d, SRC_LISTEN, d->listen.public_fd, on);
        daemon_watch(d, SRC_LISTEN_ROOT, d->listen.root_fd, on);
        d->listening = on;
}

void daemon_drop_client(struct vmnetd *d, size_t i) {
        struct client *c = clients_remove(&d->clients, i);
        daemon_watch(d, SRC_CLIENT, c->fd, false);
        client_close(c);
        free(c);
        daemon_set_listening(d, true);
}

static void warn_flood(struct vmnetd *d, uid_t uid) {
        long long now = now_ms();
        if (now - d->flood_logged_ms >= 1000) { /* a flood must not flood the log */
                log_warn("uid %u has %d connections open; closing new ones", (unsigned)uid, CLIENTS_PER_UID);
                d->flood_logged_ms = now;
        }
}

void daemon_accept_clients(struct vmnetd *d, bool root_socket) {
        int fd = root_socket ? d->listen.root_fd : d->listen.public_fd;

        for (unsigned i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
                if (!clients_have_room(&d->clients)) {
                        /* full: the kernel's backlog holds the rest until a slot frees */
                        log_warn("%d clients connected at once; new ones wait", CLIENTS_MAX);
                        daemon_set_listening(d, false);
                        return;
                }
                struct client *c = malloc(sizeof *c);
                if (!c)
                        return;
                if (server_accept(fd, c) < 0) {
                        free(c);
                        return;
                }
                enum admission a = clients_admission(&d->clients, c->peer.uid, root_socket);
                if (a != ADMIT && c->peer.uid != 0)
                        warn_flood(d, c->peer.uid);
                c->busy = a == ADMIT_BUSY;
                c->last_active_ms = now_ms();
                c->id = daemon_new_id(d);
                if (a == REFUSE || daemon_watch_id(d, SRC_CLIENT, c->fd, c->id) < 0) {
                        client_close(c);
                        free(c);
                        continue;
                }
                clients_add(&d->clients, c); /* room was checked above */
        }
}

void daemon_serve_client(struct vmnetd *d, uint64_t id) {
        size_t i;
        struct client *c = clients_by_id(&d->clients, id, &i);

        if (!c)
                return; /* a client dropped earlier in this batch of events */
        c->last_active_ms = d->served_ms = now_ms();
        log_set_peer(c->peer.uid);
        int r = c->busy ? server_refuse_busy(c) : server_serve(&d->lab, c);
        if (r < 0 && r != -EAGAIN)
                daemon_drop_client(d, i);
        log_clear_peer();
        daemon_announce_view(d); /* drawn for this client's read */
        daemon_view_changed(d);  /* a session, a tap, a capture: cheap to look */
}

void daemon_drop_idle_clients(struct vmnetd *d) {
        long long now = now_ms();
        for (size_t i = d->clients.n; i-- > 0;) {
                const struct client *c = d->clients.v[i];
                if (!c->peer.subscribed && now - c->last_active_ms > (c->busy ? BUSY_IDLE_MS : CLIENT_IDLE_MS))
                        daemon_drop_client(d, i);
        }
}
