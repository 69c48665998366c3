// fuzz-sources: helper/state.c helper/students.c helper/link_registry.c helper/lab_made.c
/* libFuzzer target for the state file parser: any bytes either parse into a
 * table that frees cleanly, or are refused with nothing allocated; what
 * parses is written out again and reads back the same. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct saved_state st, again;
        char *text;

        if (state_parse((const char *)data, size, &st) != 0)
                return 0;
        for (size_t i = 0; i < st.students.n; i++)
                if (strlen(st.students.v[i]->login_tap) >= IFNAMSIZ)
                        __builtin_trap();
        int n = state_format(&st.students, &st.links, &st.made, &text);
        if (n < 0)
                __builtin_trap();
        /* whatever was kept survives a round trip whole */
        if (state_parse(text, (size_t)n, &again) != 0 || again.n_bad_lines != 0 ||
            again.students.n != st.students.n || again.links.n != st.links.n ||
            again.made.n_addresses != st.made.n_addresses || again.made.n_tables != st.made.n_tables)
                __builtin_trap();
        for (size_t i = 0; i < st.students.n; i++)
                if (!students_find(&again.students, st.students.v[i]->user.name))
                        __builtin_trap();
        /* a segment keeps its name and keep, what is on one its segment */
        link_registry_foreach(rec, &st.links) {
                const struct link_record *back = link_registry_by_ifindex(&again.links, rec->ifindex);
                if (!back || back->kind != rec->kind || back->segment != rec->segment || back->keep != rec->keep ||
                    strcmp(back->label, rec->label) != 0 || (rec->kind == LINK_SEGMENT && !rec->label[0]))
                        __builtin_trap();
        }
        saved_state_clear(&again);
        saved_state_clear(&st);
        free(text);
        return 0;
}
