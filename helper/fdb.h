/* The bridge's forwarding database: which port each MAC address was last
 * seen on, to tell whose link or tap a guest sits on. */
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

/* The ifindex of the port of the bridge bridge_ifindex behind which mac
 * was learned, into *ret_ifindex: one RTM_GETNEIGH for that entry, which
 * the kernel finds in its hash (reading the whole FDB for it, with the
 * ports' names then from a sysfs file a port, made each new lease's names
 * program take ~10 ms longer at 1000 ports with a MAC each, measured).
 * For many MACs, fdb_read() once and fdb_find().
 * Returns 0, -ENOENT when the bridge has not seen it (or holds it as an
 * address of its own or of a port's), or -errno. */
struct nl_sock;
int fdb_port_of_mac(struct nl_sock *sk, int bridge_ifindex, const uint8_t mac[6], int *ret_ifindex);
