/* What the event loop (daemon.c) and its clients' part (daemon_clients.c)
 * share: vmnetd's state and the epoll sources.  Nothing else includes it. */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "clients.h"
#include "dnsmasq.h"
#include "guard.h"
#include "lab.h"
#include "lease_owners.h"
#include "link_events.h"
#include "server.h"

#define CLIENT_IDLE_MS     5000 /* a connection that says nothing is dropped */
#define BUSY_IDLE_MS       1000 /* ... sooner when all it would hear is "busy" */

/* An epoll event names its source by kind and id, never by fd: an fd closed
 * while handling one event of a batch may come back, by accept() or
 * pidfd_open(), before a later event of the same batch for the old one. */
enum source {
        SRC_LISTEN = 1, SRC_LISTEN_ROOT, SRC_SIGNAL, SRC_CLIENT, SRC_PIDFD, SRC_DNSMASQ, SRC_INOTIFY, SRC_LINK_EVENTS,
        SRC_NEIGH_EVENTS,
};
#define SOURCE_SHIFT 56

struct vmnetd {
        const char *config_path;
        struct lab lab;
        struct link_events *link_events;
        uint64_t last_id; /* ids of clients and watched pidfds, never reused */
        int epoll_fd, signal_fd;
        struct listeners listen;
        int run_lock_fd; /* held while running: one vmnetd per run_dir */
        bool listening;
        struct clients clients;
        long long deletions_since_ms;
        long long flood_logged_ms;
        struct dnsmasq dnsmasq;
        struct guard guard;
        int inotify_fd;
        long long leases_at_ms;  /* 0: the guard has the leases of the lease file */
        struct lease_owners lease_owners;
        int neigh_fd;            /* neighbour events: a VM came, went, or moved */
        long long view_at_ms;    /* 0: the lab view is up to date */
        long long view_drawn_ms;
        long long view_changed_ms; /* the first change the view does not show yet */
        long long served_ms;     /* the last request served */
        char leases_path[PATH_MAX + 32];
        bool stop;
};

/* daemon.c: epoll, ids, and the lab view's next drawing */
int daemon_watch_id(struct vmnetd *d, enum source s, int fd, uint64_t id);
int daemon_watch(struct vmnetd *d, enum source s, int fd, bool add);
uint64_t daemon_new_id(struct vmnetd *d);
void daemon_view_changed(struct vmnetd *d);

/* daemon_clients.c: connections, and what subscribers hear */
void daemon_set_listening(struct vmnetd *d, bool on);
void daemon_accept_clients(struct vmnetd *d, bool root_socket);
void daemon_serve_client(struct vmnetd *d, uint64_t id);
void daemon_drop_client(struct vmnetd *d, size_t i);
void daemon_drop_idle_clients(struct vmnetd *d);
void daemon_announce_view(struct vmnetd *d);
