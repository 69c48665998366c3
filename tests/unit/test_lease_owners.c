/* lease_owners_read(): the guard's leases from dnsmasq's lease file, each
 * with its owner; a MAC the bridge forgot keeps the owner of the same
 * lease; a half-written file is read again; the names are never read. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lease_owners.h"

static char dir[] = "/tmp/test-lease-owners.XXXXXX";
static char leases_path[64];

static int setup(void **state) {
        (void)state;
        if (!mkdtemp(dir))
                return -1;
        snprintf(leases_path, sizeof leases_path, "%s/dnsmasq.leases", dir);
        return 0;
}

static int teardown(void **state) {
        (void)state;
        unlink(leases_path);
        return rmdir(dir);
}

static void write_leases(const char *text) {
        FILE *f = fopen(leases_path, "we");
        assert_non_null(f);
        assert_true(fputs(text, f) >= 0);
        assert_int_equal(fclose(f), 0);
}

/* Owners by the MAC's last byte: 1 is stu1 (61001), 5 is stu5 (61005),
 * 3 is behind no student's link; others fail too.  Counts the calls. */
static int owner_of_mac(const uint8_t mac[6], uid_t *ret_uid, void *userdata) {
        (*(unsigned *)userdata)++;
        switch (mac[5]) {
        case 1: *ret_uid = 61001; return 0;
        case 5: *ret_uid = 61005; return 0;
        default: return -ENOENT;
        }
}

/* A reading as "ADDRESS=UID ..." in file order. */
static int read_owners(struct lease_owners *o, lease_owner_fn fn, unsigned *calls, char *text, size_t size) {
        struct guard_lease *l = NULL;
        size_t n = 0;
        int r = lease_owners_read(o, leases_path, fn, calls, &l, &n);
        text[0] = '\0';
        for (size_t i = 0; r >= 0 && i < n; i++) {
                char one[48];
                snprintf(one, sizeof one, "%s%s=%u", i ? " " : "", inet_ntoa(l[i].addr), l[i].uid);
                strncat(text, one, size - strlen(text) - 1);
        }
        free(l);
        return r;
}

static void test_every_owned_lease(void **state) {
        (void)state;
        struct lease_owners o = {};
        unsigned calls = 0;
        char got[256];

        write_leases("0 52:54:00:00:00:01 10.77.0.101 vm1 *\n"
                     "0 52:54:00:00:00:05 10.77.0.105 * 01:52:54:00:00:00:05\n"
                     "0 52:54:00:00:00:03 10.77.0.103 vm3 *\n"
                     "1 52:54:00:00:00:06 10.77.0.106 expired *\n"
                     "0 52:54:00:00:00:07 10.77.0.107 bad_name *\n");
        assert_int_equal(read_owners(&o, owner_of_mac, &calls, got, sizeof got), 0);
        /* named or not, whatever the name field holds; nobody's is left out */
        assert_string_equal(got, "10.77.0.101=61001 10.77.0.105=61005");
        assert_int_equal(calls, 4); /* every live lease asked once */
        lease_owners_free(&o);
}

static void test_forgotten_mac_keeps_its_owner(void **state) {
        (void)state;
        struct lease_owners o = {};
        unsigned calls = 0;
        char got[256];

        write_leases("1900000000 52:54:00:00:00:01 10.77.0.101 * *\n"
                     "0 52:54:00:00:00:05 10.77.0.105 * *\n");
        assert_int_equal(read_owners(&o, owner_of_mac, &calls, got, sizeof got), 0);
        assert_string_equal(got, "10.77.0.101=61001 10.77.0.105=61005");
        /* the bridge forgot both MACs: the same leases keep their owners (a
         * renewal, a later expiry, is the same lease) */
        write_leases("1900003600 52:54:00:00:00:01 10.77.0.101 * *\n"
                     "0 52:54:00:00:00:05 10.77.0.105 * *\n");
        assert_int_equal(read_owners(&o, NULL, NULL, got, sizeof got), 0);
        assert_string_equal(got, "10.77.0.101=61001 10.77.0.105=61005");
        /* another address for a MAC, another MAC on an address: other leases */
        write_leases("0 52:54:00:00:00:01 10.77.0.111 * *\n"
                     "0 52:54:00:00:00:09 10.77.0.105 * *\n");
        assert_int_equal(read_owners(&o, NULL, NULL, got, sizeof got), 0);
        assert_string_equal(got, "");
        /* and what was not found is not remembered either */
        write_leases("0 52:54:00:00:00:01 10.77.0.101 * *\n");
        assert_int_equal(read_owners(&o, NULL, NULL, got, sizeof got), 0);
        assert_string_equal(got, "");
        lease_owners_free(&o);
}

static void test_half_written_is_read_again(void **state) {
        (void)state;
        struct lease_owners o = {};
        unsigned calls = 0;
        char got[256];

        write_leases("0 52:54:00:00:00:01 10.77.0.101 vm1 *\n");
        assert_int_equal(read_owners(&o, owner_of_mac, &calls, got, sizeof got), 0);
        write_leases("0 52:54:00:00:00:01 10.77.0.101 vm1 *\n0 52:54:00:00:00:05 10.77.0.1");
        assert_int_equal(read_owners(&o, owner_of_mac, &calls, got, sizeof got), -EAGAIN);
        /* what the last whole reading found stays */
        assert_int_equal(o.n, 1);
        lease_owners_free(&o);
}

static void test_missing_or_empty_file(void **state) {
        (void)state;
        struct lease_owners o = {};
        unsigned calls = 0;
        char got[256];

        unlink(leases_path);
        assert_int_equal(read_owners(&o, owner_of_mac, &calls, got, sizeof got), 0);
        assert_string_equal(got, "");
        write_leases("");
        assert_int_equal(read_owners(&o, owner_of_mac, &calls, got, sizeof got), 0);
        assert_string_equal(got, "");
        assert_int_equal(calls, 0);
        lease_owners_free(&o);
}

/* Many leases, their MACs forgotten: each finds its owner again. */
static void test_many(void **state) {
        (void)state;
        struct lease_owners o = {};
        size_t cap = 5000 * 64, len = 0;
        char *text = malloc(cap);
        struct guard_lease *l = NULL;
        size_t n;
        unsigned calls = 0;

        assert_non_null(text);
        for (unsigned i = 0; i < 5000; i++)
                len += (size_t)snprintf(text + len, cap - len, "0 52:54:00:%02x:%02x:01 10.77.%u.%u * *\n",
                                        i >> 8, i & 0xff, i >> 8, i & 0xff);
        write_leases(text);
        free(text);
        assert_int_equal(lease_owners_read(&o, leases_path, owner_of_mac, &calls, &l, &n), 0);
        assert_int_equal(n, 5000);
        free(l);
        assert_int_equal(lease_owners_read(&o, leases_path, NULL, NULL, &l, &n), 0);
        assert_int_equal(n, 5000);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(l[i].uid, 61001);
        free(l);
        lease_owners_free(&o);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_owned_lease),
                cmocka_unit_test(test_forgotten_mac_keeps_its_owner),
                cmocka_unit_test(test_half_written_is_read_again),
                cmocka_unit_test(test_missing_or_empty_file),
                cmocka_unit_test(test_many),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
