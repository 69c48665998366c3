/* libnss_vmnet's pure part: which lease a name or an address gives (a bare
 * name is the caller's own VM or nothing, NAME.DOMAIN the first claim,
 * explicit owners, expiry, the domain), and how an
 * answer is laid out in glibc's buffer (ERANGE below the exact size, at
 * any alignment, nothing written outside). */
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
#include <cmocka.h>

#include "hostent_pack.h"
#include "hosts_lookup.h"

#define NOW 1700000000

static const uint8_t mac[6] = { 0x52, 0x54, 0, 0, 0, 1 };

struct fixture {
        void *data;
        size_t size;
        struct hosts_snapshot s;
};

static void add(struct hosts_snapshot_entry *e, size_t *n, const char *name, const char *ip,
                uint32_t uid, const char *user, int64_t expiry) {
        struct in_addr a;
        assert_int_equal(inet_pton(AF_INET, ip, &a), 1);
        assert_int_equal(hosts_snapshot_entry_init(&e[(*n)++], a, mac, expiry, uid, user, name), 0);
}

static struct fixture *make(const char *domain) {
        struct hosts_snapshot_entry e[16];
        size_t n = 0, size;
        struct fixture *f = calloc(1, sizeof *f);

        /* in claim order: the order the names program gives the snapshot */
        add(e, &n, "vm1", "10.77.0.105", 61004, "stu4", NOW - 1);    /* the first claim, expired */
        add(e, &n, "vm1", "10.77.0.101", 61001, "stu1", NOW + 100);  /* stu1's first: vm1.lab */
        add(e, &n, "vm1", "10.77.0.102", 61002, "stu2", NOW + 200);  /* stu2's */
        add(e, &n, "vm1", "10.77.0.103", 61001, "stu1", NOW + 300);  /* stu1's second */
        add(e, &n, "vm1", "10.77.0.104", 61003, "Stu3", NOW + 900);
        add(e, &n, "inf", "10.77.0.110", 61001, "stu1", NOW + 500);
        add(e, &n, "inf", "10.77.0.111", 61002, "stu2", 0);          /* infinite */
        add(e, &n, "tie", "10.77.0.120", 61001, "stu1", NOW + 50);
        add(e, &n, "tie", "10.77.0.121", 61002, "stu2", NOW + 50);
        add(e, &n, "anon", "10.77.0.130", HOSTS_OWNER_UNKNOWN, NULL, 0);
        add(e, &n, "dup", "10.77.0.140", 61001, "stu1", NOW + 10);   /* two leases, one address */
        add(e, &n, "dupnew", "10.77.0.140", 61002, "stu2", NOW + 20);
        add(e, &n, "late", "10.77.0.150", 61001, "stu1", NOW);      /* expiry == now: expired */
        assert_int_equal(hosts_snapshot_build(domain, 1, e, n, &f->data, &size), 0);
        assert_int_equal(hosts_snapshot_parse(f->data, size, &f->s), 0);
        f->size = size;
        return f;
}

static void destroy(struct fixture *f) {
        free(f->data);
        free(f);
}

static uid_t test_caller;
static unsigned caller_calls;

static uid_t caller_uid(void) {
        caller_calls++;
        return test_caller;
}

static void expect_name(const struct fixture *f, const char *query, uid_t caller,
                        const char *ip, const char *canonical, const char *alias) {
        struct hosts_answer a;
        char buf[INET_ADDRSTRLEN];
        test_caller = caller;
        int r = hosts_lookup_name(&f->s, query, caller_uid, NOW, &a);
        if (r < 0)
                fail_msg("%s as %u: not found, expected %s", query, (unsigned)caller, ip);
        inet_ntop(AF_INET, &a.addr, buf, sizeof buf);
        if (strcmp(buf, ip) != 0)
                fail_msg("%s as %u: got %s, expected %s", query, (unsigned)caller, buf, ip);
        assert_string_equal(a.canonical, canonical);
        assert_string_equal(a.alias, alias);
        /* the packers trust the lengths */
        assert_int_equal(a.canonical_len, strlen(canonical));
        assert_int_equal(a.alias_len, strlen(alias));
}

static void expect_no_name(const struct fixture *f, const char *query, uid_t caller) {
        struct hosts_answer a;
        test_caller = caller;
        if (hosts_lookup_name(&f->s, query, caller_uid, NOW, &a) != -ENOENT)
                fail_msg("%s as %u: found %s, expected nothing", query, (unsigned)caller, inet_ntoa(a.addr));
}

static void test_per_student(void **state) {
        (void)state;
        struct fixture *f = make("lab");
        /* a bare name: the caller's own VM, its first claim, or nothing */
        expect_name(f, "vm1", 61001, "10.77.0.101", "vm1.stu1.lab", "vm1.lab");
        expect_name(f, "vm1", 61002, "10.77.0.102", "vm1.stu2.lab", "vm1.lab");
        expect_name(f, "vm1", 61003, "10.77.0.104", "vm1.Stu3.lab", "vm1.lab");
        expect_no_name(f, "vm1", 0);          /* root has no VMs: its files or DNS answer */
        expect_no_name(f, "vm1", 61004);      /* its own lease expired */
        expect_no_name(f, "vm1", 61009);      /* a student without a vm1 */
        expect_no_name(f, "vm1", (uid_t)-1);  /* an unknown caller matches no unknown owner */
        expect_no_name(f, "anon", (uid_t)-1);
        expect_no_name(f, "anon", 0);         /* nobody's own: only anon.lab names it */
        expect_name(f, "inf", 61002, "10.77.0.111", "inf.stu2.lab", "inf.lab");
        /* NAME.DOMAIN: the first live claim, whoever asks (the expired first
         * one gives way to the next in line) */
        expect_name(f, "vm1.lab", 0, "10.77.0.101", "vm1.stu1.lab", "vm1.lab");
        expect_name(f, "vm1.lab", 61002, "10.77.0.101", "vm1.stu1.lab", "vm1.lab");
        expect_name(f, "vm1.lab", 61004, "10.77.0.101", "vm1.stu1.lab", "vm1.lab");
        expect_name(f, "tie.lab", 61002, "10.77.0.120", "tie.stu1.lab", "tie.lab");
        expect_name(f, "anon.lab", 0, "10.77.0.130", "anon.lab", "");
        /* who asks is looked up only for a bare name some lease carries */
        caller_calls = 0;
        expect_name(f, "anon.lab", 0, "10.77.0.130", "anon.lab", "");
        expect_name(f, "vm1.stu2.lab", 0, "10.77.0.102", "vm1.stu2.lab", "vm1.lab");
        expect_no_name(f, "nosuch", 61001);
        assert_int_equal(caller_calls, 0);
        expect_name(f, "vm1", 61001, "10.77.0.101", "vm1.stu1.lab", "vm1.lab");
        assert_int_equal(caller_calls, 1);
        destroy(f);
}

static void test_names(void **state) {
        (void)state;
        struct fixture *f = make("lab.example");
        expect_name(f, "vm1.lab.example", 61002, "10.77.0.101", "vm1.stu1.lab.example", "vm1.lab.example");
        expect_name(f, "VM1.Lab.Example.", 61002, "10.77.0.101", "vm1.stu1.lab.example", "vm1.lab.example");
        /* explicit owner: whoever asks */
        expect_name(f, "vm1.stu2.lab.example", 61001, "10.77.0.102", "vm1.stu2.lab.example", "vm1.lab.example");
        expect_name(f, "vm1.stu1.lab.example", 0, "10.77.0.101", "vm1.stu1.lab.example", "vm1.lab.example");
        expect_name(f, "vm1.STU3.lab.example", 0, "10.77.0.104", "vm1.Stu3.lab.example", "vm1.lab.example");
        expect_no_name(f, "vm1.stu4.lab.example", 0);     /* expired */
        expect_no_name(f, "vm1.stu5.lab.example", 0);     /* no such owner */
        expect_no_name(f, "vm1.stu.lab.example", 0);      /* a prefix of an owner */
        expect_no_name(f, "vm1.stu1x.lab.example", 0);
        expect_no_name(f, "anon..lab.example", 0);        /* empty owner is no owner */
        expect_no_name(f, "vm1.lab", 0);                  /* another domain */
        expect_no_name(f, "vm1.example", 0);
        expect_no_name(f, "vm1.xlab.example", 0);
        expect_no_name(f, "vm1.stu1.lab.example.org", 0);
        expect_no_name(f, "vm1.stu1", 0);                 /* the owner form needs the domain */
        expect_no_name(f, "late", 61001);                 /* expiry == now */
        expect_no_name(f, "", 0);
        expect_no_name(f, ".", 0);
        expect_no_name(f, "vm1..", 0);
        expect_no_name(f, ".lab.example", 0);
        expect_no_name(f, "vm", 0);
        expect_no_name(f, "vm10", 0);
        expect_no_name(f, "-vm1", 0);
        expect_no_name(f, "vm_1", 0);
        expect_no_name(f, "10.77.0.101", 0);
        /* a name longer than any answer */
        char huge[1024];
        memset(huge, 'a', sizeof huge - 1);
        huge[sizeof huge - 1] = '\0';
        expect_no_name(f, huge, 0);
        huge[63] = '.';
        expect_no_name(f, huge, 0);
        destroy(f);
}

/* The module maps the snapshot unchecked (hosts_snapshot_parse_layout())
 * and compares a name only up to its NUL: whatever a file holds after
 * that NUL, the answers stay the names themselves, and a name is still
 * not a longer one's prefix. */
static void test_bytes_after_the_name(void **state) {
        (void)state;
        struct fixture *f = make("lab");
        struct hosts_snapshot_entry *e = (struct hosts_snapshot_entry *)(uintptr_t)f->s.entries;
        for (uint32_t i = 0; i < f->s.n_entries; i++) {
                size_t len = strlen(e[i].name);
                memset(e[i].name + len + 1, 'x', sizeof e[i].name - len - 1);
        }
        assert_int_equal(hosts_snapshot_parse(f->data, f->size, &f->s), -EBADMSG);
        assert_int_equal(hosts_snapshot_parse_layout(f->data, f->size, &f->s), 0);
        expect_name(f, "vm1", 61001, "10.77.0.101", "vm1.stu1.lab", "vm1.lab");
        expect_name(f, "vm1.stu2.lab", 0, "10.77.0.102", "vm1.stu2.lab", "vm1.lab");
        expect_name(f, "dupnew.lab", 0, "10.77.0.140", "dupnew.stu2.lab", "dupnew.lab");
        expect_name(f, "DUP.lab", 0, "10.77.0.140", "dup.stu1.lab", "dup.lab");
        expect_no_name(f, "vm", 61001);
        expect_no_name(f, "vm1x", 61001);
        expect_no_name(f, "dupne.lab", 0);
        destroy(f);
}

static void test_no_domain(void **state) {
        (void)state;
        struct fixture *f = make("");
        expect_name(f, "vm1", 61001, "10.77.0.101", "vm1.stu1", "vm1");
        expect_name(f, "vm1.stu2", 61001, "10.77.0.102", "vm1.stu2", "vm1");
        expect_no_name(f, "vm1", 0);
        expect_no_name(f, "anon", 0); /* no domain: a VM nobody owns has no name of its own */
        expect_no_name(f, "vm1.lab", 0);
        destroy(f);
}

static void test_addr(void **state) {
        (void)state;
        struct fixture *f = make("lab");
        struct hosts_answer a;
        struct in_addr ip;

        inet_pton(AF_INET, "10.77.0.102", &ip);
        assert_int_equal(hosts_lookup_addr(&f->s, ip, NOW, &a), 0);
        assert_string_equal(a.canonical, "vm1.stu2.lab");
        assert_string_equal(a.alias, "vm1.lab");
        assert_int_equal(a.addr.s_addr, ip.s_addr);
        inet_pton(AF_INET, "10.77.0.140", &ip);           /* the newer lease names it */
        assert_int_equal(hosts_lookup_addr(&f->s, ip, NOW, &a), 0);
        assert_string_equal(a.canonical, "dupnew.stu2.lab");
        inet_pton(AF_INET, "10.77.0.105", &ip);           /* expired */
        assert_int_equal(hosts_lookup_addr(&f->s, ip, NOW, &a), -ENOENT);
        inet_pton(AF_INET, "10.77.0.106", &ip);
        assert_int_equal(hosts_lookup_addr(&f->s, ip, NOW, &a), -ENOENT);
        destroy(f);
}

static bool inside(const void *p, const char *buf, size_t len, size_t size) {
        return (const char *)p >= buf && (const char *)p + size <= buf + len;
}

static void check_pack(const struct hosts_answer *a) {
        size_t need = 0;
        for (size_t misalign = 0; misalign < 8; misalign++)
                for (size_t len = 0; len < 256; len++) {
                        /* a block of exactly misalign + len bytes: ASan sees any overflow */
                        char *block = malloc(misalign + len > 0 ? misalign + len : 1);
                        char *buf = block + misalign;
                        struct hostent h;
                        memset(&h, 0x5a, sizeof h);
                        int r = hostent_pack(a, &h, buf, len);
                        if (r == -ERANGE) {
                                assert_int_equal(h.h_length, 0x5a5a5a5a); /* untouched */
                                assert_true(need == 0 || misalign > 0);
                                free(block);
                                continue;
                        }
                        assert_int_equal(r, 0);
                        if (misalign == 0 && need == 0)
                                need = len;
                        assert_true(inside(h.h_name, buf, len, strlen(a->canonical) + 1));
                        assert_string_equal(h.h_name, a->canonical);
                        assert_int_equal((uintptr_t)h.h_aliases % sizeof(char *), 0);
                        assert_true(inside(h.h_aliases, buf, len, 2 * sizeof(char *)));
                        if (a->alias[0]) {
                                assert_string_equal(h.h_aliases[0], a->alias);
                                assert_true(inside(h.h_aliases[0], buf, len, strlen(a->alias) + 1));
                                assert_null(h.h_aliases[1]);
                        } else
                                assert_null(h.h_aliases[0]);
                        assert_int_equal(h.h_addrtype, AF_INET);
                        assert_int_equal(h.h_length, 4);
                        assert_true(inside(h.h_addr_list, buf, len, 2 * sizeof(char *)));
                        assert_true(inside(h.h_addr_list[0], buf, len, 4));
                        assert_memory_equal(h.h_addr_list[0], &a->addr, 4);
                        assert_null(h.h_addr_list[1]);

                        struct gaih_addrtuple *t = NULL;
                        if (addrtuple_pack(a, buf, len, &t) == 0) {
                                assert_true(inside(t, buf, len, sizeof *t));
                                assert_int_equal((uintptr_t)t % _Alignof(struct gaih_addrtuple), 0);
                                assert_string_equal(t->name, a->canonical);
                                assert_true(inside(t->name, buf, len, strlen(a->canonical) + 1));
                                assert_int_equal(t->family, AF_INET);
                                assert_memory_equal(t->addr, &a->addr, 4);
                                assert_null(t->next);
                        } else
                                assert_null(t);
                        free(block);
                }
        /* exactly: two pointer pairs, the address, both names */
        size_t want = 4 * sizeof(char *) + 4 + strlen(a->canonical) + 1 + (a->alias[0] ? strlen(a->alias) + 1 : 0);
        assert_int_equal(need, want);
}

static void test_pack(void **state) {
        (void)state;
        struct hosts_answer a = {};
        inet_pton(AF_INET, "10.77.0.101", &a.addr);
        strcpy(a.canonical, "vm1.stu1.lab");
        a.canonical_len = strlen(a.canonical);
        strcpy(a.alias, "vm1.lab");
        a.alias_len = strlen(a.alias);
        check_pack(&a);
        a.alias[0] = '\0';
        a.alias_len = 0;
        check_pack(&a);
        memset(a.canonical, 'x', sizeof a.canonical - 1);
        a.canonical[sizeof a.canonical - 1] = '\0';
        a.canonical_len = sizeof a.canonical - 1;
        check_pack(&a);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_per_student),
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_bytes_after_the_name),
                cmocka_unit_test(test_no_domain),
                cmocka_unit_test(test_addr),
                cmocka_unit_test(test_pack),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
