/* The guard table's stamp (see guard_stamp.h). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "guard_stamp.h"
#include "name_hash.h"

void guard_stamp_of(const struct guard_params *p, char ret[GUARD_STAMP_SIZE]) {
        struct guard_params q = *p;
        struct strbuf b = {};
        uint32_t one_student = 0;

        ret[0] = '\0';
        q.isolation = false;
        guard_rules_table(&b, &q, NULL, 0, &one_student, 1);
        if (!b.error)
                snprintf(ret, GUARD_STAMP_SIZE, GUARD_STAMP_PREFIX "%016" PRIx64, name_hash64(strbuf_str(&b)));
        strbuf_free(&b);
}

static bool is_stamp(const struct nft_object *o) {
        return strcmp(o->kind, "chain") == 0 && strncmp(o->name, GUARD_STAMP_PREFIX, strlen(GUARD_STAMP_PREFIX)) == 0;
}

bool guard_stamp_listed(const struct guard_listing *l, const char *stamp) {
        for (size_t i = 0; i < l->n_objects; i++)
                if (is_stamp(&l->objects[i]) && strcmp(l->objects[i].name, stamp) == 0)
                        return true;
        return false;
}

void guard_stamp_put(struct strbuf *b, const struct guard_listing *l, const char *stamp) {
        for (size_t i = 0; l && i < l->n_objects; i++)
                if (is_stamp(&l->objects[i]) && strcmp(l->objects[i].name, stamp) != 0)
                        strbuf_printf(b, "delete chain bridge " GUARD_TABLE " %s\n", l->objects[i].name);
        if (stamp[0])
                strbuf_printf(b, "add chain bridge " GUARD_TABLE " %s\n", stamp);
}

void guard_stamp_bring_up_to_date(struct strbuf *b, const struct guard_params *p, const struct guard_listing *l,
                                  const struct guard_port *ports, size_t n_ports, const uint32_t *uids,
                                  size_t n_uids) {
        /* a new student's chains come with exam mode as p says; those
         * there already get it set */
        for (size_t i = 0; i < n_uids; i++)
                if (!guard_uid_listed(uids[i], l->uids, l->n))
                        guard_rules_student(b, p, uids[i]);
                else
                        guard_rules_isolation(b, p, p->isolation, &uids[i], 1);
        guard_rules_ports_refresh(b, ports, n_ports, uids, n_uids);
}
