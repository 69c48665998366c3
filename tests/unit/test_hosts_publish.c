/* hosts_publish(): lease file in, snapshot out, owners through the
 * callback; a half-written lease file is not published. */
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

#include "hosts_publish.h"

static char dir[] = "/tmp/test-hosts-publish.XXXXXX";
static char leases_path[64], snapshot_path[64];

static int setup(void **state) {
        (void)state;
        if (!mkdtemp(dir))
                return -1;
        snprintf(leases_path, sizeof leases_path, "%s/dnsmasq.leases", dir);
        snprintf(snapshot_path, sizeof snapshot_path, "%s/hosts", dir);
        return 0;
}

static int teardown(void **state) {
        (void)state;
        unlink(leases_path);
        unlink(snapshot_path);
        return rmdir(dir);
}

static void write_leases(const char *text) {
        FILE *f = fopen(leases_path, "we");
        assert_non_null(f);
        assert_int_equal(fputs(text, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
}

/* Owners by the MAC's last byte: 1 is stu1, 2 is stu2, 3 fails, 4 writes a
 * user name without a NUL, 5 is stu5. */
static int owner_of_mac(const uint8_t mac[6], uid_t *ret_uid, char ret_user[HOSTS_USER_MAX + 1], void *userdata) {
        (*(unsigned *)userdata)++;
        switch (mac[5]) {
        case 1:
                *ret_uid = 61001;
                strcpy(ret_user, "stu1");
                return 0;
        case 2:
                *ret_uid = 61002;
                strcpy(ret_user, "stu2");
                return 0;
        case 4:
                *ret_uid = 61004;
                memset(ret_user, 'x', HOSTS_USER_MAX + 1);
                return 0;
        case 5:
                *ret_uid = 61005;
                strcpy(ret_user, "stu5");
                return 0;
        default:
                return -ENOENT;
        }
}

static const struct hosts_snapshot_entry *lookup(const struct hosts_snapshot_file *f, const char *name) {
        size_t first;
        if (hosts_snapshot_find_name(&f->view, name, &first) != 1)
                return NULL;
        return &f->view.entries[f->view.by_name[first]];
}

static void test_publish(void **state) {
        (void)state;
        unsigned calls = 0;
        struct hosts_snapshot_file f;
        write_leases("0 52:54:00:00:00:01 10.77.0.101 vm1 *\n"
                     "0 52:54:00:00:00:02 10.77.0.102 VM2 01:52:54:00:00:00:02\n"
                     "0 52:54:00:00:00:03 10.77.0.103 vm3 *\n"
                     "0 52:54:00:00:00:04 10.77.0.104 vm4 *\n"
                     "0 52:54:00:00:00:05 10.77.0.105 * *\n"
                     "1 52:54:00:00:00:06 10.77.0.106 expired *\n"
                     "0 52:54:00:00:00:07 10.77.0.107 bad_name *\n");
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "lab", owner_of_mac, &calls), 0);
        assert_int_equal(calls, 6); /* every live lease is looked up (the guard's too), named or not */
        assert_int_equal(hosts_snapshot_file_open(snapshot_path, &f), 0);
        assert_int_equal(f.view.n_entries, 4);
        assert_string_equal(f.view.header->domain, "lab");
        assert_int_equal(f.view.header->generation, 1);
        const struct hosts_snapshot_entry *e = lookup(&f, "vm1");
        assert_non_null(e);
        assert_int_equal(e->owner_uid, 61001);
        assert_string_equal(e->owner, "stu1");
        assert_int_equal(e->addr, inet_addr("10.77.0.101"));
        e = lookup(&f, "vm2");
        assert_non_null(e);
        assert_string_equal(e->owner, "stu2");
        e = lookup(&f, "vm3");
        assert_non_null(e);
        assert_int_equal(e->owner_uid, HOSTS_OWNER_UNKNOWN);
        assert_string_equal(e->owner, "");
        e = lookup(&f, "vm4");
        assert_non_null(e);
        assert_int_equal(strlen(e->owner), HOSTS_USER_MAX);
        assert_null(lookup(&f, "expired"));
        hosts_snapshot_file_close(&f);

        /* again, without a callback: a new generation; a lease whose MAC
         * the bridge no longer knows keeps the owner it had (same MAC and
         * address), one that had none still has none */
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "", NULL, NULL), 0);
        assert_int_equal(hosts_snapshot_file_open(snapshot_path, &f), 0);
        assert_int_equal(f.view.header->generation, 2);
        assert_string_equal(f.view.header->domain, "");
        e = lookup(&f, "vm1");
        assert_non_null(e);
        assert_int_equal(e->owner_uid, 61001);
        assert_string_equal(e->owner, "stu1");
        e = lookup(&f, "vm3");
        assert_non_null(e);
        assert_int_equal(e->owner_uid, HOSTS_OWNER_UNKNOWN);
        hosts_snapshot_file_close(&f);
        /* another address for vm1's MAC: another lease, no owner carried over */
        write_leases("0 52:54:00:00:00:01 10.77.0.111 vm1 *\n");
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "", NULL, NULL), 0);
        assert_int_equal(hosts_snapshot_file_open(snapshot_path, &f), 0);
        e = lookup(&f, "vm1");
        assert_non_null(e);
        assert_int_equal(e->owner_uid, HOSTS_OWNER_UNKNOWN);
        hosts_snapshot_file_close(&f);
}

/* Every live lease, named or not, reaches on_lease with its owner. */
struct seen_leases {
        unsigned calls;       /* owner_of_mac's count, first */
        char text[256];
};

static void on_lease(const struct lease *l, uid_t owner, void *userdata) {
        struct seen_leases *s = userdata;
        char one[48];
        snprintf(one, sizeof one, "%s%s=%d", s->text[0] ? " " : "", inet_ntoa(l->addr), (int)owner);
        strncat(s->text, one, sizeof s->text - strlen(s->text) - 1);
}

static void test_every_lease_reported(void **state) {
        (void)state;
        struct seen_leases s = {};
        unlink(snapshot_path);
        write_leases("0 52:54:00:00:00:01 10.77.0.101 vm1 *\n"
                     "0 52:54:00:00:00:05 10.77.0.105 * *\n"
                     "0 52:54:00:00:00:03 10.77.0.103 vm3 *\n"
                     "1 52:54:00:00:00:06 10.77.0.106 expired *\n");
        assert_int_equal(hosts_publish_report(leases_path, snapshot_path, "lab", owner_of_mac, on_lease, &s), 0);
        assert_string_equal(s.text, "10.77.0.101=61001 10.77.0.105=61005 10.77.0.103=-1");
}

static void test_half_written_is_not_published(void **state) {
        (void)state;
        struct hosts_snapshot_file f;
        write_leases("0 52:54:00:00:00:01 10.77.0.101 vm1 *\n");
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "lab", NULL, NULL), 0);
        write_leases("0 52:54:00:00:00:01 10.77.0.101 vm1 *\n0 52:54:00:00:00:02 10.77.0.1");
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "lab", NULL, NULL), -EAGAIN);
        /* the previous snapshot stays */
        assert_int_equal(hosts_snapshot_file_open(snapshot_path, &f), 0);
        assert_int_equal(f.view.n_entries, 1);
        hosts_snapshot_file_close(&f);
}

static void test_missing_or_empty_lease_file(void **state) {
        (void)state;
        struct hosts_snapshot_file f;
        unlink(leases_path);
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "lab", NULL, NULL), 0);
        assert_int_equal(hosts_snapshot_file_open(snapshot_path, &f), 0);
        assert_int_equal(f.view.n_entries, 0);
        hosts_snapshot_file_close(&f);
        write_leases("");
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "lab", NULL, NULL), 0);
        assert_int_equal(hosts_snapshot_file_open(snapshot_path, &f), 0);
        assert_int_equal(f.view.n_entries, 0);
        hosts_snapshot_file_close(&f);
}

static void test_bad_domain(void **state) {
        (void)state;
        write_leases("");
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "bad domain", NULL, NULL), -EINVAL);
        assert_int_equal(hosts_publish(leases_path, "/nonexistent-dir/hosts", "lab", NULL, NULL), -ENOENT);
}

/* The entries named name, as "OWNER@ADDRESS ...", in snapshot order. */
static void expect_owners_of(const char *name, const char *want) {
        struct hosts_snapshot_file f;
        char got[128] = "";
        size_t first, n;

        assert_int_equal(hosts_snapshot_file_open(snapshot_path, &f), 0);
        n = hosts_snapshot_find_name(&f.view, name, &first);
        for (size_t i = first; i < first + n; i++) {
                const struct hosts_snapshot_entry *e = &f.view.entries[f.view.by_name[i]];
                char one[48];
                snprintf(one, sizeof one, "%s%s@%s", got[0] ? " " : "", e->owner, inet_ntoa((struct in_addr) { e->addr }));
                strncat(got, one, sizeof got - strlen(got) - 1);
        }
        hosts_snapshot_file_close(&f);
        assert_string_equal(got, want);
}

/* dnsmasq gives a claimed name to the newest claimant and shows "*" for the
 * older lease: both students' vm1 must stay published. */
static void test_name_taken_by_another_lease_is_kept(void **state) {
        (void)state;
        unsigned calls = 0;
        unlink(snapshot_path);
        write_leases("0 52:54:00:00:00:01 10.77.0.101 vm1 *\n");
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "lab", owner_of_mac, &calls), 0);
        expect_owners_of("vm1", "stu1@10.77.0.101");

        write_leases("0 52:54:00:00:00:02 10.77.0.102 vm1 *\n"
                     "0 52:54:00:00:00:01 10.77.0.101 * *\n");
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "lab", owner_of_mac, &calls), 0);
        expect_owners_of("vm1", "stu2@10.77.0.102 stu1@10.77.0.101"); /* lease file order */

        /* the name moves back and forth as the guests renew: both stay */
        write_leases("0 52:54:00:00:00:01 10.77.0.101 vm1 *\n"
                     "0 52:54:00:00:00:02 10.77.0.102 * *\n");
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "lab", owner_of_mac, &calls), 0);
        expect_owners_of("vm1", "stu1@10.77.0.101 stu2@10.77.0.102");

        /* the other lease gone: the name stays with its lease */
        write_leases("0 52:54:00:00:00:02 10.77.0.102 * *\n");
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "lab", owner_of_mac, &calls), 0);
        expect_owners_of("vm1", "stu2@10.77.0.102");

        /* a new name replaces it */
        write_leases("0 52:54:00:00:00:02 10.77.0.102 web *\n");
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "lab", owner_of_mac, &calls), 0);
        expect_owners_of("vm1", "");
        expect_owners_of("web", "stu2@10.77.0.102");

        /* another address (or MAC) is another lease: nothing carried over */
        write_leases("0 52:54:00:00:00:02 10.77.0.112 * *\n"
                     "0 52:54:00:00:00:01 10.77.0.102 * *\n");
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "lab", owner_of_mac, &calls), 0);
        expect_owners_of("web", "");

        /* an expired lease is gone, name and all */
        write_leases("0 52:54:00:00:00:01 10.77.0.101 vm1 *\n");
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "lab", owner_of_mac, &calls), 0);
        write_leases("1 52:54:00:00:00:01 10.77.0.101 * *\n");
        assert_int_equal(hosts_publish(leases_path, snapshot_path, "lab", owner_of_mac, &calls), 0);
        expect_owners_of("vm1", "");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_publish),
                cmocka_unit_test(test_half_written_is_not_published),
                cmocka_unit_test(test_missing_or_empty_lease_file),
                cmocka_unit_test(test_bad_domain),
                cmocka_unit_test(test_name_taken_by_another_lease_is_kept),
                cmocka_unit_test(test_every_lease_reported),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
