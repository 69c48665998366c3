/* nftables through libnftables: one table of our own, `inet vmnet`, made
 * and replaced in one transaction, never touching anyone else's rules;
 * plus the forwarding sysctl where the uplink mode needs it.
 *
 * nat lets in from outside only replies; nat and routed let out of the
 * lab only lab source addresses; no mode lets anyone but the lab (and the
 * host itself) use the DNS and DHCP on the bridge's address.  When IPv4
 * forwarding was off and vmnetd turned it on (forwarding.h keeps the
 * record, across restarts), the host forwards nothing that neither comes from nor
 * goes to the lab. */
#pragma once
#include <stdbool.h>

#include "config.h"
#include "strbuf.h"

#define FIREWALL_TABLE "inet vmnet" /* "FAMILY NAME", as lab_made.h records tables */

/* Appends the ruleset for c to b (nothing for external: the LAN's own
 * router does it); forwarding_ours: vmnet turned forwarding on.  Returns
 * b->error. */
int firewall_ruleset(const struct vmnet_config *c, bool forwarding_ours, struct strbuf *b);

/* Installs (or replaces) the table for c and sets forwarding: on for nat
 * and routed, back as it was before vmnetd turned it on for the others.
 * 0 or -errno. */
int firewall_apply(const struct vmnet_config *c);

/* Removes the table; 0 if there was none. */
int firewall_remove(void);
