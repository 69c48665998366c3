/* The records of run_dir/state taken back at start and by --down, as far
 * as the kernel confirms them, and the links an older vmnetd made without
 * writing them down (see lab.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "lab.h"
#include "log.h"
#include "state.h"
#include "tap.h"
#include "tap_name.h"
#include "users.h"

const struct kernel_link *kernel_view_by_ifindex(const struct kernel_view *k, int ifindex) {
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
bool kernel_view_confirms(const struct kernel_view *k, const struct link_record *rec) {
        const struct kernel_link *l = kernel_view_by_ifindex(k, rec->ifindex);

        return l && strcmp(l->name, rec->name) == 0 && strcmp(l->kind, link_kind_info(rec->kind)->kernel_kind) == 0 &&
               (rec->peer_ifindex == 0 || l->link == rec->peer_ifindex);
}

void kernel_view_tell_flags(const struct kernel_view *k, struct link_registry *reg) {
        link_registry_foreach(rec, reg) {
                const struct kernel_link *l = kernel_view_by_ifindex(k, rec->ifindex);
                if (l) {
                        rec->flags = l->flags;
                        rec->flags_known = true;
                }
        }
}

/* Takes into reg the saved records the kernel confirms. */
static void take_confirmed(struct link_registry *reg, const struct link_registry *saved, const struct kernel_view *k) {
        link_registry_foreach(rec, saved) {
                if (!kernel_view_confirms(k, rec)) {
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
                peer = kernel_view_by_ifindex(k, l->link);
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

/* An older vmnetd's state names the bridge it made on a line of its own:
 * the bridge of that name is the one, if the kernel has it. */
static void take_old_bridge(struct link_registry *reg, const struct saved_state *saved, const struct kernel_view *k) {
        if (saved->version >= 3 || !saved->bridge_created)
                return;
        const struct kernel_link *l = view_by_name(k, saved->bridge);
        if (l && strcmp(l->kind, "bridge") == 0 && !link_registry_by_ifindex(reg, l->ifindex))
                record(reg, l, LINK_LAB_BRIDGE, 0, 0);
}

int lab_take_back(struct nl_sock *nl, const char *state_path, const char *pattern, int bridge_ifindex,
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
        take_old_bridge(reg, ret_saved, &k);
        if (bridge_ifindex > 0)
                take_unrecorded(reg, pattern, bridge_ifindex, &ret_saved->students, &k);
        kernel_view_tell_flags(&k, reg);
        free(k.v);
        return 0;
}
