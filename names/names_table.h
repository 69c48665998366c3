/* The lab's names: which lease holds which name for whom, and in what
 * order names were claimed.  Pure (no I/O): names_publish.c loads it from
 * the hosts snapshot, applies one dnsmasq event and writes it back.
 *
 * The rules (the NSS module and dnsmasq's DNS both follow them):
 *   - NAME.USER.DOMAIN is that student's VM called NAME;
 *   - NAME.DOMAIN is the VM that claimed NAME first and still holds its
 *     lease: a later VM of the same name, another student's or not,
 *     never takes it over, nor does a renewal reorder anything;
 *   - a bare NAME on the host answers only the caller's own VMs
 *     (hosts_lookup.h);
 *   - reserved names (localhost, the host's own name, wpad...) are never
 *     published.
 * The claim order is the order of the entries among equal names, which
 * the snapshot keeps (hosts_snapshot_build), so it survives from one
 * event to the next and across restarts. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hosts_snapshot.h"
#include "lease_event.h"
#include "strbuf.h"

struct names_table {
        struct hosts_snapshot_entry *v; /* by name, equal names in claim order */
        size_t n, allocated;
};

/* Names no VM may publish, lowercase labels; n entries. */
struct names_reserved {
        const char *const *names;
        size_t n;
};

/* The owner vmnetd named for the event's MAC; uid HOSTS_OWNER_UNKNOWN (and
 * user "") when it could not tell. */
struct names_owner {
        uint32_t uid;
        const char *user;
};

/* The entries of snapshot s, in its order.  0 or -ENOMEM. */
int names_table_load(struct names_table *t, const struct hosts_snapshot *s);
void names_table_clear(struct names_table *t);

/* Whether t holds snapshot s's entries in the order names_table_load()
 * gives them: an event that left the table so changed nothing worth
 * writing.  Compared with the snapshot itself, not a copy of the table
 * loaded before the event: at 10,000 names the copy was a third of the
 * names program's page faults. */
bool names_table_is_snapshot(const struct names_table *t, const struct hosts_snapshot *s);

/* True if name (a lowercase label) is one no VM may have. */
bool names_reserved_has(const struct names_reserved *r, const char *name);

/* Applies ev: del removes the lease (its MAC and address); add and old
 * update its expiry and owner (an unknown owner keeps the one it had) and,
 * when the guest said so, its name (a new name is a new claim, the last;
 * no name or a reserved one unpublishes it); a lease not in the table yet
 * is added if it has a name.  Another lease at the same address goes (a
 * lost del).  Entries that expired by now go too.  0 or -ENOMEM. */
int names_table_apply(struct names_table *t, const struct lease_event *ev, const struct names_owner *owner,
                      const struct names_reserved *reserved, int64_t now);

/* What dnsmasq serves the VMs, as hosts files: "ADDR NAME.USER.DOMAIN
 * [NAME.DOMAIN]" a line (the second name only for the first claim of
 * NAME; a user who is not a DNS label gets no name of their own), domain
 * "" giving NAME.USER and NAME.  The lines go into NAMES_DNS_SHARDS texts
 * by their address (names_dns_shard()), each beginning with a comment
 * line: dnsmasq rereads a hostsdir file whole whenever it is replaced, in
 * its one thread (2200 names took it 10 ms, DHCP and DNS waiting), and a
 * lease's event changes one file of them, or two when a first claim goes
 * to another lease.  Fills shards (free them with names_dns_shards_free());
 * 0 or -ENOMEM (nothing to free then). */
#define NAMES_DNS_SHARDS 16
int names_table_dns_hosts(const struct names_table *t, const char *domain, struct strbuf shards[NAMES_DNS_SHARDS]);
void names_dns_shards_free(struct strbuf shards[NAMES_DNS_SHARDS]);
/* The text of names_table_dns_hosts() an address (network byte order)
 * goes into: 0 .. NAMES_DNS_SHARDS - 1. */
unsigned names_dns_shard(uint32_t addr);
