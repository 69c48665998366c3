/* vmnet-state [FILE]
 *
 * Test tool: prints run_dir/state (default /run/vmnet/state) as vmnetd
 * reads it back — the whole state after its journal, one record a line
 * in the file's own format — and on stderr how many lines it skipped.
 * Tests ask this rather than grep the file, which may still hold records
 * that later ones replaced or removed.  Exit 1 when the file cannot be
 * read or is no state file. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

int main(int argc, char **argv) {
        const char *path = argc > 1 ? argv[1] : "/run/vmnet/state";
        struct saved_state st;
        char *text;
        int r, n;

        if (argc > 2) {
                fprintf(stderr, "usage: vmnet-state [FILE]\n");
                return 2;
        }
        r = state_load(path, &st);
        if (r < 0) {
                fprintf(stderr, "vmnet-state: %s: %s\n", path, strerror(-r));
                return 1;
        }
        n = state_format(&st.students, &st.links, &st.made, &text);
        if (n < 0) {
                saved_state_clear(&st);
                return 1;
        }
        fwrite(text, 1, (size_t)n, stdout);
        if (st.n_bad_lines)
                fprintf(stderr, "vmnet-state: %s: skipped %u lines, the first on line %u\n", path, st.n_bad_lines,
                        st.first_bad_line);
        free(text);
        saved_state_clear(&st);
        return 0;
}
