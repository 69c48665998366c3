/* MAC addresses to and from text: both cases read, lowercase written,
 * anything else refused without touching the output. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mac_address.h"

static void test_round_trip(void **state) {
        uint8_t mac[6];
        char text[MAC_ADDRESS_STRLEN];
        (void)state;
        assert_int_equal(mac_address_parse("52:55:00:EF:29:0a", 17, mac), 0);
        mac_address_format(mac, text);
        assert_string_equal(text, "52:55:00:ef:29:0a");
}

static void test_refused(void **state) {
        static const char *bad[] = { "", "52:55:00:ef:29", "52:55:00:ef:29:0", "52:55:00:ef:29:0a:",
                                     "52-55-00-ef-29-0a", "52:55:00:ef:29:0g", " 52:55:00:ef:29:0", "vm1" };
        uint8_t mac[6] = { 1, 2, 3, 4, 5, 6 }, before[6] = { 1, 2, 3, 4, 5, 6 };
        (void)state;
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                assert_int_not_equal(mac_address_parse(bad[i], strlen(bad[i]), mac), 0);
                assert_memory_equal(mac, before, 6);
        }
        /* only len bytes count */
        assert_int_equal(mac_address_parse("52:55:00:ef:29:0a trailing", 17, mac), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
