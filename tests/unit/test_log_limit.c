/* helper/log_limit.c: one uid gets LOG_LIMIT_BURST messages per interval,
 * the rest are counted and told with the next one that goes out; other
 * uids are not held back by it, and a forgotten uid starts afresh. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "log_limit.h"

static void test_burst_then_held_back(void **state) {
        static struct log_limit l;
        unsigned suppressed = 99;
        (void)state;

        for (unsigned i = 0; i < LOG_LIMIT_BURST; i++) {
                assert_true(log_limit_allow(&l, 1000, 5, &suppressed));
                assert_int_equal(suppressed, 0);
        }
        for (unsigned i = 0; i < 500; i++)
                assert_false(log_limit_allow(&l, 1000, 6 + i, &suppressed));
        /* another student is not held back by the first one's flood */
        assert_true(log_limit_allow(&l, 2000, 600, &suppressed));
        assert_int_equal(suppressed, 0);
        /* the next interval: the count of what was held back comes along */
        assert_true(log_limit_allow(&l, 1000, 5 + LOG_LIMIT_INTERVAL_MS, &suppressed));
        assert_int_equal(suppressed, 500);
        assert_true(log_limit_allow(&l, 1000, 6 + LOG_LIMIT_INTERVAL_MS, &suppressed));
        assert_int_equal(suppressed, 0);
}

static void test_many_uids(void **state) {
        static struct log_limit l;
        unsigned suppressed;
        (void)state;

        /* more uids than it remembers: the least recent is forgotten, never
         * a crash or a refusal of a new one */
        for (unsigned uid = 1; uid <= 3 * LOG_LIMIT_UIDS; uid++)
                assert_true(log_limit_allow(&l, uid, uid, &suppressed));
        for (unsigned i = 0; i < LOG_LIMIT_BURST; i++)
                (void)log_limit_allow(&l, 7, 1000, &suppressed);
        assert_false(log_limit_allow(&l, 7, 1001, &suppressed));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_burst_then_held_back),
                cmocka_unit_test(test_many_uids),
        };
        return cmocka_run_group_tests_name("log_limit", tests, NULL, NULL);
}
