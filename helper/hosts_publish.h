/* vmnetd's half of name resolution: turns dnsmasq's lease file into the
 * hosts snapshot libnss_vmnet reads (common/hosts_snapshot.h). */
#pragma once
#include <stdint.h>
#include <sys/types.h>

#include "hosts_snapshot.h"
#include "leases.h"

/* Tells who owns the tap a guest with this MAC sits on: fills *ret_uid and
 * ret_user (the owner's label, dns_user_label(), NUL-terminated) and
 * returns 0, or returns < 0 for unknown. */
typedef int (*hosts_owner_of_mac_t)(const uint8_t mac[6], uid_t *ret_uid,
                                    char ret_user[HOSTS_USER_MAX + 1], void *userdata);

/* Reads the lease file at leases_path, parses it and writes the snapshot
 * atomically to snapshot_path for domain ("" for none).  dnsmasq rewrites
 * its file in place, so the file is read until two reads in a row agree
 * and end with a whole line, a few bounded times (about 50 ms at most).
 * A missing lease file is no leases.  owner_of_mac may be NULL or fail:
 * that lease is published with owner (uid_t)-1 and no user name.
 *
 * dnsmasq lets one lease at a time hold a host name (a second guest calling
 * itself "vm1" takes the name from the first, whose lease then shows "*"),
 * but two students may well both have a "vm1".  So a lease the file names
 * nothing keeps the name the previous snapshot gave it, as long as its MAC
 * and address are the same.  Other leases without a valid host name are
 * not published.  The generation is the previous snapshot's plus one.
 * Returns 0, -EAGAIN when the lease file never held still, or another
 * negative errno. */
int hosts_publish(const char *leases_path, const char *snapshot_path, const char *domain,
                  hosts_owner_of_mac_t owner_of_mac, void *userdata);

/* Told of every lease of the file, named or not, with its owner
 * ((uid_t)-1: unknown): for the guard's leased addresses. */
typedef void (*hosts_lease_fn)(const struct lease *lease, uid_t owner, void *userdata);

/* hosts_publish, and on_lease (may be NULL) for each lease, with userdata
 * too.  A lease whose MAC owner_of_mac does not know keeps the owner the
 * previous snapshot gave it, as long as its MAC and address stay. */
int hosts_publish_report(const char *leases_path, const char *snapshot_path, const char *domain,
                         hosts_owner_of_mac_t owner_of_mac, hosts_lease_fn on_lease, void *userdata);
