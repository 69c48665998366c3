/* leases_parse(): dnsmasq's lease file as it really looks, half-written
 * reads, expired and IPv6 leases; the host name and client ID fields,
 * hostile or claimed twice, change nothing (vmnetd reads no guest's name). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "leases.h"

#define NOW 1700000000

static struct lease *parse(const char *text, size_t *ret_n, bool *ret_complete) {
        struct lease *l = NULL;
        assert_int_equal(leases_parse(text, strlen(text), NOW, &l, ret_n, ret_complete), 0);
        return l;
}

static void assert_addr(const struct lease *l, const char *want) {
        char buf[INET_ADDRSTRLEN];
        assert_non_null(inet_ntop(AF_INET, &l->addr, buf, sizeof buf));
        assert_string_equal(buf, want);
}

static void test_typical(void **state) {
        (void)state;
        size_t n;
        bool complete;
        struct lease *l = parse(
                "1700003600 52:54:00:12:34:01 10.77.0.101 vm1 01:52:54:00:12:34:01\n"
                "1700003500 52:54:00:12:34:02 10.77.0.102 * *\n"
                "0 52:54:00:AB:cd:03 10.77.0.103 Build-Box *\n",
                &n, &complete);
        assert_true(complete);
        assert_int_equal(n, 3);
        assert_int_equal(l[0].expiry, 1700003600);
        const uint8_t mac0[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x01 };
        assert_memory_equal(l[0].mac, mac0, 6);
        assert_addr(&l[0], "10.77.0.101");
        assert_addr(&l[1], "10.77.0.102");
        assert_int_equal(l[2].expiry, 0);
        const uint8_t mac2[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0x03 };
        assert_memory_equal(l[2].mac, mac2, 6);
        assert_addr(&l[2], "10.77.0.103");
        free(l);
}

static void test_empty(void **state) {
        (void)state;
        size_t n = 99;
        bool complete = false;
        struct lease *l = parse("", &n, &complete);
        assert_null(l);
        assert_int_equal(n, 0);
        assert_true(complete);
}

static void test_half_written_last_line(void **state) {
        (void)state;
        const char *full = "1700003600 52:54:00:12:34:01 10.77.0.101 vm1 *\n"
                           "1700003600 52:54:00:12:34:02 10.77.0.102 vm2 *\n";
        /* Every prefix: whole lines parse, the cut line is not a lease, and
         * only a prefix ending at a newline is complete. */
        for (size_t cut = 0; cut <= strlen(full); cut++) {
                struct lease *l = NULL;
                size_t n;
                bool complete;
                assert_int_equal(leases_parse(full, cut, NOW, &l, &n, &complete), 0);
                size_t lines = 0;
                for (size_t i = 0; i < cut; i++)
                        lines += full[i] == '\n';
                assert_int_equal(n, lines);
                assert_int_equal(complete, cut == 0 || full[cut - 1] == '\n');
                free(l);
        }
}

static void test_expired_dropped(void **state) {
        (void)state;
        size_t n;
        bool complete;
        char text[256];
        snprintf(text, sizeof text,
                 "%d 52:54:00:00:00:01 10.77.0.101 old *\n"
                 "%d 52:54:00:00:00:02 10.77.0.102 now *\n"
                 "%d 52:54:00:00:00:03 10.77.0.103 fresh *\n"
                 "0 52:54:00:00:00:04 10.77.0.104 forever *\n",
                 NOW - 1, NOW, NOW + 1);
        struct lease *l = parse(text, &n, &complete);
        assert_int_equal(n, 2);
        assert_addr(&l[0], "10.77.0.103");
        assert_addr(&l[1], "10.77.0.104");
        free(l);
}

static void test_ipv6_and_duid_skipped(void **state) {
        (void)state;
        size_t n;
        bool complete;
        struct lease *l = parse(
                "1700003600 52:54:00:12:34:01 10.77.0.101 vm1 *\n"
                "duid 00:01:00:01:2c:5e:1f:aa:52:54:00:12:34:56\n"
                "1700003600 1234567 fd00::101 vm1v6 00:01:00:01:2c:5e\n"
                "1700003600 52:54:00:12:34:09 fd00::109 vm9 *\n",
                &n, &complete);
        assert_true(complete);
        assert_int_equal(n, 1);
        assert_addr(&l[0], "10.77.0.101");
        free(l);
}

static void test_malformed_lines_skipped(void **state) {
        (void)state;
        size_t n;
        bool complete;
        struct lease *l = parse(
                "\n"
                "   \n"
                "garbage\n"
                "1700003600 52:54:00:12:34 10.77.0.101 shortmac *\n"
                "1700003600 01-52:54:00:12:34:01 10.77.0.101 hwtype *\n"
                "1700003600 52:54:00:12:34:0g 10.77.0.101 badhex *\n"
                "1700003600 52-54-00-12-34-01 10.77.0.101 dashes *\n"
                "-5 52:54:00:12:34:01 10.77.0.101 negative *\n"
                "99999999999999999999 52:54:00:12:34:01 10.77.0.101 overflow *\n"
                "1700003600 52:54:00:12:34:01 10.77.0.256 badip *\n"
                "1700003600 52:54:00:12:34:01 10.77.0 shortip *\n"
                "1700003600 52:54:00:12:34:01 10.77.0.101.5 longip *\n"
                "1700003600 52:54:00:12:34:01 10.77.0.101\n"
                "1700003600 52:54:00:12:34:01 10.77.0.101 a b c\n"
                "1700003600\t52:54:00:12:34:07  10.77.0.107 tabs *\r\n",
                &n, &complete);
        assert_int_equal(n, 1);
        assert_addr(&l[0], "10.77.0.107");
        free(l);
}

/* Whatever a guest put in the name field, the lease is its address alone. */
static void test_name_field_unread(void **state) {
        (void)state;
        char long_name[200];
        memset(long_name, 'a', sizeof long_name - 1);
        long_name[sizeof long_name - 1] = '\0';
        const char *names[] = {
                "vm1", "-lead", "dot.ted", "under_score", "sp\x01" "ce", "caf\xc3\xa9", "x/y", "..", "a;rm",
                "%s%n", long_name,
        };
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
                char text[512];
                size_t n;
                bool complete;
                snprintf(text, sizeof text, "0 52:54:00:12:34:01 10.77.0.101 %s 01:52:54:00:12:34:01\n", names[i]);
                struct lease *l = parse(text, &n, &complete);
                assert_int_equal(n, 1);
                assert_addr(&l[0], "10.77.0.101");
                free(l);
        }
}

static void test_nul_in_text(void **state) {
        (void)state;
        const char text[] = "0 52:54:00:12:34:01 10.77.0.101 vm\0x *\n0 52:54:00:12:34:02 10.77.0.102 ok *\n";
        struct lease *l = NULL;
        size_t n;
        bool complete;
        assert_int_equal(leases_parse(text, sizeof text - 1, NOW, &l, &n, &complete), 0);
        assert_int_equal(n, 2);
        assert_addr(&l[1], "10.77.0.102");
        free(l);
}

/* One name on many leases: every lease stays (the names are vmnet-names'). */
static void test_name_claimed_twice(void **state) {
        (void)state;
        size_t n;
        bool complete;
        struct lease *l = parse(
                "1700001000 52:54:00:00:00:01 10.77.0.101 vm1 *\n"
                "1700002000 52:54:00:00:00:02 10.77.0.102 VM1 *\n"
                "0 52:54:00:00:00:03 10.77.0.103 vm1 *\n",
                &n, &complete);
        assert_int_equal(n, 3);
        assert_addr(&l[2], "10.77.0.103");
        free(l);
}

static void test_many(void **state) {
        (void)state;
        size_t cap = 10000 * 64, len = 0;
        char *text = malloc(cap);
        assert_non_null(text);
        for (unsigned i = 0; i < 10000; i++)
                len += (size_t)snprintf(text + len, cap - len, "0 52:54:00:00:%02x:%02x 10.%u.%u.%u vm%u *\n",
                                         i >> 8, i & 0xff, 77, i >> 8, i & 0xff, i);
        struct lease *l = NULL;
        size_t n;
        bool complete;
        assert_int_equal(leases_parse(text, len, NOW, &l, &n, &complete), 0);
        assert_int_equal(n, 10000);
        assert_true(complete);
        assert_addr(&l[9999], "10.77.39.15");
        free(l);
        free(text);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_typical),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_half_written_last_line),
                cmocka_unit_test(test_expired_dropped),
                cmocka_unit_test(test_ipv6_and_duid_skipped),
                cmocka_unit_test(test_malformed_lines_skipped),
                cmocka_unit_test(test_name_field_unread),
                cmocka_unit_test(test_nul_in_text),
                cmocka_unit_test(test_name_claimed_twice),
                cmocka_unit_test(test_many),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
