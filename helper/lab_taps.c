/* Taps: a student's extra persistent taps and their VMs' taps within
 * max_taps, STATUS, and whose VM sits behind a port (see lab.h); the
 * quota and the recording of a new link, which lab_netns.c shares.  Every
 * answer comes from the registry, never from what the kernel's tap owner
 * says now. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "clock.h"
#include "dns_name.h"
#include "hosts_snapshot.h"
#include "lab.h"
#include "lab_ops.h"
#include "log.h"
#include "state.h"
#include "strbuf.h"
#include "tap_name.h"

bool lab_quota_reached(const struct lab *lab, uid_t uid) {
        return link_registry_count(&lab->links, uid, LINK_KINDS_QUOTA) >= lab->config.max_taps;
}

int lab_record_link(struct lab *lab, const struct link_record *rec) {
        int r = link_registry_add(&lab->links, rec);
        if (r < 0) {
                int ifindex = rec->ifindex;
                (void)lab->ops->links_delete(lab, &ifindex, 1);
                return log_error_errno(r, "cannot record %s: %m", rec->name);
        }
        struct strbuf change = {};
        /* the registry's copy: it says when the link was made */
        state_put_link(&change, link_registry_by_ifindex(&lab->links, rec->ifindex));
        lab_save_change(lab, &change);
        return 0;
}

/* Makes a new extra tap for user; persistent ones stay, a VM's goes with its fd. */
static int new_extra_tap(struct lab *lab, const struct user_info *user, bool persistent, uint8_t want,
                         char ret_tap[IFNAMSIZ], int *ret_fd) {
        const struct tap_features features = {
                .vnet_hdr = want & VMNET_TAP_WANT_VNET_HDR,
                .multi_queue = want & VMNET_TAP_WANT_MULTI_QUEUE,
        };
        char name[IFNAMSIZ];

        if (!lab->ops->user_is_allowed(lab, user))
                return -EPERM;
        if (lab_quota_reached(lab, user->uid))
                return -EDQUOT;
        for (unsigned i = 1; i <= TAP_INDEX_MAX; i++) {
                _cleanup_close_ int fd = -1;
                int ifindex, r;

                if (tap_name_for_user(lab->config.tap_name, user->name, i, name) < 0)
                        break;
                if (link_registry_by_name(&lab->links, name, 0))
                        continue; /* ours already, maybe on its way out */
                r = lab->ops->tap_create(lab, name, user->uid, persistent, &features, lab->bridge_ifindex, &fd,
                                         &ifindex);
                if (r == -EEXIST)
                        continue; /* a link vmnetd did not make has that name */
                if (r < 0)
                        return log_error_errno(r, "cannot make tap %s for %s: %m", name, user->name);
                struct link_record rec = { .ifindex = ifindex, .kind = persistent ? LINK_TAP : LINK_VM_TAP,
                                           .owner = user->uid };
                strcpy(rec.name, name);
                r = lab_record_link(lab, &rec);
                if (r < 0)
                        return r;
                log_info("%s tap %s for %s%s%s", persistent ? "persistent" : "VM", name, user->name,
                         features.vnet_hdr ? ", vnet header" : "", features.multi_queue ? ", multi-queue" : "");
                strcpy(ret_tap, name);
                if (ret_fd)
                        *ret_fd = TAKE_FD(fd);
                return 0;
        }
        return -EDQUOT; /* every name of the user's is taken */
}

int lab_tap_add(struct lab *lab, const struct user_info *user, uint8_t want, char ret_tap[IFNAMSIZ]) {
        /* whoever opens a kept tap decides its vnet header: only the queues
         * are fixed at creation */
        return new_extra_tap(lab, user, true, want & VMNET_TAP_WANT_MULTI_QUEUE, ret_tap, NULL);
}

int lab_vm_tap(struct lab *lab, const struct user_info *user, const char *bridge, uint8_t want,
               char ret_tap[IFNAMSIZ], int *ret_fd) {
        if (strcmp(bridge, lab->config.bridge) != 0) {
                /* a segment of the caller's own; any other name is the one refusal */
                const struct link_record *seg = lab_segment_of(lab, user->uid, bridge);
                if (!seg || !lab->ops->user_is_allowed(lab, user))
                        return -EPERM;
                return lab_segment_vm_tap(lab, user, seg, want & VMNET_TAP_WANT_VNET_HDR, ret_tap, ret_fd);
        }
        /* one fd goes back, so one queue: a multi-queue tap would gain nothing */
        return new_extra_tap(lab, user, false, want & VMNET_TAP_WANT_VNET_HDR, ret_tap, ret_fd);
}

int lab_tap_del(struct lab *lab, const struct user_info *user, const char *tap) {
        struct link_record *rec = link_registry_by_name(&lab->links, tap, LINK_KIND_BIT(LINK_TAP));
        int ifindex, r;

        /* only an extra persistent tap of the caller's own; any other name
         * gets the same refusal, existing or not */
        if (!rec || rec->owner != user->uid || rec->dying)
                return -EPERM;
        ifindex = rec->ifindex;
        r = lab->ops->links_delete(lab, &ifindex, 1);
        if (r < 0)
                return r; /* logged by links_delete */
        struct strbuf change = {};
        lab_forget_link(lab, ifindex, &change);
        lab_save_change(lab, &change);
        log_info("tap %s of %s deleted", tap, user->name);
        return 0;
}

struct listed {
        const struct link_record *rec;
        int index; /* in the user's tap names; -1 if none (a renamed link) */
};

static int by_index(const void *a, const void *b) {
        const struct listed *x = a, *y = b;
        unsigned ix = (unsigned)x->index, iy = (unsigned)y->index; /* -1 sorts last */
        return ix < iy ? -1 : ix > iy;
}

int lab_status(struct lab *lab, const struct user_info *user, struct vmnet_reply *ret) {
        struct listed listed[VMNET_TAPS_MAX];
        char address[INET_ADDRSTRLEN];
        size_t n = 0;

        snprintf(ret->user, sizeof ret->user, "%s", user->name);
        snprintf(ret->bridge, sizeof ret->bridge, "%s", lab->config.bridge);
        inet_ntop(AF_INET, &lab->config.address, address, sizeof address);
        snprintf(ret->address, sizeof ret->address, "%s/%u", address, lab->config.prefix_len);
        snprintf(ret->domain, sizeof ret->domain, "%s", lab->config.domain);
        ret->uplink = lab->config.uplink;
        ret->max_taps = lab->config.max_taps;

        link_registry_foreach(rec, &lab->links)
                if (rec->owner == user->uid && !rec->dying && (LINK_KINDS_QUOTA & LINK_KIND_BIT(rec->kind)) &&
                    n < VMNET_TAPS_MAX)
                        listed[n++] = (struct listed) {
                                rec, tap_name_index(lab->config.tap_name, user->name, rec->name)
                        };
        qsort(listed, n, sizeof listed[0], by_index);

        lab_guard_status(lab, user->uid, ret);
        ret->n_taps = 0;
        for (size_t i = 0; i < n; i++) {
                struct vmnet_tap_info *t = &ret->taps[ret->n_taps];
                struct kernel_link link;

                if (lab->ops->link_get(lab, listed[i].rec->ifindex, &link) < 0)
                        continue; /* gone; its link event is on its way */
                strcpy(t->name, listed[i].rec->name);
                t->kind = link_kind_info(listed[i].rec->kind)->reported_as;
                t->flags = (link.flags & IFF_LOWER_UP ? VMNET_TAP_FLAG_CARRIER : 0) |
                           (link.flags & IFF_UP ? VMNET_TAP_FLAG_UP : 0);
                ret->n_taps++;
        }
        return 0;
}

int lab_health(struct lab *lab, struct vmnet_reply *ret) {
        long long left = lab->dnsmasq_retry_at_ms ? lab->dnsmasq_retry_at_ms - now_ms() : 0;

        ret->health = lab->health;
        ret->health.retry_seconds = lab->health.dnsmasq != VMNET_DNSMASQ_DOWN || left <= 0 ? 0
                                    : left >= UINT16_MAX * 1000LL                      ? UINT16_MAX
                                                                                         : (uint16_t)((left + 999) / 1000);
        return 0;
}

/* A port of the registry's, by name (lab_port_owners_hold). */
struct port_owner {
        char name[IFNAMSIZ];
        uid_t uid;
        size_t place; /* in the registry */
};

static int by_name_then_place(const void *a, const void *b) {
        const struct port_owner *x = a, *y = b;
        int r = strcmp(x->name, y->name);
        return r ? r : (x->place > y->place) - (x->place < y->place);
}

static int name_is(const void *name, const void *owner) {
        return strcmp(name, ((const struct port_owner *)owner)->name);
}

void lab_port_owners_hold(struct lab *lab) {
        struct port_owner *v;
        size_t n = 0, kept = 0;

        lab_port_owners_release(lab);
        v = calloc(lab->links.n ? lab->links.n : 1, sizeof *v);
        if (!v)
                return; /* each lookup walks the registry then */
        link_registry_foreach(rec, &lab->links)
                if (LINK_KINDS_PORTS & LINK_KIND_BIT(rec->kind)) {
                        strcpy(v[n].name, rec->name);
                        v[n].uid = rec->owner;
                        v[n++].place = (size_t)(rec - lab->links.v);
                }
        qsort(v, n, sizeof *v, by_name_then_place);
        /* a name twice: the first in the registry, as link_registry_by_name */
        for (size_t i = 0; i < n; i++)
                if (kept == 0 || strcmp(v[kept - 1].name, v[i].name) != 0)
                        v[kept++] = v[i];
        lab->port_owners = v;
        lab->n_port_owners = kept;
}

void lab_port_owners_release(struct lab *lab) {
        free(lab->port_owners);
        lab->port_owners = NULL;
        lab->n_port_owners = 0;
}

/* The owner of the registry's port named port. */
static int port_owner(struct lab *lab, const char *port, uid_t *ret_uid) {
        const struct link_record *rec;

        if (lab->port_owners) {
                const struct port_owner *o =
                        lab->n_port_owners ? bsearch(port, lab->port_owners, lab->n_port_owners, sizeof *o, name_is)
                                           : NULL;
                if (!o)
                        return -ENOENT;
                *ret_uid = o->uid;
                return 0;
        }
        rec = link_registry_by_name(&lab->links, port, LINK_KINDS_PORTS);
        if (!rec)
                return -ENOENT;
        *ret_uid = rec->owner;
        return 0;
}

int lab_owner_uid_of_mac(struct lab *lab, const uint8_t mac[6], uid_t *ret_uid) {
        char port[IFNAMSIZ];

        if (lab->ops->port_of_mac(lab, mac, port) < 0)
                return -ENOENT;
        /* behind a login link (its bridge end is the port), a tap or a container's link of vmnetd's */
        return port_owner(lab, port, ret_uid);
}

int lab_owner_of_mac(const uint8_t mac[6], uid_t *ret_uid, char *ret_user, void *userdata) {
        struct lab *lab = userdata;
        struct user_info user;
        uid_t uid;

        if (lab_owner_uid_of_mac(lab, mac, &uid) < 0 || lab->ops->user_by_uid(uid, &user) < 0)
                return -ENOENT;
        *ret_uid = uid;
        /* the snapshot's owner field holds the user's label in
         * NAME.USER.DOMAIN: a label for every name a directory gives */
        dns_user_label(user.name, ret_user);
        return 0;
}
