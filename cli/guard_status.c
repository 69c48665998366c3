/* vmnet status, the guard's part: whether it is on, exam mode, and what it
 * blocked of the caller's VMs, so that a student learns what happened to a
 * frame instead of wondering. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "guard_drop.h"
#include "guard_status.h"
#include "mac_address.h"

/* The name of the caller's VM with this MAC, or NULL (none, or nameless). */
static const char *vm_name(const struct lab_view *mine, const uint8_t mac[6]) {
        for (size_t i = 0; mine && i < mine->n_vms; i++)
                if (memcmp(mine->vms[i].mac, mac, 6) == 0 && mine->vms[i].name[0])
                        return mine->vms[i].name;
        return NULL;
}

static bool mac_is_none(const uint8_t mac[6]) {
        static const uint8_t none[6];
        return memcmp(mac, none, 6) == 0;
}

void guard_status_text(const struct vmnet_reply *st, const struct lab_view *mine) {
        if (!(st->guard & VMNET_GUARD_ON)) {
                printf("guard     off: the lab segment trusts every VM (guard = off in vmnet.conf)\n");
                return;
        }
        printf("guard     on%s\n", st->guard & VMNET_GUARD_EXAM
                                           ? "; exam mode: your VMs reach each other, the host and the outside, "
                                             "no other student's"
                                           : "");
        if (st->n_drops == 0) {
                printf("blocked   nothing\n");
                return;
        }
        for (unsigned i = 0; i < st->n_drops; i++) {
                const struct vmnet_drop_info *d = &st->drops[i];
                const char *name = vm_name(mine, d->mac);
                char mac[MAC_ADDRESS_STRLEN];
                mac_address_format(d->mac, mac);
                printf("%s", i ? "          " : "blocked   ");
                if (mac_is_none(d->mac))
                        printf("your VMs");
                else
                        printf("%s (%s)", name ? name : "a VM", mac);
                printf(" %s: %u frame%s blocked\n", guard_drop_sentence(d->kind), (unsigned)d->frames,
                       d->frames == 1 ? "" : "s");
        }
}

void guard_status_json(struct json_writer *w, const char *key, const struct vmnet_reply *st,
                       const struct lab_view *mine) {
        jw_begin_object(w, key);
        jw_bool(w, "on", st->guard & VMNET_GUARD_ON);
        jw_bool(w, "exam", st->guard & VMNET_GUARD_EXAM);
        jw_begin_array(w, "blocked");
        for (unsigned i = 0; i < st->n_drops; i++) {
                const struct vmnet_drop_info *d = &st->drops[i];
                const char *name = vm_name(mine, d->mac), *kind = guard_drop_name(d->kind);
                char mac[MAC_ADDRESS_STRLEN];
                mac_address_format(d->mac, mac);
                jw_begin_object(w, NULL);
                if (name)
                        jw_string(w, "vm", name);
                else
                        jw_null(w, "vm");
                if (mac_is_none(d->mac))
                        jw_null(w, "mac");
                else
                        jw_string(w, "mac", mac);
                jw_string(w, "kind", kind ? kind : "unknown");
                jw_string(w, "what", guard_drop_sentence(d->kind));
                jw_uint(w, "frames", d->frames);
                jw_end_object(w);
        }
        jw_end_array(w);
        jw_end_object(w);
}
