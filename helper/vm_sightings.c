/* Joining what vmnetd sees into the lab view's VMs (see vm_sightings.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mac_index.h"
#include "vm_sightings.h"

void vm_memory_clear(struct vm_memory *m) {
        free(m->v);
        m->v = NULL;
        m->n = 0;
}

static bool same_mac(const uint8_t a[6], const uint8_t b[6]) {
        return memcmp(a, b, 6) == 0;
}

/* What one join looks MACs up in: each source indexed by MAC once, so
 * that a lab of 10,000 leases is not 10,000 scans of 10,000 (each lookup
 * below returns what a scan in array order found first). */
struct join {
        const struct vm_sightings *in;
        struct mac_index own, leases, entries, fdb, neighbours, remembered;
};

static bool is_own(const struct join *j, const uint8_t mac[6]) {
        return mac_index_find(&j->own, mac) < j->own.n;
}

/* Multicast and all-zero sources are no VM (the bridge never learns
 * them, but a lease file can say anything). */
static bool is_vm_mac(const uint8_t mac[6]) {
        static const uint8_t zero[6];
        return !(mac[0] & 1) && !same_mac(mac, zero);
}

static const struct lease *lease_of(const struct join *j, const uint8_t mac[6]) {
        const struct lease *best = NULL;
        for (size_t k = mac_index_find(&j->leases, mac); k < j->leases.n && mac_index_at(&j->leases, k, mac); k++) {
                const struct lease *l = &j->in->leases[mac_index_position(&j->leases, k)];
                /* a MAC with two leases (two client ids): the one that lasts */
                if (!best || l->expiry == 0 || (best->expiry != 0 && l->expiry > best->expiry))
                        best = l;
        }
        return best;
}

/* The snapshot's entry for mac (at addr when addr is not 0). */
static const struct hosts_snapshot_entry *snapshot_entry(const struct join *j, const uint8_t mac[6],
                                                         struct in_addr addr) {
        for (size_t k = mac_index_find(&j->entries, mac); k < j->entries.n && mac_index_at(&j->entries, k, mac);
             k++) {
                const struct hosts_snapshot_entry *e = &j->in->snapshot->entries[mac_index_position(&j->entries, k)];
                if (addr.s_addr == 0 || e->addr == addr.s_addr)
                        return e;
        }
        return NULL;
}

static const struct fdb_sighting *fdb_of(const struct join *j, const uint8_t mac[6]) {
        size_t k = mac_index_find(&j->fdb, mac);
        return k < j->fdb.n ? &j->in->fdb[mac_index_position(&j->fdb, k)] : NULL;
}

static const struct neighbour_sighting *neighbour_of(const struct join *j, const uint8_t mac[6]) {
        size_t k = mac_index_find(&j->neighbours, mac);
        return k < j->neighbours.n ? &j->in->neighbours[mac_index_position(&j->neighbours, k)] : NULL;
}

static uint32_t link_of_port(const struct lab_view *v, const char *port) {
        for (size_t i = 0; i < v->n_links; i++)
                if (port[0] && strcmp(v->links[i].port, port) == 0)
                        return (uint32_t)i;
        return LAB_VIEW_NONE;
}

static int64_t remembered_since(const struct join *j, const struct vm_memory *m, const uint8_t mac[6],
                                int64_t now) {
        size_t k = mac_index_find(&j->remembered, mac);
        return k < j->remembered.n ? m->v[mac_index_position(&j->remembered, k)].since : now;
}

/* Everything known about the VM with mac. */
static void describe(const struct lab_view *v, const struct join *j, const struct vm_memory *memory,
                     const uint8_t mac[6], struct lab_view_vm *ret) {
        const struct fdb_sighting *f = fdb_of(j, mac);
        const struct lease *l = lease_of(j, mac);
        const struct hosts_snapshot_entry *e = snapshot_entry(j, mac, l ? l->addr : (struct in_addr){ 0 });
        struct lab_view_vm m = { .owner_uid = LAB_VIEW_NONE, .link = LAB_VIEW_NONE };

        memcpy(m.mac, mac, 6);
        m.since = remembered_since(j, memory, mac, j->in->now);
        if (f) {
                m.flags |= LAB_VM_SEEN;
                snprintf(m.port, sizeof m.port, "%s", f->port);
                m.link = link_of_port(v, f->port);
        }
        if (m.link != LAB_VIEW_NONE) {
                const struct lab_view_student *s = &v->students[v->links[m.link].student];
                m.owner_uid = s->uid;
                snprintf(m.owner, sizeof m.owner, "%s", s->user);
        } else if (!f && e && e->owner_uid != HOSTS_OWNER_UNKNOWN) {
                /* not on a port now: whose it was when its lease was published */
                m.owner_uid = e->owner_uid;
                snprintf(m.owner, sizeof m.owner, "%s", e->owner);
        }
        if (l) {
                m.flags |= LAB_VM_LEASE;
                m.addr = l->addr;
                m.expiry = l->expiry;
                /* its name is the snapshot's (the names program's): the lease
                 * file names nothing (dhcp-ignore-names) */
                snprintf(m.name, sizeof m.name, "%s", e && l->addr.s_addr == e->addr ? e->name : "");
        } else if (e) {
                /* the names program published a lease the lease file does not
                 * show (yet): the snapshot's word, which the lease gave it */
                m.flags |= LAB_VM_LEASE;
                m.addr.s_addr = e->addr;
                m.expiry = e->expiry;
                snprintf(m.name, sizeof m.name, "%s", e->name);
        } else {
                const struct neighbour_sighting *nb = neighbour_of(j, mac);
                if (nb) {
                        m.flags |= LAB_VM_ADDR_SEEN;
                        m.addr = nb->addr;
                }
        }
        *ret = m;
}

static int compare_vms(const void *a, const void *b) {
        const struct lab_view_vm *x = a, *y = b;
        int r;
        if (x->link != y->link)
                return x->link < y->link ? -1 : 1;
        if ((r = strcmp(x->name[0] ? x->name : "\x7f", y->name[0] ? y->name : "\x7f")) != 0)
                return r;
        return memcmp(x->mac, y->mac, 6);
}

/* Whether candidate i (the FDB's rows, then the leases) has a MAC an
 * earlier candidate had: that one passed the same checks and is in. */
static bool seen_before(const struct join *j, size_t i, const uint8_t mac[6]) {
        size_t in_fdb = mac_index_find(&j->fdb, mac);
        if (i < j->in->n_fdb)
                return mac_index_position(&j->fdb, in_fdb) < i;
        return in_fdb < j->fdb.n ||
               mac_index_position(&j->leases, mac_index_find(&j->leases, mac)) < i - j->in->n_fdb;
}

static void join_clear(struct join *j) {
        mac_index_free(&j->own);
        mac_index_free(&j->leases);
        mac_index_free(&j->entries);
        mac_index_free(&j->fdb);
        mac_index_free(&j->neighbours);
        mac_index_free(&j->remembered);
}

static int join_init(struct join *j, const struct vm_sightings *in, const struct vm_memory *memory) {
        const struct hosts_snapshot *s = in->snapshot;
        *j = (struct join) { .in = in };
        if (mac_index_build(&j->own, in->own_macs, in->n_own_macs, sizeof *in->own_macs, 0) < 0 ||
            mac_index_build(&j->leases, in->leases, in->n_leases, sizeof *in->leases, offsetof(struct lease, mac)) < 0 ||
            mac_index_build(&j->entries, s ? s->entries : NULL, s ? s->n_entries : 0, sizeof *s->entries,
                            offsetof(struct hosts_snapshot_entry, mac)) < 0 ||
            mac_index_build(&j->fdb, in->fdb, in->n_fdb, sizeof *in->fdb, offsetof(struct fdb_sighting, mac)) < 0 ||
            mac_index_build(&j->neighbours, in->neighbours, in->n_neighbours, sizeof *in->neighbours,
                            offsetof(struct neighbour_sighting, mac)) < 0 ||
            mac_index_build(&j->remembered, memory->v, memory->n, sizeof *memory->v,
                            offsetof(struct vm_memory_entry, mac)) < 0) {
                join_clear(j);
                return -ENOMEM;
        }
        return 0;
}

int vm_sightings_join(struct lab_view *v, const struct vm_sightings *in, struct vm_memory *memory) {
        size_t n_candidates = in->n_fdb + in->n_leases, first = v->n_vms;
        struct vm_memory next = { .v = calloc(n_candidates ? n_candidates : 1, sizeof *next.v) };
        struct join j;
        int r = 0;

        if (!next.v || join_init(&j, in, memory) < 0) {
                free(next.v);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n_candidates && r >= 0; i++) {
                const uint8_t *mac = i < in->n_fdb ? in->fdb[i].mac : in->leases[i - in->n_fdb].mac;
                struct lab_view_vm m;
                if (!is_vm_mac(mac) || is_own(&j, mac) || seen_before(&j, i, mac))
                        continue;
                describe(v, &j, memory, mac, &m);
                r = lab_view_add_vm(v, &m);
                if (r == 0) {
                        memcpy(next.v[next.n].mac, mac, 6);
                        next.v[next.n++].since = m.since;
                }
        }
        join_clear(&j);
        if (v->n_vms > first)
                qsort(v->vms + first, v->n_vms - first, sizeof *v->vms, compare_vms);
        vm_memory_clear(memory);
        *memory = next;
        return r == -ENOMEM ? r : 0;
}

int neighbours_parse_proc_arp(const char *text, size_t len, const char *dev,
                              struct neighbour_sighting **ret, size_t *ret_n) {
        struct neighbour_sighting *v = NULL;
        size_t n = 0, cap = 0;
        const char *p = text, *end = text + len;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t line_len = nl ? (size_t)(nl - p) : (size_t)(end - p);
                char line[256], ip[64], mac[64], device[64];
                unsigned type, flags;
                unsigned m[6];
                struct neighbour_sighting s;

                if (line_len < sizeof line) {
                        memcpy(line, p, line_len);
                        line[line_len] = 0;
                        /* IP address, HW type, Flags, HW address, Mask, Device */
                        if (sscanf(line, "%63s 0x%x 0x%x %63s %*s %63s", ip, &type, &flags, mac, device) == 5 &&
                            type == 1 && (flags & 0x2) && strcmp(device, dev) == 0 &&
                            inet_pton(AF_INET, ip, &s.addr) == 1 &&
                            sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6) {
                                for (int k = 0; k < 6; k++)
                                        s.mac[k] = (uint8_t)m[k];
                                if (n == cap) {
                                        size_t want = cap ? cap * 2 : 32;
                                        struct neighbour_sighting *w = realloc(v, want * sizeof *w);
                                        if (!w) {
                                                free(v);
                                                return -ENOMEM;
                                        }
                                        v = w;
                                        cap = want;
                                }
                                v[n++] = s;
                        }
                }
                p += line_len + 1;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}
