// fuzz-sources: helper/state.c helper/students.c
/* libFuzzer target for the state file parser: any bytes either parse into a
 * table that frees cleanly, or are refused with nothing allocated. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct saved_state st;
        unsigned line;

        if (state_parse((const char *)data, size, &st, &line) == 0) {
                for (size_t i = 0; i < st.students.n; i++)
                        if (strlen(st.students.v[i]->login_tap) >= IFNAMSIZ)
                                __builtin_trap();
                saved_state_clear(&st);
        }
        return 0;
}
