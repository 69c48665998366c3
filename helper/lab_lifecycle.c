/* The lab's life: start (the records taken back and checked against the
 * kernel, sessions adopted, orphans removed, the configuration applied),
 * reload, stop, the batched deletions and the kernel's link events (see
 * lab.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "cleanup.h"
#include "lab.h"
#include "lab_ops.h"
#include "log.h"
#include "login_link.h"
#include "process.h"
#include "rtnl_msg.h"
#include "state.h"
#include "strbuf.h"
#include "tap.h"
#include "tap_name.h"

static void teacher_groups_resolve(struct lab *lab) {
        groups_resolve("teacher_groups", (const char (*)[33])lab->config.teacher_groups, lab->config.n_teacher_groups,
                       lab->teacher_gids, &lab->n_teacher_gids);
}

int lab_init(struct lab *lab, const struct vmnet_config *config, const struct lab_ops *ops) {
        lab->config = *config;
        lab->ops = ops;
        lab->tc_fd = -1;
        lab->self_uid = geteuid(); /* vmnetd is its own user by now (privilege.h) */
        if (snprintf(lab->state_path, sizeof lab->state_path, "%s/state", config->run_dir) >=
            (int)sizeof lab->state_path)
                return -ENAMETOOLONG;
        return 0;
}

void lab_table_made(struct lab *lab, const char *table) {
        int r = made_table_add(&lab->made, table);
        if (r < 0)
                log_error_errno(r, "cannot record table %s: %m; --down may leave it", table);
        lab_save_state(lab);
}

void lab_table_removed(struct lab *lab, const char *table) {
        if (made_table_remove(&lab->made, table))
                lab_save_state(lab);
}

bool lab_has_deletions(const struct lab *lab) {
        return lab->links.n_dying > 0;
}

/* One kernel operation deletes at most this many links: a mass logout is
 * worked off between requests, never making one request wait for all.
 * While no request can be waiting, batches are larger: the kernel's RCU
 * waits of a batch are shared by more links (1000 logouts' links went in
 * two thirds of the time with 256, its sleeps halved: tests/bench/sessions). */
#define DELETE_BATCH       64
#define DELETE_BATCH_IDLE  256

static void flush_deletions(struct lab *lab, size_t max) {
        int batch[DELETE_BATCH_IDLE];
        size_t n = 0;

        link_registry_foreach(rec, &lab->links) {
                if (!rec->dying || n == max)
                        continue;
                /* a pair's bridge end goes with the student's end */
                const struct link_record *pair = link_registry_by_ifindex(&lab->links, rec->peer_ifindex);
                if ((LINK_KINDS_PAIR_PORTS & LINK_KIND_BIT(rec->kind)) && pair && pair->dying)
                        continue;
                batch[n++] = rec->ifindex;
        }
        if (n == 0)
                return;
        int r = lab->ops->links_delete(lab, batch, n);
        if (r >= 0)
                log_debug("deleted %d links", r);
        /* gone, or failing to go (logged): either way no longer ours to wait for */
        struct strbuf change = {};
        for (size_t i = 0; i < n; i++)
                lab_forget_link(lab, batch[i], &change);
        lab_save_change(lab, &change);
}

void lab_flush_deletions(struct lab *lab) {
        flush_deletions(lab, DELETE_BATCH);
}

void lab_flush_deletions_unhurried(struct lab *lab) {
        flush_deletions(lab, DELETE_BATCH_IDLE);
}

/* ---- start ---- */

/* Re-adopts the students of the saved state whose session processes live. */
static void adopt_sessions(struct lab *lab, struct saved_state *saved) {
        for (size_t i = 0; i < saved->students.n; i++) {
                struct student *old = saved->students.v[i], *st;
                st = students_add(&lab->students, &old->user, old->login_tap);
                if (!st)
                        continue;
                for (size_t j = 0; j < old->n_sessions; j++) {
                        struct session *s = &old->sessions[j];
                        uint64_t id = 0;
                        int pidfd = process_pidfd(s->pid, s->start_time, NULL);
                        if (pidfd < 0)
                                continue; /* gone while we were away */
                        if (lab->watch_pidfd && lab->watch_pidfd(lab->watch_ctx, pidfd, &id) < 0) {
                                close(pidfd);
                                continue;
                        }
                        if (student_add_session(st, s->pid, s->start_time, pidfd, id) < 0) {
                                if (lab->unwatch_pidfd)
                                        lab->unwatch_pidfd(lab->watch_ctx, pidfd);
                                close(pidfd);
                        }
                }
                struct link_record *rec = link_registry_by_name(&lab->links, st->login_tap, LINK_KIND_BIT(LINK_LOGIN));
                if (st->n_sessions == 0 || !rec || rec->owner != st->user.uid ||
                    lab->ops->login_link_plug(lab, rec->ifindex, rec->peer_ifindex) < 0) {
                        log_info("%s has no live session or login link any more", st->user.name);
                        lab_retire_student(lab, st);
                        continue;
                }
                log_info("adopted %s: %s, %zu sessions", st->user.name, st->login_tap, st->n_sessions);
        }
}

/* Links of vmnetd's that no live session owns.  A VM's tap stays: it lives
 * as long as its VM holds it, whoever is logged in. */
static void retire_orphans(struct lab *lab) {
        link_registry_foreach(rec, &lab->links) {
                if (rec->kind == LINK_CAPTURE && !rec->dying) {
                        /* a capture ends with the vmnetd that started it */
                        log_info("removing capture tap %s, left by an earlier vmnetd", rec->name);
                        link_registry_set_dying(&lab->links, rec, true);
                        continue;
                }
                if (rec->dying || (rec->kind != LINK_LOGIN && rec->kind != LINK_TAP))
                        continue;
                const struct student *st = NULL;
                for (size_t i = 0; i < lab->students.n && !st; i++)
                        if (lab->students.v[i]->user.uid == rec->owner)
                                st = lab->students.v[i];
                if (st && (rec->kind == LINK_TAP || strcmp(rec->name, st->login_tap) == 0))
                        continue;
                log_info("removing %s, which no session owns", rec->name);
                link_registry_set_dying(&lab->links, rec, true);
        }
        lab_retire_stray_segments(lab, true);
}

int lab_start(struct lab *lab, const struct vmnet_config *config) {
        struct saved_state saved = {};
        struct kernel_link bridge = {};
        int r;

        if (!lab->ops)
                lab->ops = &lab_kernel_ops;
        r = lab_init(lab, config, lab->ops);
        if (r < 0)
                return r;
        allowed_groups_resolve(config, lab->allowed_gids, &lab->n_allowed_gids);
        teacher_groups_resolve(lab);
        r = netlink_open(&lab->nl);
        if (r < 0)
                return r;
        lab->tc_fd = rtnl_open(0);
        if (lab->tc_fd < 0)
                return log_error_errno(lab->tc_fd, "cannot open a netlink socket for tc: %m");
        /* what earlier vmnetds made comes first, whatever their configuration was */
        if (link_get(lab->nl, 0, config->bridge, &bridge) < 0 || strcmp(bridge.kind, "bridge") != 0)
                bridge.ifindex = 0;
        r = lab_take_back(lab->nl, lab->state_path, config->tap_name, bridge.ifindex, &lab->links, &saved);
        if (r >= 0) {
                lab->made = saved.made;
                r = lab_apply_bridge(lab, config);
        }
        if (r < 0) {
                saved_state_clear(&saved);
                return r;
        }
        adopt_sessions(lab, &saved);
        saved_state_clear(&saved);
        retire_orphans(lab);
        lab_adopt_segments(lab);
        lab_captures_forget_mirrors(lab);
        while (lab_has_deletions(lab))
                lab_flush_deletions_unhurried(lab);
        lab_apply_links(lab, config);
        lab_save_state(lab);
        return 0;
}

void lab_link_event(struct lab *lab, const struct kernel_link *link, bool deleted) {
        struct strbuf change = {};
        bool changed;

        if (!link) {
                /* events were lost: forget what the kernel no longer confirms */
                struct kernel_view k = {};
                struct link_registry confirmed = {};
                if (links_dump(lab->nl, &k.v, &k.n) < 0)
                        return;
                link_registry_foreach(rec, &lab->links)
                        if (kernel_view_confirms(&k, rec))
                                (void)link_registry_add(&confirmed, rec);
                kernel_view_tell_flags(&k, &confirmed);
                changed = confirmed.n != lab->links.n;
                confirmed.changes = lab->links.changes + 1;
                link_registry_clear(&lab->links);
                lab->links = confirmed;
                free(k.v);
                lab_retire_stray_segments(lab, false);
                if (changed)
                        lab_save_state(lab);
                return;
        }
        if (deleted) {
                const struct link_record *rec = link_registry_by_ifindex(&lab->links, link->ifindex);
                if (rec && (rec->kind == LINK_NETNS || rec->kind == LINK_SEGMENT_NETNS))
                        log_info("%s of uid %u went with its network namespace", rec->name, (unsigned)rec->owner);
                bool segment = rec && rec->kind == LINK_SEGMENT && !rec->dying;
                if (segment)
                        log_warn("the bridge %s of segment %s of uid %u was deleted by someone else: what was on "
                                 "it goes too", rec->name, rec->label, (unsigned)rec->owner);
                changed = lab_forget_link(lab, link->ifindex, &change);
                if (changed)
                        log_debug("%s is gone", link->name);
                if (segment)
                        lab_retire_stray_segments(lab, false);
        } else {
                struct link_record *rec = link_registry_by_ifindex(&lab->links, link->ifindex);
                if (rec) {
                        /* the lab view reads them here, not from a dump of every link */
                        rec->flags = link->flags;
                        rec->flags_known = true;
                }
                changed = link_registry_renamed(&lab->links, link->ifindex, link->name);
                if (changed)
                        state_put_link(&change, link_registry_by_ifindex(&lab->links, link->ifindex));
        }
        lab_save_change(lab, &change);
}

int lab_reload(struct lab *lab, const struct vmnet_config *config) {
        int r = lab_apply_bridge(lab, config);

        if (r < 0)
                return log_error_errno(r, "reload refused: no lab bridge %s (%m); keeping the running configuration",
                                       config->bridge);
        lab->config = *config;
        lab_apply_links(lab, config);
        allowed_groups_resolve(&lab->config, lab->allowed_gids, &lab->n_allowed_gids);
        teacher_groups_resolve(lab);
        lab_save_state(lab);
        return 0;
}

void lab_stop(struct lab *lab) {
        lab_captures_stop(lab);
        lab_views_clear(&lab->views);
        if (lab->tc_fd >= 0)
                close(lab->tc_fd);
        lab->tc_fd = -1;
        while (lab_has_deletions(lab))
                lab_flush_deletions_unhurried(lab);
        lab_save_state(lab);
        students_clear(&lab->students); /* the links stay for the next vmnetd */
        link_registry_clear(&lab->links);
        netlink_close(lab->nl);
        lab->nl = NULL;
}
