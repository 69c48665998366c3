/* The guard and the lab together (see lab.h): the guard's ports are the
 * registry's, its host MAC the bridge's, and what it drops is told with
 * the student's and the VM's names. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "cleanup.h"
#include "clock.h"
#include "guard.h"
#include "hosts_snapshot.h"
#include "lab.h"
#include "lab_ops.h"
#include "log.h"
#include "mac_address.h"

/* The registry's ports: every link of vmnetd's that is a port of the lab
 * bridge, with the student it was made for. */
static int registry_ports(const struct lab *lab, struct guard_port **ret, size_t *ret_n) {
        struct guard_port *v = calloc(lab->links.n + 1, sizeof *v);
        size_t n = 0;

        if (!v)
                return -ENOMEM;
        link_registry_foreach(rec, &lab->links)
                if (LINK_KINDS_PORTS & LINK_KIND_BIT(rec->kind)) {
                        strcpy(v[n].name, rec->name);
                        v[n++].uid = (uint32_t)rec->owner;
                }
        *ret = v;
        *ret_n = n;
        return 0;
}

/* The address a port has now, for the ports the guard has and saw none
 * of yet (new ones, or adopted at start): a change from it is what it
 * watches.  (Not for ports a sync left for the next: a class's waiting
 * ports would be read again after every sync.) */
static void note_addresses(struct lab *lab) {
        link_registry_foreach(rec, &lab->links) {
                struct kernel_link now;
                uint32_t uid;
                if ((LINK_KINDS_PORTS & LINK_KIND_BIT(rec->kind)) && guard_port_owner(lab->guard, rec->name, &uid) &&
                    !guard_port_address_known(lab->guard, rec->name) &&
                    lab->ops->link_get(lab, rec->ifindex, &now) >= 0)
                        (void)guard_port_address_stolen(lab->guard, rec->name, now.address);
        }
}

/* The table is in the state's records while it is there, for --down. */
static void record_table(struct lab *lab) {
        if (lab->guard->on)
                lab_table_made(lab, GUARD_TABLE_NAME);
        else
                lab_table_removed(lab, GUARD_TABLE_NAME);
}

static void sync_now(struct lab *lab, size_t max_new) {
        struct guard_port *ports;
        size_t n;

        if (registry_ports(lab, &ports, &n) < 0)
                return; /* again at the next change */
        (void)guard_sync_ports(lab->guard, ports, n, max_new);
        free(ports);
        note_addresses(lab);
        if (!lab->guard->ports_left)
                lab->guard_changes = lab->links.changes;
}

int lab_guard_start(struct lab *lab) {
        struct kernel_link bridge = {};
        struct guard_port *ports;
        size_t n;
        int r;

        if (!lab->guard)
                return 0;
        r = link_get(lab->nl, lab->bridge_ifindex, NULL, &bridge);
        if (r < 0)
                return log_error_errno(r, "guard: cannot read the bridge's MAC: %m");
        r = registry_ports(lab, &ports, &n);
        if (r < 0)
                return r;
        r = guard_start(lab->guard, &lab->config, bridge.address, ports, n);
        free(ports);
        note_addresses(lab);
        lab->guard_changes = lab->links.changes;
        record_table(lab);
        return r;
}

void lab_guard_reload(struct lab *lab) {
        struct kernel_link bridge = {};
        uint8_t mac[6];

        if (!lab->guard)
                return;
        memcpy(mac, lab->guard->params.host_mac, 6);
        /* while off the guard follows no port (lab_guard_sync): it learns
         * the lab's ports now, before a table is built from them */
        if (!lab->guard->on && lab->guard_changes != lab->links.changes)
                sync_now(lab, GUARD_SYNC_STUDENTS_IDLE);
        if (link_get(lab->nl, lab->bridge_ifindex, NULL, &bridge) < 0)
                log_warn("guard: cannot read the bridge's MAC; keeping the one it had");
        else
                memcpy(mac, bridge.address, 6);
        (void)guard_reload(lab->guard, &lab->config, mac);
        if (lab->guard_changes != lab->links.changes)
                sync_now(lab, GUARD_SYNC_STUDENTS_IDLE);
        record_table(lab);
}

/* Has a port of the registry a name the guard knows as another student's
 * port (one gone, the name given again)? */
static bool name_came_back(const struct lab *lab) {
        link_registry_foreach(rec, &lab->links) {
                uint32_t uid;
                if ((LINK_KINDS_PORTS & LINK_KIND_BIT(rec->kind)) && guard_port_owner(lab->guard, rec->name, &uid) &&
                    uid != (uint32_t)rec->owner)
                        return true;
        }
        return false;
}

/* A sync costs O(ports) whatever it carries (the kernel validates the
 * whole table, libnftables reads it back): 20-30 ms at 1000 students,
 * which every request arriving meanwhile waits out.  While requests keep
 * coming, the next one waits this long after the last: a class of 1000
 * logging in met a sync every 60-90 ms before, its p99 the sync's time
 * (measured).  When requests pause it goes at once, with more students. */
#define GUARD_SYNC_BUSY_MS 1000

/* Links waiting to be deleted go first: their ports pass nothing once
 * gone, and a mass logout's batches must not wait behind the guard. */
static bool deletions_first(const struct lab *lab) {
        return lab_has_deletions(lab) && !name_came_back(lab);
}

/* A guard that is off follows no port: a sync would cost O(ports) for
 * nothing on every loop round of a class logging in (a tenth of vmnetd's
 * time at 1000 students, measured); lab_guard_reload catches up. */
static bool following(const struct lab *lab) {
        return lab->guard && lab->guard->on;
}

void lab_guard_sync(struct lab *lab, bool idle) {
        if (!following(lab) || lab->guard_changes == lab->links.changes || deletions_first(lab))
                return;
        if (!idle && now_ms() < lab->guard_sync_after_ms && !name_came_back(lab))
                return;
        sync_now(lab, idle ? GUARD_SYNC_STUDENTS_IDLE : GUARD_SYNC_STUDENTS_MAX);
        lab->guard_sync_after_ms = now_ms() + GUARD_SYNC_BUSY_MS;
}

long long lab_guard_sync_due(const struct lab *lab) {
        if (!following(lab) || lab->guard_changes == lab->links.changes || lab_has_deletions(lab))
                return -1; /* the deletions' own timer wakes the loop */
        return lab->guard_sync_after_ms; /* or sooner, when requests pause */
}

void lab_guard_link_event(struct lab *lab, const struct kernel_link *event, bool deleted) {
        struct kernel_link now;

        if (!following(lab) || !event || deleted)
                return;
        /* a port of the registry's the guard has not synced yet: watched from
         * its first event on (its address then is its first) */
        const struct link_record *port = link_registry_by_ifindex(&lab->links, event->ifindex);
        if (port && (LINK_KINDS_PORTS & LINK_KIND_BIT(port->kind)) && strcmp(port->name, event->name) == 0)
                (void)guard_port_watch(lab->guard, port->name, (uint32_t)port->owner);
        /* what the event says changed; then what is there now (a change comes
         * with several events, and the address may have moved on) */
        if (!guard_port_address_stolen(lab->guard, event->name, event->address) ||
            lab->ops->link_get(lab, event->ifindex, &now) < 0 || memcmp(now.address, event->address, 6) != 0)
                return;
        const struct link_record *rec = link_registry_by_ifindex(&lab->links, event->ifindex);
        struct user_info owner = {};
        char was[MAC_ADDRESS_STRLEN];
        uint8_t fresh[6];
        if (!rec || lab->ops->user_by_uid(rec->owner, &owner) < 0)
                snprintf(owner.name, sizeof owner.name, "uid %u", rec ? (unsigned)rec->owner : 0u);
        mac_address_format(event->address, was);
        mac_address_random(fresh); /* of vmnet's own: locally administered, like the bridge's */
        int r = link_set_address(lab->nl, event->ifindex, fresh);
        if (r < 0)
                log_error_errno(r, "guard: %s set the address of %s to %s, which is another's, and it cannot be "
                                "changed back: %m", owner.name, event->name, was);
        else
                log_warn("guard: %s set the address of %s to %s, which is another's: given a fresh one", owner.name,
                         event->name, was);
}

/* "stu1's vm3 (52:54:00:12:34:56)": the VM is named only when the
 * snapshot says it is the same student's (a MAC stolen from another
 * student's VM must not be told with that VM's name). */
static void describe(uint32_t uid, const uint8_t mac[6], char *ret, size_t size, void *userdata) {
        const struct lab *lab = userdata;
        struct user_info user = {};
        struct hosts_snapshot_file f = {};
        char m[MAC_ADDRESS_STRLEN], name[DNS_LABEL_MAX + 1] = "";
        static const uint8_t none[6];

        if (lab->ops->user_by_uid(uid, &user) < 0)
                snprintf(user.name, sizeof user.name, "uid %u", (unsigned)uid);
        if (memcmp(mac, none, 6) == 0) {
                snprintf(ret, size, "%s's VMs", user.name);
                return;
        }
        char path[PATH_MAX + 8];
        snprintf(path, sizeof path, "%s/hosts", lab->config.run_dir);
        if (hosts_snapshot_file_open(path, &f) >= 0) {
                for (uint32_t i = 0; i < f.view.n_entries && !name[0]; i++) {
                        const struct hosts_snapshot_entry *e = &f.view.entries[i];
                        if (memcmp(e->mac, mac, 6) == 0 && e->owner_uid == uid)
                                snprintf(name, sizeof name, "%s", e->name);
                }
                hosts_snapshot_file_close(&f);
        }
        mac_address_format(mac, m);
        snprintf(ret, size, "%s's %s (%s)", user.name, name[0] ? name : "VM", m);
}

void lab_guard_read_drops(struct lab *lab, long long now_ms) {
        if (lab->guard)
                (void)guard_read_drops(lab->guard, now_ms, describe, lab);
}

int lab_set_isolation(struct lab *lab, const struct user_info *by, bool on) {
        int r;

        if (!lab->guard || !lab->guard->on)
                return -ENOTCONN;
        r = guard_set_isolation(lab->guard, on);
        if (r < 0)
                return log_error_errno(r, "guard: cannot switch exam mode %s: %m", on ? "on" : "off");
        log_info("guard: exam mode %s, switched by %s", on ? "on" : "off", by->name);
        return 0;
}

static int more_frames(const void *a, const void *b) {
        const struct nft_drop_count *x = a, *y = b;
        return x->packets < y->packets ? 1 : x->packets > y->packets ? -1 : 0;
}

#define STATUS_FRESH_MS 1000 /* a student's status reads the counters again when older */

void lab_guard_status(struct lab *lab, uid_t uid, struct vmnet_reply *ret) {
        struct nft_drop_count mine[VMNET_DROPS_MAX * 4];
        size_t n;

        ret->guard = 0;
        ret->n_drops = 0;
        if (!lab->guard || !lab->guard->on)
                return;
        ret->guard = VMNET_GUARD_ON | (guard_isolation(lab->guard) ? VMNET_GUARD_EXAM : 0);
        long long now = now_ms();
        if (now - lab->guard->read_ms >= STATUS_FRESH_MS)
                lab_guard_read_drops(lab, now);
        n = guard_drops_of(lab->guard, (uint32_t)uid, mine, ELEMENTSOF(mine));
        /* the biggest counters when there are more than a reply holds */
        qsort(mine, n, sizeof mine[0], more_frames);
        for (size_t i = 0; i < n && ret->n_drops < VMNET_DROPS_MAX; i++) {
                struct vmnet_drop_info *d = &ret->drops[ret->n_drops++];
                memcpy(d->mac, mine[i].mac, 6);
                d->kind = mine[i].kind;
                d->frames = mine[i].packets > UINT32_MAX ? UINT32_MAX : (uint32_t)mine[i].packets;
        }
}
