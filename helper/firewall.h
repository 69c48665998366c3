/* nftables through libnftables: one table of our own, `inet vmnet`, made
 * and replaced in one transaction, never touching anyone else's rules;
 * plus the forwarding sysctl where the uplink mode needs it. */
#pragma once
#include <stddef.h>

#include "config.h"

/* The ruleset for c (empty for external: the LAN's own router does it).
 * Returns its length or -ENOSPC. */
int firewall_ruleset(const struct vmnet_config *c, char *buf, size_t size);

/* Installs (or replaces) the table for c and sets forwarding.  0 or -errno. */
int firewall_apply(const struct vmnet_config *c);

/* Removes the table; 0 if there was none. */
int firewall_remove(void);
