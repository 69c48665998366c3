/* The event loop (see daemon.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "dnsmasq.h"
#include "firewall.h"
#include "hosts_publish.h"
#include "lab.h"
#include "log.h"
#include "server.h"

#define MAX_CLIENTS        1024
#define MAX_CLIENTS_PER_UID 16  /* one student cannot crowd out the others' logins */
#define CLIENT_IDLE_MS     5000 /* a connection that says nothing is dropped */
#define DELETE_IDLE_MS     20   /* batch deletions once requests pause this long */
#define DELETE_MAX_WAIT_MS 500  /* ... or once the oldest waited this long */
#define PUBLISH_DELAY_MS   50   /* lets dnsmasq finish rewriting its lease file */

enum source { SRC_LISTEN = 1, SRC_SIGNAL, SRC_CLIENT, SRC_PIDFD, SRC_DNSMASQ, SRC_INOTIFY };

struct vmnetd {
        const char *config_path;
        struct lab lab;
        int epoll_fd, listen_fd, signal_fd;
        bool listening;
        struct client *clients[MAX_CLIENTS];
        size_t n_clients;
        long long deletions_since_ms;
        long long flood_logged_ms;
        struct dnsmasq dnsmasq;
        int inotify_fd;
        long long publish_at_ms; /* 0: the hosts snapshot is up to date */
        char leases_path[PATH_MAX + 32], hosts_path[PATH_MAX + 32];
        bool stop;
};

static long long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static uint64_t tag(enum source s, int fd) {
        return (uint64_t)s << 32 | (uint32_t)fd;
}

static int watch(struct vmnetd *d, enum source s, int fd, bool add) {
        struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag(s, fd) };
        if (epoll_ctl(d->epoll_fd, add ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd, &ev) < 0) {
                log_error("epoll: %s", strerror(errno));
                return -errno;
        }
        return 0;
}

static void watch_pidfd(void *ctx, int pidfd, bool add) {
        watch(ctx, SRC_PIDFD, pidfd, add);
}

static void drop_client(struct vmnetd *d, size_t i) {
        struct client *c = d->clients[i];
        watch(d, SRC_CLIENT, c->fd, false);
        client_close(c);
        free(c);
        d->clients[i] = d->clients[--d->n_clients];
        if (!d->listening) {
                watch(d, SRC_LISTEN, d->listen_fd, true);
                d->listening = true;
        }
}

static size_t clients_of_uid(const struct vmnetd *d, uid_t uid) {
        size_t n = 0;
        for (size_t i = 0; i < d->n_clients; i++)
                n += d->clients[i]->peer.uid == uid;
        return n;
}

static void accept_clients(struct vmnetd *d) {
        while (d->n_clients < MAX_CLIENTS) {
                struct client *c = malloc(sizeof *c);
                if (!c)
                        return;
                if (server_accept(d->listen_fd, c) < 0) {
                        free(c);
                        return;
                }
                /* root (PAM) is never turned away; a user with too many open
                 * connections is, at once, so the others keep being served */
                if (c->peer.uid != 0 && clients_of_uid(d, c->peer.uid) >= MAX_CLIENTS_PER_UID) {
                        long long now = now_ms();
                        if (now - d->flood_logged_ms >= 1000) { /* a flood must not flood the log */
                                log_warn("uid %u has %d connections open; closing new ones",
                                         (unsigned)c->peer.uid, MAX_CLIENTS_PER_UID);
                                d->flood_logged_ms = now;
                        }
                        client_close(c);
                        free(c);
                        continue;
                }
                c->last_active_ms = now_ms();
                d->clients[d->n_clients++] = c;
                watch(d, SRC_CLIENT, c->fd, true);
        }
        /* full: the kernel's backlog holds the rest until a slot frees */
        log_warn("%d clients connected at once; new ones wait", MAX_CLIENTS);
        watch(d, SRC_LISTEN, d->listen_fd, false);
        d->listening = false;
}

static void serve_client(struct vmnetd *d, int fd) {
        for (size_t i = 0; i < d->n_clients; i++) {
                if (d->clients[i]->fd != fd)
                        continue;
                d->clients[i]->last_active_ms = now_ms();
                if (server_serve(&d->lab, d->clients[i]) < 0)
                        drop_client(d, i);
                return;
        }
}

static void drop_idle_clients(struct vmnetd *d) {
        long long now = now_ms();
        for (size_t i = d->n_clients; i-- > 0;)
                if (now - d->clients[i]->last_active_ms > CLIENT_IDLE_MS)
                        drop_client(d, i);
}

static void publish_hosts(struct vmnetd *d) {
        int r = hosts_publish(d->leases_path, d->hosts_path, d->lab.config.domain, lab_owner_of_mac, &d->lab);
        d->publish_at_ms = 0;
        if (r == -EAGAIN) /* dnsmasq was still writing: look again shortly */
                d->publish_at_ms = now_ms() + 4 * PUBLISH_DELAY_MS;
        else if (r < 0)
                log_warn("cannot publish %s: %s", d->hosts_path, strerror(-r));
}

static void handle_inotify(struct vmnetd *d) {
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t n;

        while ((n = read(d->inotify_fd, buf, sizeof buf)) > 0)
                for (char *p = buf; p < buf + n;) {
                        struct inotify_event *e = (struct inotify_event *)p;
                        if (e->len && strcmp(e->name, "dnsmasq.leases") == 0 && !d->publish_at_ms)
                                d->publish_at_ms = now_ms() + PUBLISH_DELAY_MS;
                        p += sizeof *e + e->len;
                }
}

static void start_dnsmasq(struct vmnetd *d) {
        if (dnsmasq_start(&d->dnsmasq, &d->lab.config) < 0) {
                d->dnsmasq.restart_at_ms = now_ms() + 5000;
                return;
        }
        watch(d, SRC_DNSMASQ, d->dnsmasq.pidfd, true);
}

static void dnsmasq_ended(struct vmnetd *d) {
        int pidfd = d->dnsmasq.pidfd;
        watch(d, SRC_DNSMASQ, pidfd, false);
        dnsmasq_exited(&d->dnsmasq, now_ms());
}

static void reload(struct vmnetd *d) {
        struct vmnet_config next;
        char err[512];

        if (config_load(d->config_path, &next, err, sizeof err) < 0) {
                log_error("reload refused, keeping the running configuration: %s", err);
                return;
        }
        lab_reload(&d->lab, &next);
        log_info("configuration reloaded from %s", d->config_path);
        if (dnsmasq_wanted(&d->lab.config)) {
                /* new range, domain or lease time: dnsmasq rereads nothing, so restart it */
                if (d->dnsmasq.pid > 0) {
                        watch(d, SRC_DNSMASQ, d->dnsmasq.pidfd, false);
                        dnsmasq_stop(&d->dnsmasq);
                }
                start_dnsmasq(d);
        }
        d->publish_at_ms = now_ms();
}

static void handle_signals(struct vmnetd *d) {
        struct signalfd_siginfo si;

        while (read(d->signal_fd, &si, sizeof si) == sizeof si) {
                switch (si.ssi_signo) {
                case SIGHUP:
                        sd_notify(0, "RELOADING=1");
                        reload(d);
                        sd_notify(0, "READY=1");
                        break;
                case SIGTERM:
                case SIGINT:
                        d->stop = true;
                        break;
                default:
                        break;
                }
        }
}

static int setup(struct vmnetd *d, const struct vmnet_config *config) {
        sigset_t mask;
        bool activated;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGCHLD);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        d->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        d->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (d->signal_fd < 0 || d->epoll_fd < 0)
                return -errno;
        if (mkdir(config->run_dir, 0755) < 0 && errno != EEXIST) {
                log_error("cannot make %s: %s", config->run_dir, strerror(errno));
                return -errno;
        }
        d->lab.watch_pidfd = watch_pidfd;
        d->lab.watch_ctx = d;
        r = lab_start(&d->lab, config);
        if (r < 0) {
                log_error("cannot set up the lab bridge %s: %s", config->bridge, strerror(-r));
                return r;
        }
        d->listen_fd = server_listen(config->socket_path, &activated);
        if (d->listen_fd < 0) {
                log_error("cannot listen on %s: %s", config->socket_path, strerror(-d->listen_fd));
                return d->listen_fd;
        }
        if (firewall_apply(config) < 0)
                log_error("the firewall table for uplink %s is not in place", vmnet_uplink_string(config->uplink));
        snprintf(d->leases_path, sizeof d->leases_path, "%s/dnsmasq.leases", config->run_dir);
        snprintf(d->hosts_path, sizeof d->hosts_path, "%s/hosts", config->run_dir);
        d->dnsmasq.pidfd = -1;
        if (dnsmasq_wanted(config))
                start_dnsmasq(d);
        d->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (d->inotify_fd < 0 ||
            inotify_add_watch(d->inotify_fd, config->run_dir, IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_CREATE) < 0)
                log_error("cannot watch %s for lease changes: %s", config->run_dir, strerror(errno));
        else
                watch(d, SRC_INOTIFY, d->inotify_fd, true);
        publish_hosts(d);
        watch(d, SRC_SIGNAL, d->signal_fd, true);
        watch(d, SRC_LISTEN, d->listen_fd, true);
        d->listening = true;
        log_info("ready on %s%s", config->socket_path, activated ? " (socket-activated)" : "");
        return 0;
}

int daemon_run(const char *config_path, const struct vmnet_config *config) {
        static struct vmnetd d;
        struct epoll_event events[64];
        long long last_sweep = now_ms();

        d.config_path = config_path;
        d.listen_fd = d.signal_fd = d.epoll_fd = -1;
        if (setup(&d, config) < 0)
                return 1;
        sd_notifyf(0, "READY=1\nSTATUS=serving %s", config->bridge);

        while (!d.stop) {
                long long due = -1, now0 = now_ms();
                if (lab_has_deletions(&d.lab))
                        due = DELETE_IDLE_MS;
                else if (d.n_clients > 0)
                        due = CLIENT_IDLE_MS;
                if (d.publish_at_ms && (due < 0 || d.publish_at_ms - now0 < due))
                        due = d.publish_at_ms > now0 ? d.publish_at_ms - now0 : 0;
                if (d.dnsmasq.restart_at_ms && (due < 0 || d.dnsmasq.restart_at_ms - now0 < due))
                        due = d.dnsmasq.restart_at_ms > now0 ? d.dnsmasq.restart_at_ms - now0 : 0;
                int timeout = (int)due;
                int n = epoll_wait(d.epoll_fd, events, 64, timeout);
                if (n < 0 && errno != EINTR) {
                        log_error("epoll_wait: %s", strerror(errno));
                        break;
                }
                for (int i = 0; i < n; i++) {
                        int fd = (int)(uint32_t)events[i].data.u64;
                        switch ((enum source)(events[i].data.u64 >> 32)) {
                        case SRC_LISTEN: accept_clients(&d); break;
                        case SRC_SIGNAL: handle_signals(&d); break;
                        case SRC_CLIENT: serve_client(&d, fd); break;
                        case SRC_PIDFD:  lab_session_died(&d.lab, fd); break;
                        case SRC_DNSMASQ: dnsmasq_ended(&d); break;
                        case SRC_INOTIFY: handle_inotify(&d); break;
                        }
                }
                long long now = now_ms();
                if (lab_has_deletions(&d.lab)) {
                        if (d.deletions_since_ms == 0)
                                d.deletions_since_ms = now;
                        if (n <= 0 || now - d.deletions_since_ms >= DELETE_MAX_WAIT_MS) {
                                lab_flush_deletions(&d.lab);
                                d.deletions_since_ms = 0;
                        }
                }
                if (d.publish_at_ms && now >= d.publish_at_ms)
                        publish_hosts(&d);
                if (d.dnsmasq.restart_at_ms && now >= d.dnsmasq.restart_at_ms)
                        start_dnsmasq(&d);
                if (now - last_sweep >= 1000) {
                        drop_idle_clients(&d);
                        last_sweep = now;
                }
        }

        sd_notify(0, "STOPPING=1");
        log_info("stopping; taps of live sessions stay for the next vmnetd");
        while (d.n_clients > 0)
                drop_client(&d, d.n_clients - 1);
        dnsmasq_stop(&d.dnsmasq);
        lab_stop(&d.lab);
        return 0;
}
