/* The lab's life: start (the records taken back and checked against the
 * kernel, sessions adopted, orphans removed), reload, stop, --down, the
 * batched deletions and the kernel's link events (see lab.h). */
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
#include "state.h"
#include "tap.h"
#include "tap_name.h"

int lab_init(struct lab *lab, const struct vmnet_config *config, const struct lab_ops *ops) {
        lab->config = *config;
        lab->ops = ops;
        if (snprintf(lab->state_path, sizeof lab->state_path, "%s/state", config->run_dir) >=
            (int)sizeof lab->state_path)
                return -ENAMETOOLONG;
        return 0;
}

void lab_save_state(struct lab *lab) {
        int r = state_save(lab->state_path, lab->config.bridge, lab->bridge_created, &lab->students, &lab->links);
        if (r < 0)
                log_error_errno(r, "cannot write %s: %m", lab->state_path);
}

bool lab_has_deletions(const struct lab *lab) {
        return lab->links.n_dying > 0;
}

/* One kernel operation deletes at most this many links: a mass logout is
 * worked off between requests, never making one request wait for all. */
#define DELETE_BATCH_MAX 64

void lab_flush_deletions(struct lab *lab) {
        int batch[DELETE_BATCH_MAX];
        size_t n = 0;

        link_registry_foreach(rec, &lab->links) {
                if (!rec->dying || n == DELETE_BATCH_MAX)
                        continue;
                /* a login link's bridge end goes with the student's end */
                const struct link_record *pair = link_registry_by_ifindex(&lab->links, rec->peer_ifindex);
                if (rec->kind == LINK_LOGIN_PEER && pair && pair->dying)
                        continue;
                batch[n++] = rec->ifindex;
        }
        if (n == 0)
                return;
        int r = lab->ops->links_delete(lab, batch, n);
        if (r >= 0)
                log_debug("deleted %d links", r);
        /* gone, or failing to go (logged): either way no longer ours to wait for */
        for (size_t i = 0; i < n; i++)
                link_registry_deleted(&lab->links, batch[i]);
        lab_save_state(lab);
}

/* ---- what the kernel has ---- */

struct kernel_view {
        struct kernel_link *v;
        size_t n;
};

static const struct kernel_link *view_by_ifindex(const struct kernel_view *k, int ifindex) {
        for (size_t i = 0; i < k->n; i++)
                if (k->v[i].ifindex == ifindex)
                        return &k->v[i];
        return NULL;
}

static const struct kernel_link *view_by_name(const struct kernel_view *k, const char *name) {
        for (size_t i = 0; i < k->n; i++)
                if (strcmp(k->v[i].name, name) == 0)
                        return &k->v[i];
        return NULL;
}

/* Is rec still the link vmnetd made: same index, name and kind, and for a
 * pair the same other end? */
static bool kernel_confirms(const struct kernel_view *k, const struct link_record *rec) {
        const struct kernel_link *l = view_by_ifindex(k, rec->ifindex);

        return l && strcmp(l->name, rec->name) == 0 && strcmp(l->kind, link_kind_info(rec->kind)->kernel_kind) == 0 &&
               (rec->peer_ifindex == 0 || l->link == rec->peer_ifindex);
}

/* Takes into reg the saved records the kernel confirms. */
static void take_confirmed(struct link_registry *reg, const struct link_registry *saved, const struct kernel_view *k) {
        link_registry_foreach(rec, saved) {
                if (!kernel_confirms(k, rec)) {
                        log_info("%s (%s) is gone or no longer what vmnetd made: forgotten", rec->name,
                                 link_kind_info(rec->kind)->word);
                        continue;
                }
                if (link_registry_add(reg, rec) < 0)
                        log_warn("cannot take back the record of %s", rec->name);
        }
}

static void record(struct link_registry *reg, const struct kernel_link *l, enum link_kind kind, uid_t owner,
                   int peer_ifindex) {
        struct link_record rec = { .ifindex = l->ifindex, .kind = kind, .owner = owner, .peer_ifindex = peer_ifindex };

        strcpy(rec.name, l->name);
        if (link_registry_add(reg, &rec) >= 0)
                log_info("%s (%s of uid %u) was left unrecorded: taken back", l->name, link_kind_info(kind)->word,
                         (unsigned)owner);
}

/* Links vmnetd made but did not write down: an older vmnetd's (state
 * version 1 has no link records), or one that died between making a link
 * and saving.  Only what vmnetd alone can have made is taken: a port of
 * the lab bridge (plugging in needs CAP_NET_ADMIN) that is a tap named by
 * tap_name for the user who owns it, or a veth named as a saved student's
 * login link whose other end is such a port.  (--down with no state file
 * at all relies on the first.)  Anything else — the
 * admin's links, LXC's, another hypervisor's — is never vmnetd's. */
static void take_unrecorded(struct link_registry *reg, const char *pattern, int bridge_ifindex,
                            const struct students *saved_students, const struct kernel_view *k) {
        for (size_t i = 0; i < saved_students->n; i++) {
                const struct student *st = saved_students->v[i];
                const struct kernel_link *l = view_by_name(k, st->login_tap), *peer;
                if (!l || link_registry_by_ifindex(reg, l->ifindex) || strcmp(l->kind, "veth") != 0)
                        continue;
                peer = view_by_ifindex(k, l->link);
                if (!peer || peer->master != bridge_ifindex || strcmp(peer->kind, "veth") != 0 ||
                    link_registry_by_ifindex(reg, peer->ifindex))
                        continue;
                record(reg, l, LINK_LOGIN, st->user.uid, peer->ifindex);
                record(reg, peer, LINK_LOGIN_PEER, st->user.uid, l->ifindex);
        }
        for (size_t i = 0; i < k->n; i++) {
                const struct kernel_link *l = &k->v[i];
                struct user_info owner;
                bool persistent;
                uid_t uid;
                if (l->master != bridge_ifindex || strcmp(l->kind, "tun") != 0 || link_registry_by_ifindex(reg, l->ifindex))
                        continue;
                /* index 0 too: before login links were veths, they were taps */
                if (tap_info(l->name, &uid, &persistent) < 0 || uid == (uid_t)-1 || user_by_uid(uid, &owner) < 0 ||
                    tap_name_index(pattern, owner.name, l->name) < 0)
                        continue;
                record(reg, l, persistent ? LINK_TAP : LINK_VM_TAP, uid, 0);
        }
}

/* The records of run_dir/state the kernel confirms, and what vmnetd made
 * without writing down; *ret_saved keeps the rest of the state. */
static int take_back_links(struct nl_sock *nl, const char *state_path, const char *pattern, int bridge_ifindex,
                           struct link_registry *reg, struct saved_state *ret_saved) {
        struct kernel_view k = {};
        int r;

        r = state_load(state_path, ret_saved);
        if (r == -ENOENT)
                *ret_saved = (struct saved_state) {};
        else if (r < 0)
                log_warn_errno(r, "ignoring unreadable %s: %m", state_path);
        else if (ret_saved->n_bad_lines > 0)
                log_warn("%s: skipped %u lines that do not parse, the first on line %u", state_path,
                         ret_saved->n_bad_lines, ret_saved->first_bad_line);
        if (r < 0)
                *ret_saved = (struct saved_state) {};
        r = links_dump(nl, &k.v, &k.n);
        if (r < 0)
                return log_error_errno(r, "cannot list the links: %m");
        take_confirmed(reg, &ret_saved->links, &k);
        if (bridge_ifindex > 0)
                take_unrecorded(reg, pattern, bridge_ifindex, &ret_saved->students, &k);
        free(k.v);
        return 0;
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
}

int lab_start(struct lab *lab, const struct vmnet_config *config) {
        struct saved_state saved = {};
        bool created = false;
        int r;

        if (!lab->ops)
                lab->ops = &lab_kernel_ops;
        r = lab_init(lab, config, lab->ops);
        if (r < 0)
                return r;
        allowed_groups_resolve(config, lab->allowed_gids, &lab->n_allowed_gids);
        r = netlink_open(&lab->nl);
        if (r < 0)
                return r;
        if (config->uplink == VMNET_UPLINK_EXTERNAL) {
                r = bridge_ensure(lab->nl, config->bridge, false, config->address, 0, NULL);
                if (r == -ENODEV)
                        log_error("uplink = external: bridge %s does not exist; the admin makes it "
                                  "(see vmnet.conf(5))", config->bridge);
        } else {
                r = bridge_ensure(lab->nl, config->bridge, true, config->address, config->prefix_len, &created);
        }
        if (r < 0)
                return r;
        lab->bridge_ifindex = r;
        log_info("bridge %s %s", config->bridge, created ? "created" : "adopted");
        r = take_back_links(lab->nl, lab->state_path, config->tap_name, lab->bridge_ifindex, &lab->links, &saved);
        if (r < 0) {
                saved_state_clear(&saved);
                return r;
        }
        /* a bridge we made before a restart is still ours */
        lab->bridge_created = created || (saved.bridge_created && strcmp(saved.bridge, config->bridge) == 0);
        adopt_sessions(lab, &saved);
        saved_state_clear(&saved);
        retire_orphans(lab);
        while (lab_has_deletions(lab))
                lab_flush_deletions(lab);
        lab_save_state(lab);
        return 0;
}

void lab_link_event(struct lab *lab, const struct kernel_link *link, bool deleted) {
        bool changed;

        if (!link) {
                /* events were lost: forget what the kernel no longer confirms */
                struct kernel_view k = {};
                struct link_registry confirmed = {};
                if (links_dump(lab->nl, &k.v, &k.n) < 0)
                        return;
                link_registry_foreach(rec, &lab->links)
                        if (kernel_confirms(&k, rec))
                                (void)link_registry_add(&confirmed, rec);
                changed = confirmed.n != lab->links.n;
                link_registry_clear(&lab->links);
                lab->links = confirmed;
                free(k.v);
        } else if (deleted) {
                const struct link_record *rec = link_registry_by_ifindex(&lab->links, link->ifindex);
                if (rec && rec->kind == LINK_NETNS)
                        log_info("%s of uid %u went with its network namespace", rec->name, (unsigned)rec->owner);
                changed = link_registry_deleted(&lab->links, link->ifindex);
                if (changed)
                        log_debug("%s is gone", link->name);
        } else {
                changed = link_registry_renamed(&lab->links, link->ifindex, link->name);
        }
        if (changed)
                lab_save_state(lab);
}

void lab_reload(struct lab *lab, const struct vmnet_config *config) {
        struct vmnet_config next = *config;

#define KEEP(field, key)                                                                       \
        if (memcmp(&next.field, &lab->config.field, sizeof next.field) != 0) {                \
                log_warn("reload: %s changes take effect when vmnetd restarts", key);         \
                memcpy(&next.field, &lab->config.field, sizeof next.field);                   \
        }
        KEEP(socket_path, "socket");
        KEEP(run_dir, "run_dir");
        KEEP(bridge, "bridge");
        KEEP(address, "address");
        KEEP(prefix_len, "address");
        KEEP(tap_name, "tap_name");
        KEEP(uplink, "uplink");
#undef KEEP
        lab->config = next;
        allowed_groups_resolve(&lab->config, lab->allowed_gids, &lab->n_allowed_gids);
}

void lab_stop(struct lab *lab) {
        while (lab_has_deletions(lab))
                lab_flush_deletions(lab);
        lab_save_state(lab);
        students_clear(&lab->students); /* the links stay for the next vmnetd */
        link_registry_clear(&lab->links);
        netlink_close(lab->nl);
        lab->nl = NULL;
}

int lab_down(const struct vmnet_config *config) {
        struct link_registry links = {};
        struct saved_state saved = {};
        struct kernel_link bridge = {};
        struct nl_sock *nl;
        char path[PATH_MAX];
        int r;

        if (snprintf(path, sizeof path, "%s/state", config->run_dir) >= (int)sizeof path)
                return -ENAMETOOLONG;
        r = netlink_open(&nl);
        if (r < 0)
                return r;
        (void)link_get(nl, 0, config->bridge, &bridge);
        r = take_back_links(nl, path, config->tap_name, bridge.ifindex, &links, &saved);
        bool created = access(path, F_OK) < 0 ? config->uplink != VMNET_UPLINK_EXTERNAL : saved.bridge_created;
        saved_state_clear(&saved);
        _cleanup_free_ int *ifindexes = calloc(links.n + 1, sizeof *ifindexes);
        if (r >= 0 && ifindexes && links.n > 0) {
                size_t n = 0;
                link_registry_foreach(rec, &links)
                        if (rec->kind != LINK_LOGIN_PEER) /* goes with its pair */
                                ifindexes[n++] = rec->ifindex;
                log_info("removing %zu links vmnetd made", n);
                links_delete(nl, ifindexes, n);
        }
        link_registry_clear(&links);
        if (created && config->uplink != VMNET_UPLINK_EXTERNAL && bridge.ifindex > 0 &&
            strcmp(bridge.kind, "bridge") == 0) {
                r = link_delete(nl, bridge.ifindex);
                if (r < 0)
                        log_error_errno(r, "cannot delete bridge %s: %m", config->bridge);
                else
                        log_info("bridge %s removed", config->bridge);
        }
        netlink_close(nl);
        return 0;
}
