/* vmnet status: the lab segment's guard (guard_status.c). */
#pragma once
#include <stdint.h>

#include "hosts_snapshot.h"
#include "protocol.h"

/* The guard's lines of `vmnet status` for the caller uid, VMs named from
 * snapshot (may be NULL). */
void guard_status_text(const struct vmnet_reply *st, const struct hosts_snapshot *snapshot, uint32_t uid);
/* The same as a JSON object: {"on", "exam", "blocked": [{vm, mac, kind, what, frames}]}. */
void guard_status_json(const struct vmnet_reply *st, const struct hosts_snapshot *snapshot, uint32_t uid);
