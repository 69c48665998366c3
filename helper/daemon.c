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
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "clock.h"
#include "clients.h"
#include "config_check.h"
#include "daemon.h"
#include "daemon_internal.h"
#include "dnsmasq.h"
#include "array.h"
#include "firewall.h"
#include "guard.h"
#include "hosts_snapshot.h"
#include "lease_owners.h"
#include "lab.h"
#include "link_events.h"
#include "log.h"
#include "privilege.h"
#include "run_lock.h"
#include "neigh_events.h"
#include "server.h"
#include "tap.h"
#include "vmnetd_config.h"

#define DELETE_IDLE_MS     20   /* batch deletions once requests pause this long */
#define DELETE_MAX_WAIT_MS 500  /* ... or once the oldest waited this long */
#define LEASES_DELAY_MS    50   /* lets a burst of lease changes (dnsmasq's start) settle */
#define DROPS_READ_MS      5000 /* the guard's drop counters are read (and logged) this often */
#define QUIET_MS           20   /* requests paused this long: what would hold up those waiting
                                 * goes now (the lab view, 20-30 ms to draw at 1000 students,
                                 * measured; the guard's bigger syncs; login links made ahead) */
#define VIEW_DELAY_MS      50   /* the lab view is drawn this long after a change... */
#define VIEW_INTERVAL_MS   250  /* ... and at most this often: a burst of changes is one */
#define VIEW_LATE_MS       1000 /* ... once QUIET_MS came, or when its change is this old */

int daemon_watch_id(struct vmnetd *d, enum source s, int fd, uint64_t id) {
        struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)s << SOURCE_SHIFT | id };
        if (epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
                return log_error_errno(errno, "epoll: %m");
        return 0;
}

/* Sources of which there is only one need no id. */
int daemon_watch(struct vmnetd *d, enum source s, int fd, bool add) {
        if (add)
                return daemon_watch_id(d, s, fd, 0);
        if (epoll_ctl(d->epoll_fd, EPOLL_CTL_DEL, fd, NULL) < 0)
                return log_error_errno(errno, "epoll: %m");
        return 0;
}

uint64_t daemon_new_id(struct vmnetd *d) {
        return ++d->last_id; /* 2^56 of them: never wraps */
}

static int watch_pidfd(void *ctx, int pidfd, uint64_t *ret_id) {
        struct vmnetd *d = ctx;
        uint64_t id = daemon_new_id(d);
        int r = daemon_watch_id(d, SRC_PIDFD, pidfd, id);
        if (r < 0)
                return r;
        *ret_id = id;
        return 0;
}

static void unwatch_pidfd(void *ctx, int pidfd) {
        daemon_watch(ctx, SRC_PIDFD, pidfd, false);
}

/* The lab may have changed: its view is drawn again soon, once for a burst. */
void daemon_view_changed(struct vmnetd *d) {
        long long now = now_ms(), at = now + VIEW_DELAY_MS;
        if (!d->view_at_ms)
                d->view_changed_ms = now;
        d->lab.views.dirty = true;
        if (at < d->view_drawn_ms + VIEW_INTERVAL_MS)
                at = d->view_drawn_ms + VIEW_INTERVAL_MS;
        if (!d->view_at_ms || at < d->view_at_ms)
                d->view_at_ms = at;
}

static void on_link_event(void *userdata, const struct kernel_link *link, bool deleted) {
        struct vmnetd *d = userdata;
        lab_link_event(&d->lab, link, deleted);
        lab_guard_link_event(&d->lab, link, deleted);
        /* a capture ends when its tap or its port goes, or its tap loses its holder */
        (void)lab_captures_sweep(&d->lab);
        daemon_view_changed(d);
}

static void draw_view(struct vmnetd *d) {
        d->view_at_ms = 0;
        d->view_drawn_ms = now_ms();
        (void)lab_views_refresh(&d->lab);
        daemon_announce_view(d);
}

/* Draws the view when it is due, unless requests keep coming (a class
 * logging in) or links wait to be deleted (a class logged out): then
 * after them, or once its change is VIEW_LATE_MS old. */
static void draw_view_when_quiet(struct vmnetd *d, long long now) {
        long long quiet_at = d->served_ms + QUIET_MS, late_at = d->view_changed_ms + VIEW_LATE_MS;
        if (lab_has_deletions(&d->lab) && quiet_at < now + QUIET_MS)
                quiet_at = now + QUIET_MS; /* looked at again then */
        if (now < quiet_at && now < late_at) {
                d->view_at_ms = quiet_at < late_at ? quiet_at : late_at;
                return;
        }
        draw_view(d);
}

/* Whose VM a MAC is, for the guard's leases. */
static int owner_of_mac(const uint8_t mac[6], uid_t *ret_uid, void *userdata) {
        return lab_owner_uid_of_mac(userdata, mac, ret_uid);
}

/* The guard learns the addresses dnsmasq leased and whose VMs have them
 * (lease_owners.h: vmnetd reads no name a guest chose; the names are
 * vmnet-names'). */
static void sync_guard_leases(struct vmnetd *d) {
        struct guard_lease *leases = NULL;
        size_t n = 0;

        d->leases_at_ms = 0;
        daemon_view_changed(d); /* the lab view shows the leases too */
        if (!d->guard.on)
                return;
        /* one read of the FDB, one index of the ports, for every lease's owner */
        lab_fdb_hold(&d->lab);
        lab_port_owners_hold(&d->lab);
        int r = lease_owners_read(&d->lease_owners, d->leases_path, owner_of_mac, &d->lab, &leases, &n);
        lab_port_owners_release(&d->lab);
        lab_fdb_release(&d->lab);
        if (r >= 0)
                guard_leases(&d->guard, leases, n);
        free(leases);
        if (r == -EAGAIN) /* dnsmasq was still writing: look again shortly */
                d->leases_at_ms = now_ms() + 4 * LEASES_DELAY_MS;
        else if (r < 0)
                log_warn_errno(r, "cannot read %s for the guard: %m", d->leases_path);
}

static void handle_inotify(struct vmnetd *d) {
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t n;

        while ((n = read(d->inotify_fd, buf, sizeof buf)) > 0)
                for (char *p = buf; p < buf + n;) {
                        struct inotify_event *e = (struct inotify_event *)p;
                        if (e->len && strcmp(e->name, NAMES_LEASE_FILE) == 0 && !d->leases_at_ms)
                                d->leases_at_ms = now_ms() + LEASES_DELAY_MS;
                        /* vmnet-names published the guests' names, which the view shows */
                        else if (e->len && strcmp(e->name, "hosts") == 0)
                                daemon_view_changed(d);
                        p += sizeof *e + e->len;
                }
}

/* What LAB_HEALTH tells about dnsmasq, after each change of its state. */
static void dnsmasq_health(struct vmnetd *d) {
        struct vmnet_lab_health *h = &d->lab.health;

        h->dnsmasq = !dnsmasq_wanted(&d->lab.config) ? VMNET_DNSMASQ_NOT_USED
                     : d->dnsmasq.pid > 0            ? VMNET_DNSMASQ_RUNNING
                                                     : VMNET_DNSMASQ_DOWN;
        h->dnsmasq_failures = d->dnsmasq.failures > UINT16_MAX ? UINT16_MAX : (uint16_t)d->dnsmasq.failures;
        d->lab.dnsmasq_retry_at_ms = d->dnsmasq.restart_at_ms;
        snprintf(h->problem, sizeof h->problem, "%s", h->dnsmasq == VMNET_DNSMASQ_DOWN ? d->dnsmasq.last_error : "");
}

static void start_dnsmasq(struct vmnetd *d) {
        if (dnsmasq_start(&d->dnsmasq, &d->lab.config) < 0)
                d->dnsmasq.restart_at_ms = now_ms() + 5000;
        else
                daemon_watch(d, SRC_DNSMASQ, d->dnsmasq.pidfd, true);
        dnsmasq_health(d);
}

static void dnsmasq_ended(struct vmnetd *d) {
        int pidfd = d->dnsmasq.pidfd;
        daemon_watch(d, SRC_DNSMASQ, pidfd, false);
        dnsmasq_exited(&d->dnsmasq, now_ms());
        dnsmasq_health(d);
}

/* The firewall's table for the lab's configuration, recorded for --down;
 * none with uplink = external. */
static void apply_firewall(struct vmnetd *d) {
        const struct vmnet_config *c = &d->lab.config;

        d->lab.health.firewall_missing = firewall_apply(c) < 0;
        if (d->lab.health.firewall_missing) {
                log_error("the firewall table for uplink %s is not in place", vmnet_uplink_string(c->uplink));
                return;
        }
        if (c->uplink == VMNET_UPLINK_EXTERNAL)
                lab_table_removed(&d->lab, FIREWALL_TABLE);
        else
                lab_table_made(&d->lab, FIREWALL_TABLE);
}

/* dnsmasq for the lab's configuration: (re)started, or stopped when the
 * uplink wants none.  Leases of a subnet the lab left are dropped first. */
static void apply_dnsmasq(struct vmnetd *d) {
        if (d->dnsmasq.pid > 0) {
                daemon_watch(d, SRC_DNSMASQ, d->dnsmasq.pidfd, false);
                dnsmasq_stop(&d->dnsmasq);
        }
        d->dnsmasq.restart_at_ms = 0;
        if (d->lab.subnet_changed) {
                /* and the names of those leases: no del will come for them */
                if (unlink(d->leases_path) < 0 && errno != ENOENT)
                        log_warn_errno(errno, "cannot remove %s: %m", d->leases_path);
                else
                        log_info("the lab's subnet changed: the old leases are gone");
                dnsmasq_forget_names(&d->lab.config);
                d->lab.subnet_changed = false;
        }
        if (dnsmasq_wanted(&d->lab.config))
                start_dnsmasq(d);
        dnsmasq_health(d);
        d->leases_at_ms = now_ms(); /* the guard's leases, for the guard as it is now */
}

static void reload(struct vmnetd *d) {
        struct config_report report = {};
        struct vmnet_config next;
        int r = vmnetd_config_load(d->config_path, &next, &report);

        /* unlike at start, a group that does not exist refuses the reload:
         * a typo would lock every student out of a lab that works now */
        if (r >= 0)
                config_check_meaning(&next, &report);
        config_report_log(&report);
        if (r < 0 || report.n_errors > 0) {
                log_error("reload refused, keeping the running configuration: fix the errors above "
                          "(vmnetd --check-config %s)", d->config_path);
                config_report_free(&report);
                return;
        }
        config_report_free(&report);
        /* where vmnetd listens and keeps its files does not move while it runs */
        strcpy(next.socket_path, d->lab.config.socket_path);
        strcpy(next.run_dir, d->lab.config.run_dir);
        if (lab_reload(&d->lab, &next) < 0)
                return;
        /* every key applies: the firewall and dnsmasq follow the lab's new configuration */
        apply_firewall(d);
        lab_guard_reload(&d->lab);
        apply_dnsmasq(d);
        daemon_view_changed(d); /* the bridge, the page's group (teacher_groups) */
        log_info("configuration reloaded from %s", d->config_path);
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
        char root_path[PATH_MAX];
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
        /* Started as root, what only root can do comes first: run_dir for
         * vmnetd's user, and the sockets, wherever they are; then vmnetd
         * becomes that user with its two capabilities (privilege.h).
         * Started as that user (systemd), it checks them at once. */
        bool as_root = geteuid() == 0;
        if (!as_root && (r = privilege_drop(VMNETD_USER)) < 0)
                return r;
        r = privilege_prepare_run_dir(config->run_dir, VMNETD_USER);
        if (r < 0)
                return r;
        if (mkdir(config->run_dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "cannot make %s: %m", config->run_dir);
        d->run_lock_fd = run_lock_take(config->run_dir);
        if (d->run_lock_fd == -EBUSY)
                return log_error_errno(EBUSY, "another vmnetd is running on %s: not starting a second one",
                                       config->run_dir);
        if (d->run_lock_fd < 0)
                return log_error_errno(d->run_lock_fd, "cannot lock %s: %m", config->run_dir);
        d->lab.guard = &d->guard;
        r = server_root_socket_path(config->socket_path, root_path, sizeof root_path);
        if (r < 0)
                return log_error_errno(r, "no root socket path for %s: %m", config->socket_path);
        r = server_listen(config->socket_path, root_path, &d->listen);
        if (r < 0)
                return r;
        if (as_root && (r = privilege_drop(VMNETD_USER)) < 0)
                return r;
        (void)tap_device_check(); /* said now rather than at the first VM */
        d->lab.watch_pidfd = watch_pidfd;
        d->lab.unwatch_pidfd = unwatch_pidfd;
        d->lab.watch_ctx = d;
        /* subscribed before the lab reads the kernel: no change is missed in between */
        r = link_events_open(&d->link_events);
        if (r < 0)
                return log_error_errno(r, "cannot follow link events: %m");
        r = link_events_subscribe(d->link_events, on_link_event, d);
        if (r < 0)
                return log_error_errno(r, "cannot follow link events: %m");
        r = lab_start(&d->lab, config);
        if (r < 0)
                return log_error_errno(r, "cannot set up the lab bridge %s: %m", config->bridge);
        daemon_watch(d, SRC_LINK_EVENTS, link_events_fd(d->link_events), true);
        snprintf(d->leases_path, sizeof d->leases_path, "%s/" NAMES_LEASE_FILE, config->run_dir);
        d->dnsmasq.pidfd = -1;
        apply_firewall(d);
        (void)lab_guard_start(&d->lab); /* logged; the lab works unguarded if it must */
        apply_dnsmasq(d);
        d->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (d->inotify_fd < 0 ||
            inotify_add_watch(d->inotify_fd, config->run_dir, IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_CREATE) < 0)
                log_error_errno(errno, "cannot watch %s for lease changes: %m", config->run_dir);
        else
                daemon_watch(d, SRC_INOTIFY, d->inotify_fd, true);
        sync_guard_leases(d);
        d->neigh_fd = neigh_events_open();
        if (d->neigh_fd < 0)
                log_error_errno(d->neigh_fd, "cannot follow the bridge's and the host's neighbours (the lab view "
                                "then changes only with sessions, links and leases): %m");
        else
                daemon_watch(d, SRC_NEIGH_EVENTS, d->neigh_fd, true);
        draw_view(d);
        daemon_watch(d, SRC_SIGNAL, d->signal_fd, true);
        daemon_set_listening(d, true);
        log_info("ready on %s%s", config->socket_path, d->listen.activated ? " (socket-activated)" : "");
        return 0;
}

int daemon_run(const char *config_path, const struct vmnet_config *config) {
        static struct vmnetd d;
        struct epoll_event events[64];
        long long last_sweep = now_ms();

        d.config_path = config_path;
        d.listen.public_fd = d.listen.root_fd = d.signal_fd = d.epoll_fd = d.neigh_fd = -1;
        if (setup(&d, config) < 0)
                return 1;
        sd_notifyf(0, "READY=1\nSTATUS=serving %s", config->bridge);

        bool flushed = false; /* the last round deleted a batch */
        while (!d.stop) {
                long long due = -1, now0 = now_ms();
                long long pool_at = -1;
                if (lab_has_deletions(&d.lab))
                        due = DELETE_IDLE_MS;
                else if ((pool_at = lab_pool_fill_at(&d.lab, d.served_ms + QUIET_MS)) >= 0)
                        due = pool_at > now0 ? pool_at - now0 : 0;
                if (d.clients.n > 0) {
                        long long idle = d.clients.n_busy > 0 ? BUSY_IDLE_MS : CLIENT_IDLE_MS;
                        if (due < 0 || idle < due)
                                due = idle;
                }
                if (d.leases_at_ms && (due < 0 || d.leases_at_ms - now0 < due))
                        due = d.leases_at_ms > now0 ? d.leases_at_ms - now0 : 0;
                if (d.dnsmasq.restart_at_ms && (due < 0 || d.dnsmasq.restart_at_ms - now0 < due))
                        due = d.dnsmasq.restart_at_ms > now0 ? d.dnsmasq.restart_at_ms - now0 : 0;
                long long guard_at = lab_guard_sync_due(&d.lab);
                if (guard_at >= 0 && d.served_ms + QUIET_MS < guard_at)
                        guard_at = d.served_ms + QUIET_MS;
                if (guard_at >= 0 && (due < 0 || guard_at - now0 < due))
                        due = guard_at > now0 ? guard_at - now0 : 0;
                if (d.guard.on) {
                        long long drops_at = d.guard.read_ms + DROPS_READ_MS;
                        if (due < 0 || drops_at - now0 < due)
                                due = drops_at > now0 ? drops_at - now0 : 0;
                }
                if (d.view_at_ms && (due < 0 || d.view_at_ms - now0 < due))
                        due = d.view_at_ms > now0 ? d.view_at_ms - now0 : 0;
                int timeout = (int)due;
                int n = epoll_wait(d.epoll_fd, events, 64, timeout);
                if (n < 0 && errno != EINTR) {
                        log_error_errno(errno, "epoll_wait: %m");
                        break;
                }
                /* those already connected first, new connections after them */
                for (int i = 0; i < n; i++) {
                        uint64_t id = events[i].data.u64 & ((UINT64_C(1) << SOURCE_SHIFT) - 1);
                        switch ((enum source)(events[i].data.u64 >> SOURCE_SHIFT)) {
                        case SRC_LISTEN: case SRC_LISTEN_ROOT: break;
                        case SRC_SIGNAL: handle_signals(&d); break;
                        case SRC_CLIENT: daemon_serve_client(&d, id); break;
                        case SRC_PIDFD:
                                lab_session_died(&d.lab, id);
                                daemon_view_changed(&d);
                                break;
                        case SRC_DNSMASQ: dnsmasq_ended(&d); break;
                        case SRC_INOTIFY: handle_inotify(&d); break;
                        case SRC_LINK_EVENTS: (void)link_events_process(d.link_events); break;
                        case SRC_NEIGH_EVENTS:
                                if (neigh_events_drain(d.neigh_fd) > 0)
                                        daemon_view_changed(&d);
                                break;
                        }
                }
                for (int i = 0; i < n; i++) {
                        enum source s = events[i].data.u64 >> SOURCE_SHIFT;
                        if ((s == SRC_LISTEN || s == SRC_LISTEN_ROOT) && d.listening)
                                daemon_accept_clients(&d, s == SRC_LISTEN_ROOT);
                }
                /* whatever the events did to the links, the guard follows */
                lab_guard_sync(&d.lab, n == 0 && now_ms() - d.served_ms >= QUIET_MS);
                long long now = now_ms();
                if (lab_has_deletions(&d.lab)) {
                        if (d.deletions_since_ms == 0)
                                d.deletions_since_ms = now;
                        /* once a mass logout's deletions have begun, the next
                         * batch follows at once while no client waits: the
                         * events that woke us are the last batch's own */
                        bool go_on = flushed && d.clients.n == 0;
                        flushed = false;
                        if (n <= 0 || go_on || now - d.deletions_since_ms >= DELETE_MAX_WAIT_MS) {
                                if (d.clients.n == 0)
                                        lab_flush_deletions_unhurried(&d.lab);
                                else
                                        lab_flush_deletions(&d.lab);
                                d.deletions_since_ms = 0;
                                flushed = true;
                        }
                } else {
                        flushed = false;
                        /* never in front of a request: not in a round that
                         * served one (the next may be right behind it) */
                        pool_at = lab_pool_fill_at(&d.lab, d.served_ms + QUIET_MS);
                        if (pool_at >= 0 && now >= pool_at && d.served_ms < now0)
                                lab_pool_fill_one(&d.lab);
                }
                if (d.leases_at_ms && now >= d.leases_at_ms)
                        sync_guard_leases(&d);
                if (d.dnsmasq.restart_at_ms && now >= d.dnsmasq.restart_at_ms)
                        start_dnsmasq(&d);
                if (d.guard.on && now - d.guard.read_ms >= DROPS_READ_MS)
                        lab_guard_read_drops(&d.lab, now);
                if (d.view_at_ms && now >= d.view_at_ms)
                        draw_view_when_quiet(&d, now);
                if (now - last_sweep >= 1000) {
                        daemon_drop_idle_clients(&d);
                        last_sweep = now;
                }
        }

        sd_notify(0, "STOPPING=1");
        log_info("stopping; taps of live sessions stay for the next vmnetd");
        while (d.clients.n > 0)
                daemon_drop_client(&d, d.clients.n - 1);
        dnsmasq_stop(&d.dnsmasq);
        lab_stop(&d.lab);
        guard_stop(&d.guard); /* its table stays, with what it learned */
        lease_owners_free(&d.lease_owners);
        link_events_close(d.link_events);
        if (d.neigh_fd >= 0)
                close(d.neigh_fd);
        return 0;
}
