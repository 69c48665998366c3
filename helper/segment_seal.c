/* The segments' seal (see segment_seal.h). */
#define _GNU_SOURCE
#include <stdio.h>

#include "nft.h"
#include "segment.h"
#include "segment_seal.h"

#define NAME "vmnet_segments"

const char *const segment_seal_tables[SEGMENT_SEAL_TABLES] = { "bridge " NAME, "inet " NAME, "arp " NAME };

/* Each table's two chains, early (before anything of the host's): what
 * comes in (by its hook), what goes out; the matches take the link group. */
static const struct {
        const char *in_hook, *in_match, *out_match;
} rules[SEGMENT_SEAL_TABLES] = {
        /* a bridge port: input is what the bridge hands up to the host */
        { "input", "iifname \"" SEGMENT_PORT_PREFIX "*\"", "oifname \"" SEGMENT_PORT_PREFIX "*\"" },
        /* the link, as the host's own interface */
        { "prerouting", "meta iifgroup %#x", "meta oifgroup %#x" },
        { "input", "meta iifgroup %#x", "meta oifgroup %#x" },
};

static void drop_tables(struct strbuf *b) {
        /* adding one first: deleting a table that is not there is an error */
        for (size_t i = 0; i < SEGMENT_SEAL_TABLES; i++)
                strbuf_printf(b, "add table %s\ndelete table %s\n", segment_seal_tables[i], segment_seal_tables[i]);
}

int segment_seal_ruleset(struct strbuf *b) {
        drop_tables(b);
        for (size_t i = 0; i < SEGMENT_SEAL_TABLES; i++) {
                strbuf_printf(b, "table %s {\n  chain in {\n    type filter hook %s priority -300; policy accept;\n    ",
                              segment_seal_tables[i], rules[i].in_hook);
                strbuf_printf(b, rules[i].in_match, SEGMENT_LINK_GROUP);
                strbuf_printf(b, " drop\n  }\n  chain out {\n    type filter hook output priority -300; policy accept;\n    ");
                strbuf_printf(b, rules[i].out_match, SEGMENT_LINK_GROUP);
                strbuf_printf(b, " drop\n  }\n}\n");
        }
        return b->error;
}

static int run(int (*build)(struct strbuf *b)) {
        struct strbuf b = {};
        int r = build(&b);

        if (r >= 0)
                r = nft_run(strbuf_str(&b), 0, NULL);
        strbuf_free(&b);
        return r;
}

static int removal(struct strbuf *b) {
        drop_tables(b);
        return b->error;
}

int segment_seal_apply(void) {
        return run(segment_seal_ruleset);
}

int segment_seal_remove(void) {
        return run(removal);
}
