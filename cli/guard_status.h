/* vmnet status: the lab segment's guard (guard_status.c). */
#pragma once

#include "json_writer.h"
#include "lab_view.h"
#include "protocol.h"

/* The guard's lines of `vmnet status`, VMs named from the caller's part of
 * the lab view (may be NULL). */
void guard_status_text(const struct vmnet_reply *st, const struct lab_view *mine);
/* The same as the member key of a JSON object:
 * {"on", "exam", "blocked": [{vm, mac, kind, what, frames}]}. */
void guard_status_json(struct json_writer *w, const char *key, const struct vmnet_reply *st,
                       const struct lab_view *mine);
