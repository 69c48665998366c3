/* The private segments' seal (helper/segment_seal.c): its text, and the
 * kernel taking it, replacing it and removing it, in a throwaway namespace. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "segment_seal.h"
#include "text_asserts.h"
#include "throwaway_netns.h"

static void test_text(void **state) {
        struct strbuf b = {};
        (void)state;
        assert_int_equal(segment_seal_ruleset(&b), 0);
        const char *r = strbuf_str(&b);
        /* replaced whole, in one transaction */
        assert_in_order(r, "add table bridge vmnet_segments", "delete table bridge vmnet_segments",
                        "table bridge vmnet_segments {");
        /* nothing a segment's bridge ports bring in reaches the host, nothing of the host's goes out on one */
        assert_in_order(r, "table bridge vmnet_segments {", "type filter hook input priority -300; policy accept;",
                        "iifname \"vmns*\" drop", "type filter hook output priority -300; policy accept;",
                        "oifname \"vmns*\" drop");
        /* nor does the host's stack take or send anything on a segment's link (its device group) */
        assert_in_order(r, "table inet vmnet_segments {", "type filter hook prerouting priority -300;",
                        "meta iifgroup 0x766d6e73 drop", "type filter hook output priority -300;",
                        "meta oifgroup 0x766d6e73 drop");
        assert_in_order(r, "table arp vmnet_segments {", "type filter hook input priority -300;",
                        "meta iifgroup 0x766d6e73 drop", "type filter hook output priority -300;",
                        "meta oifgroup 0x766d6e73 drop");
        /* and nothing else: frames between a segment's ports are bridged as ever */
        LACKS(r, "forward");
        LACKS(r, "vmnp");
        LACKS(r, "tap-");
        strbuf_free(&b);
        assert_string_equal(segment_seal_tables[0], "bridge vmnet_segments");
}

static void test_kernel_takes_it(void **state) {
        struct strbuf b = {};
        (void)state;
        assert_int_equal(segment_seal_ruleset(&b), 0);
        struct nft_step steps[] = {
                { strbuf_str(&b), false },
                { strbuf_str(&b), false }, /* replaced, as at a restart */
                { "list ruleset\n", false },
        };
        char out[4096];
        int r = nft_steps_in_netns(steps, 3, out, sizeof out);
        strbuf_free(&b);
        if (r < 0)
                skip();
        assert_int_equal(r, 3);
        HAS(out, "table inet vmnet_segments");
        HAS(out, "table arp vmnet_segments");
        HAS(out, "iifname \"vmns*\" drop");
        HAS(out, "oifname \"vmns*\" drop");
        HAS(out, "iifgroup 1986883187 drop"); /* 0x766d6e73, as nft lists it */
        struct nft_step removal[] = {
                { "add table bridge vmnet_segments\ndelete table bridge vmnet_segments\n"
                  "add table inet vmnet_segments\ndelete table inet vmnet_segments\n"
                  "add table arp vmnet_segments\ndelete table arp vmnet_segments\n", false },
                { "list table inet vmnet_segments\n", true },
        };
        assert_int_equal(nft_steps_in_netns(removal, 2, NULL, 0), 2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_text),
                cmocka_unit_test(test_kernel_takes_it),
        };
        return cmocka_run_group_tests_name("segment_seal", tests, NULL, NULL);
}
