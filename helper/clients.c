/* The client table and its admission rules (see clients.h). */
#define _GNU_SOURCE
#include "clients.h"

static size_t count(const struct clients *cs, uid_t uid, bool other_than_uid) {
        size_t n = 0;

        for (size_t i = 0; i < cs->n; i++)
                if (!cs->v[i]->busy && (cs->v[i]->peer.uid == uid) != other_than_uid)
                        n++;
        return n;
}

enum admission clients_admission(const struct clients *cs, uid_t uid, bool root_socket) {
        size_t served = cs->n - cs->n_busy;

        if (root_socket && uid != 0)
                return REFUSE; /* a mode of 0600 says it cannot happen; if it does, no */
        if (uid == 0)
                return served < CLIENTS_MAX ? ADMIT : REFUSE;
        /* served non-root connections: all but root's */
        if (count(cs, uid, false) < CLIENTS_PER_UID && count(cs, 0, true) < CLIENTS_MAX - CLIENTS_ROOT_RESERVE)
                return ADMIT;
        return cs->n_busy < CLIENTS_BUSY_MAX ? ADMIT_BUSY : REFUSE;
}

bool clients_have_room(const struct clients *cs) {
        return cs->n - cs->n_busy < CLIENTS_MAX || cs->n_busy < CLIENTS_BUSY_MAX;
}

bool clients_add(struct clients *cs, struct client *c) {
        if (cs->n == sizeof cs->v / sizeof cs->v[0])
                return false;
        cs->v[cs->n++] = c;
        cs->n_busy += c->busy;
        return true;
}

struct client *clients_by_id(const struct clients *cs, uint64_t id, size_t *ret_index) {
        for (size_t i = 0; i < cs->n; i++)
                if (cs->v[i]->id == id) {
                        *ret_index = i;
                        return cs->v[i];
                }
        return NULL;
}

struct client *clients_remove(struct clients *cs, size_t index) {
        struct client *c = cs->v[index];

        cs->v[index] = cs->v[--cs->n];
        cs->n_busy -= c->busy;
        return c;
}
