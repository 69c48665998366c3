/* The host takes no part in a student's private segment.  Three tables
 * named vmnet_segments drop, whatever addresses the host has and however
 * ip_forward is set:
 *   bridge  every frame a segment's bridge would hand up to the host from
 *           a port, and every frame the host would send out of one;
 *   inet, arp  everything the host's own stack would take in or send on
 *           a segment's link for VirtualBox and VMware: that link's end is
 *           the host's (their hook shares it with the host), and without
 *           this the host answers ARP for its addresses there (measured).
 * Nothing of the host's answers on a segment, and nothing is routed out of
 * one.  Frames between a segment's ports are bridged as ever, and
 * VirtualBox's hook, which takes its frames before the host's stack does,
 * still gets them.
 *
 * Static rules for all segments, by what every segment's links have: their
 * bridge ports' prefix (SEGMENT_PORT_PREFIX; none of the lab bridge's has
 * it; meta ibrname would need nft_meta_bridge, which not every kernel
 * has) and the links' device group (SEGMENT_LINK_GROUP): nothing to update
 * as segments come and go.  Made with the first segment, recorded like
 * vmnetd's other tables (lab_made.h), kept while vmnetd restarts; --down
 * removes them.  Without them in place, vmnetd makes no segment. */
#pragma once

#include "strbuf.h"

#define SEGMENT_SEAL_TABLES 3
/* "FAMILY NAME", as lab_made.h records tables */
extern const char *const segment_seal_tables[SEGMENT_SEAL_TABLES];

/* Appends the tables' commands (replacing older ones whole, in one
 * transaction) to b.  Returns b->error. */
int segment_seal_ruleset(struct strbuf *b);

/* Installs or replaces the tables.  0 or -errno (logged by nft.h). */
int segment_seal_apply(void);

/* Removes the tables; 0 if there were none. */
int segment_seal_remove(void);
