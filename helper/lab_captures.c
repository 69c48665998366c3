/* CAPTURE and the captures running (see lab_captures.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "dns_name.h"
#include "lab.h"
#include "lab_ops.h"
#include "log.h"
#include "mac_address.h"
#include "mirror.h"

/* What a target may name: what a student attaches VMs and containers to
 * (a namespace's link by its bridge end, which is its record). */
#define TARGET_KINDS (LINK_KIND_BIT(LINK_LOGIN) | LINK_KINDS_TAPS | LINK_KIND_BIT(LINK_NETNS))

/* The bridge port carrying rec: a login link's other end, or the tap itself. */
static const struct link_record *port_of(const struct lab *lab, const struct link_record *rec) {
        if (!rec || rec->dying)
                return NULL;
        return rec->kind == LINK_LOGIN ? link_registry_by_ifindex(&lab->links, rec->peer_ifindex) : rec;
}

/* NAME, NAME.USER or NAME.USER.DOMAIN, USER the label of the owner's name
 * as libnss_vmnet resolves it. */
static bool vm_is_named(const struct lab_view *v, const struct lab_view_vm *m, const char *target) {
        char full[DNS_LABEL_MAX + DNS_USER_LABEL_MAX + VMNET_DOMAIN_MAX + 3], label[DNS_USER_LABEL_MAX + 1];
        if (!m->name[0])
                return false;
        if (strcasecmp(m->name, target) == 0)
                return true;
        if (!m->owner[0])
                return false;
        dns_user_label(m->owner, label);
        snprintf(full, sizeof full, "%s.%s", m->name, label);
        if (strcasecmp(full, target) == 0)
                return true;
        snprintf(full, sizeof full, "%s.%s.%s", m->name, label, v->domain);
        return v->domain[0] && strcasecmp(full, target) == 0;
}

/* The link a target names: one of vmnetd's by name, or the one a VM of the
 * lab view sits behind (by its MAC or name; the caller's own first). */
static const struct link_record *link_of_target(const struct lab *lab, const struct user_info *caller,
                                                const char *target) {
        const struct lab_view *v = &lab->views.current;
        const struct link_record *found = NULL;
        uint8_t mac[6];
        bool by_mac = mac_address_parse(target, strlen(target), mac) == 0;

        found = link_registry_by_name(&lab->links, target, TARGET_KINDS);
        if (found && !found->dying)
                return found;
        found = NULL;
        for (size_t i = 0; i < v->n_vms; i++) {
                const struct lab_view_vm *m = &v->vms[i];
                if (m->link >= v->n_links || !(by_mac ? memcmp(m->mac, mac, 6) == 0 : vm_is_named(v, m, target)))
                        continue;
                const struct link_record *rec = link_registry_by_name(&lab->links, v->links[m->link].name, TARGET_KINDS);
                if (!rec || rec->dying)
                        continue;
                if (rec->owner == caller->uid)
                        return rec;
                if (!found)
                        found = rec;
        }
        return found;
}

/* The lowest mirror prio no capture of the port uses, or 0. */
static unsigned free_prio(const struct captures *c, int port_ifindex) {
        for (unsigned p = MIRROR_PRIO_FIRST; p < MIRROR_PRIO_FIRST + MIRROR_PRIO_COUNT; p++) {
                bool used = false;
                for (size_t i = 0; i < c->n && !used; i++)
                        used = c->v[i].port_ifindex == port_ifindex && c->v[i].prio == p;
                if (!used)
                        return p;
        }
        return 0;
}

static void log_watch(const struct capture *k, const char *what) {
        if (strcmp(k->watcher_name, k->owner_name) == 0)
                log_info("capture %s: %s %s their own %s (port %s)", k->tap, k->watcher_name, what, k->link, k->port);
        else
                log_info("capture %s: %s (uid %u) %s %s's %s (port %s)", k->tap, k->watcher_name,
                         (unsigned)k->watcher, what, k->owner_name, k->link, k->port);
}

int lab_capture(struct lab *lab, const struct user_info *caller, bool teacher, const char *target,
                struct vmnet_reply *rep, int *ret_fd) {
        const struct link_record *link = link_of_target(lab, caller, target);
        const struct link_record *port = port_of(lab, link);
        struct capture k = { .watcher = caller->uid, .started = (int64_t)time(NULL) };
        struct kernel_link tap;
        struct user_info owner;
        int fd, r;

        /* not found, not theirs, gone: one answer */
        if (!port || (!teacher && link->owner != caller->uid))
                return -EPERM;
        if (link_registry_count(&lab->links, caller->uid, LINK_KIND_BIT(LINK_CAPTURE)) >= CAPTURES_PER_USER)
                return -EUSERS;
        k.prio = free_prio(&lab->captures, port->ifindex);
        if (k.prio == 0)
                return -EUSERS;
        if (ARRAY_RESERVE(lab->captures.v, lab->captures.allocated, lab->captures.n + 1) < 0)
                return -ENOMEM;
        if (lab->ops->user_by_uid(link->owner, &owner) < 0)
                snprintf(owner.name, sizeof owner.name, "uid %u", (unsigned)link->owner);
        r = lab->ops->capture_start(lab, port->ifindex, k.prio, &fd, &tap);
        if (r < 0)
                return log_error_errno(r, "cannot capture %s for %s: %m", port->name, caller->name);
        struct link_record rec = { .ifindex = tap.ifindex, .kind = LINK_CAPTURE, .owner = caller->uid };
        strcpy(rec.name, tap.name);
        r = lab_record_link(lab, &rec); /* deletes the tap when it cannot */
        if (r < 0) {
                (void)lab->ops->capture_stop(lab, port->ifindex, k.prio);
                close(fd);
                return r;
        }
        k.tap_ifindex = tap.ifindex;
        k.port_ifindex = port->ifindex;
        strcpy(k.tap, tap.name);
        strcpy(k.port, port->name);
        strcpy(k.link, link->name);
        snprintf(k.owner_name, sizeof k.owner_name, "%s", owner.name);
        snprintf(k.watcher_name, sizeof k.watcher_name, "%s", caller->name);
        lab->captures.v[lab->captures.n++] = k;
        log_watch(&k, "watches");
        strcpy(rep->tap, k.tap);
        strcpy(rep->port, k.port);
        strcpy(rep->link, k.link);
        snprintf(rep->user, sizeof rep->user, "%s", k.owner_name);
        *ret_fd = fd;
        return 0;
}

/* Ends capture i: its mirror removed, its tap deleted if it is still there. */
static void end_capture(struct lab *lab, size_t i, const char *why) {
        struct capture *k = &lab->captures.v[i];
        char what[96];

        (void)lab->ops->capture_stop(lab, k->port_ifindex, k->prio);
        if (link_registry_by_ifindex(&lab->links, k->tap_ifindex)) {
                struct strbuf change = {};
                (void)lab->ops->links_delete(lab, &k->tap_ifindex, 1);
                lab_forget_link(lab, k->tap_ifindex, &change);
                lab_save_change(lab, &change);
        }
        snprintf(what, sizeof what, "stopped watching (%s, after %llds)", why,
                 (long long)((int64_t)time(NULL) - k->started));
        log_watch(k, what);
        lab->captures.v[i] = lab->captures.v[--lab->captures.n];
}

bool lab_captures_sweep(struct lab *lab) {
        bool ended = false;

        for (size_t i = lab->captures.n; i-- > 0;) {
                const struct capture *k = &lab->captures.v[i];
                const struct link_record *port = link_registry_by_ifindex(&lab->links, k->port_ifindex);
                struct kernel_link tap;
                const char *why = NULL;

                if (!port || port->dying || strcmp(port->name, k->port) != 0)
                        why = "the port went away";
                else if (!link_registry_by_ifindex(&lab->links, k->tap_ifindex) ||
                         lab->ops->link_get(lab, k->tap_ifindex, &tap) < 0 || !(tap.flags & IFF_LOWER_UP))
                        why = "the capture was closed"; /* gone, or nobody holds it */
                if (why) {
                        end_capture(lab, i, why);
                        ended = true;
                }
        }
        return ended;
}

void lab_captures_stop(struct lab *lab) {
        while (lab->captures.n > 0)
                end_capture(lab, lab->captures.n - 1, "vmnetd stops");
        free(lab->captures.v);
        lab->captures = (struct captures) {};
}

void lab_captures_forget_mirrors(struct lab *lab) {
        link_registry_foreach(rec, &lab->links)
                if (LINK_KINDS_PORTS & LINK_KIND_BIT(rec->kind))
                        for (unsigned p = MIRROR_PRIO_FIRST; p < MIRROR_PRIO_FIRST + MIRROR_PRIO_COUNT; p++)
                                (void)lab->ops->capture_stop(lab, rec->ifindex, p);
}
