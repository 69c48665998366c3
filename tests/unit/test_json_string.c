/* json_string(): every byte a JSON parser would reject comes out escaped,
 * and a short buffer is cut, terminated, and the full length reported. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "json_string.h"

static void check(const char *in, const char *want) {
        char out[128];
        size_t n = json_string(in, out, sizeof out);
        assert_string_equal(out, want);
        assert_int_equal(n, strlen(want));
}

static void test_plain(void **state) {
        (void)state;
        check("tap-alice", "\"tap-alice\"");
        check("", "\"\"");
}

static void test_escapes(void **state) {
        (void)state;
        check("a\"b", "\"a\\\"b\"");
        check("a\\b", "\"a\\\\b\"");
        check("l1\nl2\tx\r", "\"l1\\nl2\\tx\\r\"");
        check("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
        /* UTF-8 passes through untouched */
        check("caf\xc3\xa9", "\"caf\xc3\xa9\"");
}

static void test_short_buffer(void **state) {
        char out[5];
        (void)state;
        memset(out, 'x', sizeof out);
        assert_int_equal(json_string("a\"bc", out, sizeof out), 7);
        assert_string_equal(out, "\"a\\\"");
        assert_int_equal(json_string("abc", NULL, 0), 5);
        memset(out, 'x', sizeof out);
        assert_int_equal(json_string("ab", out, 1), 4);
        assert_int_equal(out[0], 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plain),
                cmocka_unit_test(test_escapes),
                cmocka_unit_test(test_short_buffer),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
