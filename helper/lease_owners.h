/* The leases dnsmasq gave, each with the student whose VM holds it: what
 * the guard protects (guard_leases()).
 *
 * vmnetd reads dnsmasq's lease file for this alone, and of it only the
 * expiry, MAC and address of each lease (leases.h): no name a guest chose
 * is looked at here (with dhcp-ignore-names dnsmasq writes none).  The
 * lab's names are the names program's (names/), which runs with no
 * capability. */
#pragma once
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "guard_rules.h"

/* Whose VM the MAC is, as lab_owner_of_mac tells it: 0 and *ret_uid, or
 * < 0 for nobody's. */
typedef int (*lease_owner_fn)(const uint8_t mac[6], uid_t *ret_uid, void *userdata);

struct lease_owner {
        uint8_t mac[6];
        struct in_addr addr;
        uint32_t uid;
};

/* The owners the last reading found, kept for the next. */
struct lease_owners {
        struct lease_owner *v;
        size_t n;
};

/* Reads the lease file at path (until two reads agree and end with a
 * whole line: dnsmasq rewrites it in place; an absent file is no lease)
 * and fills *ret (malloc'ed, free() it) with every live lease whose owner
 * is known: by owner_of_mac, or else the owner the last reading found for
 * the same MAC and address (a guest silent for longer than the bridge
 * remembers its MAC).  Returns 0; -EAGAIN when the file never held still
 * (o and *ret untouched: read again shortly); or another -errno. */
int lease_owners_read(struct lease_owners *o, const char *path, lease_owner_fn owner_of_mac, void *userdata,
                      struct guard_lease **ret, size_t *ret_n);

void lease_owners_free(struct lease_owners *o);
