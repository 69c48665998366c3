/* The bridge's forwarding database through sysfs: which port each MAC
 * address was last seen on, to tell whose link or tap a guest sits on. */
#pragma once
#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "vm_sightings.h"

/* Every learned (not local) entry of bridge, with its port's name, in one
 * pass: *ret is malloc'ed (NULL when there are none).  -errno. */
int fdb_read(const char *bridge, struct fdb_sighting **ret, size_t *ret_n);

/* Sorts v by MAC, for fdb_find. */
void fdb_sort(struct fdb_sighting *v, size_t n);
/* The entry of mac in v (sorted by fdb_sort), or NULL. */
const struct fdb_sighting *fdb_find(const struct fdb_sighting *v, size_t n, const uint8_t mac[6]);

/* Fills ret_port with the name of the port of bridge behind which mac was
 * learned (one whole read of the FDB: for many MACs, read once and use
 * fdb_find).  Returns 0, or -ENOENT when the bridge has not seen it. */
int fdb_port_of_mac(const char *bridge, const uint8_t mac[6], char ret_port[IFNAMSIZ]);
