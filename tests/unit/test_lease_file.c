/* lease_file_apply(): the lab's lease file after one event, in dnsmasq's
 * own format: a new lease first, a renewal in its place, a del gone,
 * expired leases and a line cut short dropped, anything else kept. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lease_file.h"

#define NOW 1700000000

static struct lease_event event(enum lease_action action, uint8_t mac_last, const char *addr, int64_t expiry,
                                const char *name, const char *client_id) {
        struct lease_event ev = { .action = action, .mac = { 0x52, 0x54, 0, 0, 0, mac_last }, .expiry = expiry };
        inet_pton(AF_INET, addr, &ev.addr);
        strcpy(ev.lease_name, name);
        strcpy(ev.client_id, client_id);
        return ev;
}

static void assert_applied(const char *before, struct lease_event ev, const char *want) {
        struct strbuf out = {};
        assert_int_equal(lease_file_apply(before, strlen(before), &ev, NOW, &out), 0);
        assert_string_equal(strbuf_str(&out), want);
        strbuf_free(&out);
}

static void test_a_new_lease_goes_first(void **state) {
        (void)state;
        assert_applied("", event(LEASE_ADD, 1, "10.77.0.101", NOW + 3600, "", "01:52:54:00:00:00:01"),
                       "1700003600 52:54:00:00:00:01 10.77.0.101 * 01:52:54:00:00:00:01\n");
        assert_applied("1700003000 52:54:00:00:00:02 10.77.0.102 vm2 *\n",
                       event(LEASE_ADD, 1, "10.77.0.101", 0, "", ""),
                       "0 52:54:00:00:00:01 10.77.0.101 * *\n"
                       "1700003000 52:54:00:00:00:02 10.77.0.102 vm2 *\n");
}

static void test_a_renewal_stays_in_place(void **state) {
        (void)state;
        const char *file = "1700003000 52:54:00:00:00:03 10.77.0.103 * *\n"
                           "1700003000 52:54:00:00:00:01 10.77.0.101 * ff\n"
                           "1700003000 52:54:00:00:00:02 10.77.0.102 vm2 *\n";
        /* the name dnsmasq gave it once vmnet-names wrote its record, a new expiry */
        assert_applied(file, event(LEASE_OLD, 1, "10.77.0.101", NOW + 7200, "vm1", "ff"),
                       "1700003000 52:54:00:00:00:03 10.77.0.103 * *\n"
                       "1700007200 52:54:00:00:00:01 10.77.0.101 vm1 ff\n"
                       "1700003000 52:54:00:00:00:02 10.77.0.102 vm2 *\n");
        /* an address another one begins with is another lease */
        assert_applied("1700003000 52:54:00:00:00:02 10.77.0.10 * *\n", event(LEASE_OLD, 1, "10.77.0.1", 0, "", ""),
                       "0 52:54:00:00:00:01 10.77.0.1 * *\n"
                       "1700003000 52:54:00:00:00:02 10.77.0.10 * *\n");
        /* read as dnsmasq reads it: blanks of any kind and number between the fields */
        assert_applied("1700003000\t52:54:00:00:00:01  10.77.0.101 * *\n1700003000 52:54:00:00:00:02 10.77.0.102 * *\n",
                       event(LEASE_OLD, 1, "10.77.0.101", 0, "", ""),
                       "0 52:54:00:00:00:01 10.77.0.101 * *\n1700003000 52:54:00:00:00:02 10.77.0.102 * *\n");
        /* a second line of the address (never dnsmasq's) goes */
        assert_applied("1700003000 52:54:00:00:00:01 10.77.0.101 * *\n1700003000 52:54:00:00:00:09 10.77.0.101 * *\n",
                       event(LEASE_OLD, 1, "10.77.0.101", 0, "", ""), "0 52:54:00:00:00:01 10.77.0.101 * *\n");
}

static void test_a_del_goes(void **state) {
        (void)state;
        assert_applied("1700003000 52:54:00:00:00:01 10.77.0.101 vm1 *\n"
                       "1700003000 52:54:00:00:00:02 10.77.0.102 vm2 *\n",
                       event(LEASE_DEL, 1, "10.77.0.101", 0, "", ""),
                       "1700003000 52:54:00:00:00:02 10.77.0.102 vm2 *\n");
        assert_applied("", event(LEASE_DEL, 1, "10.77.0.101", 0, "", ""), "");
}

static void test_what_is_dropped_and_kept(void **state) {
        (void)state;
        const char *file = "1699999999 52:54:00:00:00:04 10.77.0.104 old *\n" /* expired */
                           "1700000000 52:54:00:00:00:05 10.77.0.105 now *\n" /* expires now */
                           "0 52:54:00:00:00:06 10.77.0.106 forever *\n"
                           "duid 00:01:00:01:2a:2b:2c:2d\n"
                           "not a lease\n"
                           "\n"
                           "1700003000 52:54:00:00:00:07 10.77.0.107 cut"; /* no newline */
        assert_applied(file, event(LEASE_DEL, 1, "10.77.0.101", 0, "", ""),
                       "0 52:54:00:00:00:06 10.77.0.106 forever *\n"
                       "duid 00:01:00:01:2a:2b:2c:2d\n"
                       "not a lease\n"
                       "\n");
        /* an expiry too long to be one is no expiry: the line stays */
        assert_applied("9999999999999999999 52:54:00:00:00:08 10.77.0.108 * *\n",
                       event(LEASE_DEL, 1, "10.77.0.101", 0, "", ""),
                       "9999999999999999999 52:54:00:00:00:08 10.77.0.108 * *\n");
}

static void test_a_lease_told_again_keeps_the_file(void **state) {
        (void)state;
        struct lease_event ev = event(LEASE_OLD, 1, "10.77.0.101", NOW + 3600, "vm1", "ff");
        const char *own = "1700003600 52:54:00:00:00:01 10.77.0.101 vm1 ff\n";
        /* dnsmasq's start: the line is there as it is; an expired lease
         * waits for the next change */
        char file[256];
        snprintf(file, sizeof file, "1699999999 52:54:00:00:00:04 10.77.0.104 old *\n%s", own);
        struct strbuf out = {};
        assert_int_equal(lease_file_apply(file, strlen(file), &ev, NOW, &out), 1);
        assert_int_equal(out.len, 0);
        /* not when it is there twice, or the file ends cut short */
        snprintf(file, sizeof file, "%s%s", own, own);
        assert_applied(file, ev, own);
        snprintf(file, sizeof file, "%s1700003000 52:54:00:00:00:02 10.77.0.102 cut", own);
        assert_applied(file, ev, own);
        /* nor for part of a line */
        snprintf(file, sizeof file, "1%s", own);
        assert_applied(file, ev, own);
        /* a del always changes it */
        ev.action = LEASE_DEL;
        assert_applied(own, ev, "");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_a_new_lease_goes_first),
                cmocka_unit_test(test_a_renewal_stays_in_place),
                cmocka_unit_test(test_a_del_goes),
                cmocka_unit_test(test_what_is_dropped_and_kept),
                cmocka_unit_test(test_a_lease_told_again_keeps_the_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
