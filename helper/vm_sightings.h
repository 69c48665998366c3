/* Which VMs are on the lab, from what vmnetd can read once per refresh:
 * the bridge's forwarding database (a MAC behind a port), dnsmasq's
 * leases (named or not), the names and owners of the hosts snapshot, and
 * the host's neighbour table (an address a VM was seen using without a
 * lease).  A pure join: lab_view_build.c reads the kernel and files, this
 * decides what the lab view says about each VM. */
#pragma once
#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "hosts_snapshot.h"
#include "lab_view.h"
#include "leases.h"

struct fdb_sighting {
        uint8_t mac[6];
        char port[IFNAMSIZ];   /* the bridge port it was learned on */
};

struct neighbour_sighting {
        uint8_t mac[6];
        struct in_addr addr;
};

/* Since when each MAC has been seen, kept by the caller from one refresh
 * to the next (vm_sightings_join rewrites it). */
struct vm_memory {
        struct vm_memory_entry { uint8_t mac[6]; int64_t since; } *v;
        size_t n;
};

struct vm_sightings {
        const struct fdb_sighting *fdb;
        size_t n_fdb;
        const struct neighbour_sighting *neighbours;
        size_t n_neighbours;
        const struct lease *leases;
        size_t n_leases;
        const struct hosts_snapshot *snapshot;  /* NULL: none */
        const uint8_t (*own_macs)[6];           /* the lab's own links: never a VM */
        size_t n_own_macs;
        int64_t now;
};

/* Adds one lab_view_vm per MAC seen (behind a port or holding a lease)
 * to v, whose students and links are already in place: a VM behind the
 * port of one of them is that student's; one the bridge has not seen is
 * the owner the snapshot names.  Sorted by link, name, MAC.  memory is
 * updated.  Returns 0, or -ENOMEM (v may hold some of them). */
int vm_sightings_join(struct lab_view *v, const struct vm_sightings *in, struct vm_memory *memory);
void vm_memory_clear(struct vm_memory *m);

/* /proc/net/arp (text, len bytes): the complete entries on device dev.
 * *ret is malloc'ed (NULL when none).  -ENOMEM. */
int neighbours_parse_proc_arp(const char *text, size_t len, const char *dev,
                              struct neighbour_sighting **ret, size_t *ret_n);
