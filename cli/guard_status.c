/* vmnet status, the guard's part: whether it is on, exam mode, and what it
 * blocked of the caller's VMs, so that a student learns what happened to a
 * frame instead of wondering. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "guard_drop.h"
#include "guard_status.h"
#include "json_string.h"
#include "mac_address.h"

/* The name of the caller's VM with this MAC in the snapshot, or NULL. */
static const char *vm_name(const struct hosts_snapshot *snapshot, uint32_t uid, const uint8_t mac[6]) {
        for (uint32_t i = 0; snapshot && i < snapshot->n_entries; i++) {
                const struct hosts_snapshot_entry *e = &snapshot->entries[i];
                if (e->owner_uid == uid && memcmp(e->mac, mac, 6) == 0)
                        return e->name;
        }
        return NULL;
}

static bool mac_is_none(const uint8_t mac[6]) {
        static const uint8_t none[6];
        return memcmp(mac, none, 6) == 0;
}

void guard_status_text(const struct vmnet_reply *st, const struct hosts_snapshot *snapshot, uint32_t uid) {
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
                const char *name = vm_name(snapshot, uid, d->mac);
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

static void put_json(const char *s) {
        char buf[6 * 128 + 3];
        json_string(s, buf, sizeof buf);
        fputs(buf, stdout);
}

void guard_status_json(const struct vmnet_reply *st, const struct hosts_snapshot *snapshot, uint32_t uid) {
        printf("{\"on\": %s, \"exam\": %s, \"blocked\": [", st->guard & VMNET_GUARD_ON ? "true" : "false",
               st->guard & VMNET_GUARD_EXAM ? "true" : "false");
        for (unsigned i = 0; i < st->n_drops; i++) {
                const struct vmnet_drop_info *d = &st->drops[i];
                const char *name = vm_name(snapshot, uid, d->mac), *kind = guard_drop_name(d->kind);
                char mac[MAC_ADDRESS_STRLEN];
                mac_address_format(d->mac, mac);
                printf("%s{\"vm\": ", i ? ", " : "");
                if (name)
                        put_json(name);
                else
                        printf("null");
                printf(", \"mac\": ");
                if (mac_is_none(d->mac))
                        printf("null");
                else
                        put_json(mac);
                printf(", \"kind\": ");
                put_json(kind ? kind : "unknown");
                printf(", \"what\": ");
                put_json(guard_drop_sentence(d->kind));
                printf(", \"frames\": %u}", (unsigned)d->frames);
        }
        printf("]}");
}
