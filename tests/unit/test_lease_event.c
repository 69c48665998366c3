/* lease_event_parse(): dnsmasq's dhcp-script calls as dnsmasq 2.90 makes
 * them (add/old/del, the environment it sets), the calls the names program
 * ignores, and malformed ones, refused without writing the output. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lease_event.h"

/* The environment of one call: NAME=VALUE strings, NULL-terminated. */
static const char *const *env;

static const char *fake_getenv(const char *name) {
        size_t len = strlen(name);
        for (const char *const *e = env; e && *e; e++)
                if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
                        return *e + len + 1;
        return NULL;
}

static int parse(const char *const argv[], const char *const *environment, struct lease_event *ret) {
        int argc = 0;
        while (argv[argc])
                argc++;
        env = environment;
        return lease_event_parse(argc, (char *const *)argv, fake_getenv, ret);
}

static void assert_refused(const char *const argv[], const char *const *environment, int want) {
        struct lease_event ev, before;
        memset(&ev, 0xa5, sizeof ev);
        before = ev;
        assert_int_equal(parse(argv, environment, &ev), want);
        assert_memory_equal(&ev, &before, sizeof ev);
}

static void test_add_with_supplied_name(void **state) {
        (void)state;
        const char *argv[] = { "vmnet-names", "add", "52:54:00:12:34:56", "10.77.0.23", NULL };
        const char *e[] = { "DNSMASQ_LEASE_EXPIRES=1796123173", "DNSMASQ_SUPPLIED_HOSTNAME=VM-One",
                            "DNSMASQ_INTERFACE=vmnet0", NULL };
        struct lease_event ev;
        assert_int_equal(parse(argv, e, &ev), 0);
        assert_int_equal(ev.action, LEASE_ADD);
        assert_memory_equal(ev.mac, ((const uint8_t[6]) { 0x52, 0x54, 0, 0x12, 0x34, 0x56 }), 6);
        assert_int_equal(ev.addr.s_addr, inet_addr("10.77.0.23"));
        assert_int_equal(ev.expiry, 1796123173);
        assert_true(ev.name_known);
        assert_string_equal(ev.name, "vm-one"); /* names compare lowercase */
}

static void test_old_and_del(void **state) {
        (void)state;
        struct lease_event ev;
        const char *old[] = { "vmnet-names", "old", "52:54:00:12:34:56", "10.77.0.23", NULL };
        const char *renewed[] = { "DNSMASQ_LEASE_EXPIRES=0", "DNSMASQ_SUPPLIED_HOSTNAME=vm1", NULL };
        assert_int_equal(parse(old, renewed, &ev), 0);
        assert_int_equal(ev.action, LEASE_OLD);
        assert_int_equal(ev.expiry, 0); /* an infinite lease */
        assert_string_equal(ev.name, "vm1");

        /* dnsmasq started again (or got SIGHUP): it lost what guests said */
        const char *restarted[] = { "DNSMASQ_LEASE_EXPIRES=1796123173", "DNSMASQ_DATA_MISSING=1", NULL };
        assert_int_equal(parse(old, restarted, &ev), 0);
        assert_false(ev.name_known);

        /* a guest that sends no name has none, and says so */
        const char *unnamed[] = { "DNSMASQ_LEASE_EXPIRES=1796123173", NULL };
        assert_int_equal(parse(old, unnamed, &ev), 0);
        assert_true(ev.name_known);
        assert_string_equal(ev.name, "");

        /* del needs no expiry, and keeps nothing of the lease */
        const char *del[] = { "vmnet-names", "del", "52:54:00:12:34:56", "10.77.0.23", "dnsmasqs", NULL };
        const char *none[] = { NULL };
        assert_int_equal(parse(del, none, &ev), 0);
        assert_int_equal(ev.action, LEASE_DEL);
        assert_false(ev.name_known);
        assert_string_equal(ev.lease_name, "");
        assert_string_equal(ev.client_id, "");
}

/* What the lease file keeps of a lease beside its MAC, address and expiry:
 * dnsmasq's name for it (argv[4]) and its client id, each exactly as a
 * line of the file may hold it, else none ("*" there). */
static void test_client_id_and_lease_name(void **state) {
        (void)state;
        const char *named[] = { "vmnet-names", "old", "52:54:00:12:34:56", "10.77.0.23", "VM1", NULL };
        const char *e[] = { "DNSMASQ_LEASE_EXPIRES=1796123173", "DNSMASQ_CLIENT_ID=01:52:54:00:AB:cd", NULL };
        struct lease_event ev;
        assert_int_equal(parse(named, e, &ev), 0);
        assert_string_equal(ev.lease_name, "vm1");
        assert_string_equal(ev.client_id, "01:52:54:00:ab:cd");

        const char *one_byte[] = { "DNSMASQ_LEASE_EXPIRES=1", "DNSMASQ_CLIENT_ID=ff", NULL };
        assert_int_equal(parse(named, one_byte, &ev), 0);
        assert_string_equal(ev.client_id, "ff");

        const char *bad_ids[] = { "", "0", "01:5", "zz", "01-02", "01:02:", "01::02", "01 02", "01\n1 aa bb",
                                  "0g" };
        for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
                char id_var[64];
                snprintf(id_var, sizeof id_var, "DNSMASQ_CLIENT_ID=%s", bad_ids[i]);
                const char *bad[] = { "DNSMASQ_LEASE_EXPIRES=1", id_var, NULL };
                assert_int_equal(parse(named, bad, &ev), 0);
                assert_string_equal(ev.client_id, "");
        }
        /* 255 bytes fit, 256 do not */
        char longest[32 + 3 * 256];
        size_t len = (size_t)snprintf(longest, sizeof longest, "DNSMASQ_CLIENT_ID=");
        for (int i = 0; i < 255; i++)
                len += (size_t)snprintf(longest + len, sizeof longest - len, i ? ":%02x" : "%02x", i);
        const char *most[] = { "DNSMASQ_LEASE_EXPIRES=1", longest, NULL };
        assert_int_equal(parse(named, most, &ev), 0);
        assert_int_equal(strlen(ev.client_id), LEASE_CLIENT_ID_MAX);
        snprintf(longest + len, sizeof longest - len, ":ff");
        assert_int_equal(parse(named, most, &ev), 0);
        assert_string_equal(ev.client_id, "");

        const char *bad_names[] = { "vm 1", "vm\n1", "vm.lab", "-vm", "*" };
        for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
                const char *argv[] = { "vmnet-names", "old", "52:54:00:12:34:56", "10.77.0.23", bad_names[i], NULL };
                assert_int_equal(parse(argv, e, &ev), 0);
                assert_string_equal(ev.lease_name, "");
        }
        const char *unnamed[] = { "vmnet-names", "add", "52:54:00:12:34:56", "10.77.0.23", NULL };
        const char *no_id[] = { "DNSMASQ_LEASE_EXPIRES=1", NULL };
        assert_int_equal(parse(unnamed, no_id, &ev), 0);
        assert_string_equal(ev.lease_name, "");
        assert_string_equal(ev.client_id, "");
}

static void test_names_that_are_no_label(void **state) {
        (void)state;
        const char *argv[] = { "vmnet-names", "add", "52:54:00:12:34:56", "10.77.0.23", NULL };
        const char *bad[] = { "", "-vm", "vm-", "vm.lab", "vm 1", "v\xc3\xa9", "a_b",
                              "0123456789012345678901234567890123456789012345678901234567890123" };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                char name_var[128];
                snprintf(name_var, sizeof name_var, "DNSMASQ_SUPPLIED_HOSTNAME=%s", bad[i]);
                const char *e[] = { "DNSMASQ_LEASE_EXPIRES=1796123173", name_var, NULL };
                struct lease_event ev;
                assert_int_equal(parse(argv, e, &ev), 0);
                assert_true(ev.name_known);
                assert_string_equal(ev.name, "");
        }
        /* 63 bytes is still a label */
        const char *e[] = { "DNSMASQ_LEASE_EXPIRES=1",
                            "DNSMASQ_SUPPLIED_HOSTNAME=012345678901234567890123456789012345678901234567890123456789012",
                            NULL };
        struct lease_event ev;
        assert_int_equal(parse(argv, e, &ev), 0);
        assert_int_equal(strlen(ev.name), 63);
}

static void test_calls_that_are_no_ipv4_lease(void **state) {
        (void)state;
        const char *e[] = { "DNSMASQ_LEASE_EXPIRES=1796123173", NULL };
        const char *init[] = { "vmnet-names", "init", NULL };
        const char *tftp[] = { "vmnet-names", "tftp", "1024", "10.77.0.23", "/srv/x", NULL };
        const char *arp[] = { "vmnet-names", "arp-add", "52:54:00:12:34:56", "10.77.0.23", NULL };
        const char *v6[] = { "vmnet-names", "add", "00:01:00:01:2a:2b:2c:2d", "fd00::23", NULL };
        const char *ib[] = { "vmnet-names", "add", "32-00:11:22:33:44:55:66:77", "10.77.0.23", NULL };
        const char *iaid[] = { "DNSMASQ_LEASE_EXPIRES=1796123173", "DNSMASQ_IAID=12345", NULL };
        const char *add[] = { "vmnet-names", "add", "52:54:00:12:34:56", "10.77.0.23", NULL };
        assert_refused(init, e, -ENOTSUP);
        assert_refused(tftp, e, -ENOTSUP);
        assert_refused(arp, e, -ENOTSUP);
        assert_refused(v6, e, -ENOTSUP);
        assert_refused(ib, e, -ENOTSUP);
        assert_refused(add, iaid, -ENOTSUP);
}

static void test_malformed(void **state) {
        (void)state;
        const char *e[] = { "DNSMASQ_LEASE_EXPIRES=1796123173", NULL };
        const char *none[] = { NULL };
        const char *big[] = { "DNSMASQ_LEASE_EXPIRES=1234567890123456789", NULL };
        const char *neg[] = { "DNSMASQ_LEASE_EXPIRES=-5", NULL };
        const char *word[] = { "DNSMASQ_LEASE_EXPIRES=soon", NULL };
        const char *add[] = { "vmnet-names", "add", "52:54:00:12:34:56", "10.77.0.23", NULL };
        const char *mac[] = { "vmnet-names", "add", "52:54:00:12:34", "10.77.0.23", NULL };
        const char *ip[] = { "vmnet-names", "add", "52:54:00:12:34:56", "10.77.0", NULL };
        const char *few[] = { "vmnet-names", "add", "52:54:00:12:34:56", NULL };
        const char *many[] = { "vmnet-names", "add", "52:54:00:12:34:56", "10.77.0.23", "a", "b", NULL };
        const char *nothing[] = { "vmnet-names", NULL };
        assert_refused(add, none, -EINVAL); /* add and old need an expiry */
        assert_refused(add, big, -EINVAL);
        assert_refused(add, neg, -EINVAL);
        assert_refused(add, word, -EINVAL);
        assert_refused(mac, e, -EINVAL);
        assert_refused(ip, e, -EINVAL);
        assert_refused(few, e, -EINVAL);
        assert_refused(many, e, -EINVAL);
        assert_refused(nothing, e, -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_add_with_supplied_name),
                cmocka_unit_test(test_old_and_del),
                cmocka_unit_test(test_client_id_and_lease_name),
                cmocka_unit_test(test_names_that_are_no_label),
                cmocka_unit_test(test_calls_that_are_no_ipv4_lease),
                cmocka_unit_test(test_malformed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
