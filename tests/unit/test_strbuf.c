/* The growing text buffer (common/strbuf.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "strbuf.h"

static void test_append_and_grow(void **state) {
        (void)state;
        struct strbuf b = {};
        assert_string_equal(strbuf_str(&b), "");
        strbuf_puts(&b, "table ");
        strbuf_put(&b, "inet vmnet", 4);
        strbuf_printf(&b, " %s %u", "x", 42u);
        assert_string_equal(strbuf_str(&b), "table inet x 42");
        assert_int_equal(b.len, strlen("table inet x 42"));
        /* far past the first allocation, byte for byte */
        for (unsigned i = 0; i < 5000; i++)
                strbuf_printf(&b, "%04u", i);
        assert_int_equal(b.len, 15 + 5000 * 4);
        assert_memory_equal(b.data + 15 + 4999 * 4, "4999", 5);
        assert_int_equal(b.error, 0);
        strbuf_reset(&b);
        assert_string_equal(strbuf_str(&b), "");
        strbuf_printf(&b, "%s", "");
        assert_string_equal(strbuf_str(&b), "");
        strbuf_free(&b);
        assert_null(b.data);
}

static void test_error_sticks(void **state) {
        (void)state;
        struct strbuf b = {};
        strbuf_puts(&b, "kept");
        b.error = -ENOMEM;
        strbuf_puts(&b, " lost");
        strbuf_printf(&b, "%d", 1);
        assert_string_equal(strbuf_str(&b), "kept");
        strbuf_reset(&b);
        assert_int_equal(b.error, 0);
        strbuf_free(&b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_append_and_grow),
                cmocka_unit_test(test_error_sticks),
        };
        return cmocka_run_group_tests_name("strbuf", tests, NULL, NULL);
}
