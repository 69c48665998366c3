#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ifname.h"
#include "tap_name.h"

#define USER_MAX 48

static const char *name_of(const char *pattern, const char *user, unsigned index) {
        static char name[IFNAMSIZ];
        assert_int_equal(tap_name_for_user(pattern, user, index, name), 0);
        return name;
}

static void test_readable(void **state) {
        (void)state;
        assert_string_equal(name_of("tap-%u", "alice", 0), "tap-alice");
        assert_string_equal(name_of("tap-%u", "alice", 1), "tap-alice+1");
        assert_string_equal(name_of("tap-%u", "alice", 2), "tap-alice+2");
        assert_string_equal(name_of("tap-%u", "alice", 99), "tap-alice+99");
        assert_string_equal(name_of("tap-%u", "A.b-c_9", 0), "tap-A.b-c_9");
        assert_string_equal(name_of("%u-vm", "bob", 3), "bob-vm+3");
        assert_string_equal(name_of("x%uy", "bob", 0), "xboby");
        /* 15 bytes fit; 16 do not and give the hashed form, never a cut */
        assert_string_equal(name_of("tap-%u", "abcdefghijk", 0), "tap-abcdefghijk");
        assert_string_equal(name_of("tap-%u", "abcdefgh", 10), "tap-abcdefgh+10");
        assert_string_equal(name_of("tap-%u", "abcdefghijkl", 0), "t~6c3aaed3e0");
        /* the form is chosen per name: the index may push a user into hashes */
        assert_string_equal(name_of("tap-%u", "abcdefghi", 9), "tap-abcdefghi+9");
        assert_string_equal(name_of("tap-%u", "abcdefghi", 10), "t~fb321124e0+10");
}

static void test_hashed(void **state) {
        (void)state;
        /* FNV-1a 64 of "a+b" is 0xe62e9b190474c8c5: its top 40 bits */
        assert_string_equal(name_of("tap-%u", "a+b", 0), "t~e62e9b1904");
        assert_string_equal(name_of("tap-%u", "a+b", 2), "t~e62e9b1904+2");
        assert_string_equal(name_of("tap-%u", "a+b", 99), "t~e62e9b1904+99");
        assert_string_equal(name_of("tap-%u", "Jos\xc3\xa9", 0), "t~31f604e649");
        assert_string_equal(name_of("tap-%u", "averyveryverylongusername", 0), "t~a47a65ca5c");
        /* the hashed form does not depend on the pattern */
        assert_string_equal(name_of("%u-vm", "a+b", 0), "t~e62e9b1904");
        /* user names that would make bad interface names */
        assert_string_equal(name_of("tap-%u", "a/b", 0), name_of("tap-%u", "a/b", 0));
        assert_true(ifname_is_valid(name_of("tap-%u", "a/b", 0)));
        assert_true(ifname_is_valid(name_of("tap-%u", "a:b", 0)));
        assert_true(ifname_is_valid(name_of("tap-%u", "a b", 0)));
        assert_true(ifname_is_valid(name_of("tap-%u", "%d", 0)));
        assert_true(ifname_is_valid(name_of("tap-%u", "\n", 0)));
        assert_string_equal(name_of("a%u", ".", 0), "a.");
}

/* The one known limit, shown so nobody relies on more: hashed names are
 * distinct only as far as 40 bits of FNV-1a are.  These two 12-letter users
 * (found by a birthday search over 2^22 random names) share a name, and each
 * claims the other's tap by name: vmnetd must also check a tap's owner. */
static void test_hash_clash(void **state) {
        (void)state;
        char a[IFNAMSIZ], b[IFNAMSIZ];
        assert_int_equal(tap_name_for_user("tap-%u", "znbsjnyuiakv", 3, a), 0);
        assert_int_equal(tap_name_for_user("tap-%u", "dmgjkmxzmzml", 3, b), 0);
        assert_string_equal(a, "t~7b71635af5+3");
        assert_string_equal(b, "t~7b71635af5+3");
        assert_int_equal(tap_name_index("tap-%u", "dmgjkmxzmzml", a), 3);
}

static void test_errors(void **state) {
        (void)state;
        char name[IFNAMSIZ];
        memset(name, 'x', sizeof name);
        assert_int_equal(tap_name_for_user("tap-%u", "", 0, name), -EINVAL);
        assert_int_equal(tap_name_for_user("tap-%u", NULL, 0, name), -EINVAL);
        assert_int_equal(tap_name_for_user("tap-%u", "alice", TAP_INDEX_MAX + 1, name), -EINVAL);
        assert_int_equal(tap_name_for_user("tap-%u", "alice", UINT32_MAX, name), -EINVAL);
        assert_int_equal(tap_name_for_user("tap", "alice", 0, name), -EINVAL);
        assert_int_equal(tap_name_for_user("%u", "alice", 0, name), -EINVAL);
        assert_int_equal(tap_name_for_user(NULL, "alice", 0, name), -EINVAL);
        for (size_t i = 0; i < sizeof name; i++)
                assert_int_equal(name[i], 'x');
}

static void test_patterns(void **state) {
        (void)state;
        static const char *const good[] = {
                "tap-%u", "%u-tap", "t%u", "%u_", "A-Z_az09%u", "abcdefghijklm%u", "abc%udefghijklm",
        };
        static const struct { const char *pattern, *problem; } bad[] = {
                { "", "has no %u" },
                { "tap", "has no %u" },
                { "%u", "has nothing besides %u" },
                { "%u%u", "has %u more than once" },
                { "a%ub%u", "has %u more than once" },
                { "tap-%d", "has a '%' that does not start %u" },
                { "tap-%%u", "has a '%' that does not start %u" },
                { "tap-%", "has a '%' that does not start %u" },
                { "tap.%u", "has a character other than A-Z a-z 0-9 _ - and %u" },
                { "tap+%u", "has a character other than A-Z a-z 0-9 _ - and %u" },
                { "tap~%u", "has a character other than A-Z a-z 0-9 _ - and %u" },
                { "ta/p%u", "has a character other than A-Z a-z 0-9 _ - and %u" },
                { "tap %u", "has a character other than A-Z a-z 0-9 _ - and %u" },
                { "tap\xc3\xa9%u", "has a character other than A-Z a-z 0-9 _ - and %u" },
                { "abcdefghijklmn%u", "is too long to leave room for a user name (at most 13 characters besides %u)" },
                { "abcdefg%uhijklmn", "is too long to leave room for a user name (at most 13 characters besides %u)" },
                { NULL, "is missing" },
        };
        for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
                assert_true(tap_name_pattern_is_valid(good[i]));
                assert_null(tap_name_pattern_problem(good[i]));
        }
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                assert_false(tap_name_pattern_is_valid(bad[i].pattern));
                assert_string_equal(tap_name_pattern_problem(bad[i].pattern), bad[i].problem);
        }
}

static void test_index(void **state) {
        (void)state;
        assert_int_equal(tap_name_index("tap-%u", "alice", "tap-alice"), 0);
        assert_int_equal(tap_name_index("tap-%u", "alice", "tap-alice+7"), 7);
        assert_int_equal(tap_name_index("tap-%u", "alice", "tap-alice+99"), 99);
        assert_int_equal(tap_name_index("tap-%u", "a+b", "t~e62e9b1904+5"), 5);
        assert_int_equal(tap_name_index("tap-%u", "a+b", "t~e62e9b1904"), 0);
        static const char *const not_alice[] = {
                "tap-alice+0", "tap-alice+07", "tap-alice+100", "tap-alice+", "tap-alice+1x",
                "tap-alice+-1", "tap-alice+ 1", "tap-alice+99999999999999999999", "tap-alic",
                "tap-alice1", "tap-bob", "tap-alice+1+1", "t~af63dc4c86", "", "tap-alicE",
        };
        for (size_t i = 0; i < sizeof not_alice / sizeof not_alice[0]; i++)
                assert_int_equal(tap_name_index("tap-%u", "alice", not_alice[i]), -1);
        assert_int_equal(tap_name_index("tap-%u", "alice", NULL), -1);
        assert_int_equal(tap_name_index("tap-%u", NULL, "tap-alice"), -1);
        assert_int_equal(tap_name_index("%u", "alice", "alice"), -1);  /* bad pattern */
        assert_int_equal(tap_name_index("tap-%u", "bob", "tap-alice"), -1);
}

/* Deterministic: a failure is reproducible. */
static uint64_t rng_state = 0x9e3779b97f4a7c15;
static uint64_t rnd(void) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return rng_state;
}

/* Varied user names: plain ones of every length around the readable limit,
 * the characters that are readable only sometimes, and bytes that never are. */
static void make_user(unsigned i, char user[USER_MAX + 1]) {
        static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
        static const char odd[] = "+~%/: @$#\\'\"\t\n\x7f\x80\xc3\xa9\xff";
        size_t len;

        switch (i % 4) {
        case 0:  /* short and plain, like most real users */
                len = 1 + rnd() % 14;
                break;
        case 1:  /* long */
                len = 12 + rnd() % (USER_MAX - 11);
                break;
        default:
                len = 1 + rnd() % USER_MAX;
        }
        for (size_t k = 0; k < len; k++) {
                bool use_odd = i % 4 == 3 && rnd() % 8 == 0;
                user[k] = use_odd ? odd[rnd() % (sizeof odd - 1)] : plain[rnd() % (sizeof plain - 1)];
        }
        user[len] = '\0';
}

struct entry {
        char name[IFNAMSIZ];
        uint32_t user;
        uint8_t index;
};

static int compare_entries(const void *a, const void *b) {
        return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static int compare_users(const void *a, const void *b) {
        return strcmp((const char *)a, (const char *)b);
}

static void check_injective(const char *pattern, size_t n_made) {
        static const unsigned some_indexes[] = { 0, 1, 2, 9, 10, 11, 42, 98, 99 };
        const size_t n_some = sizeof some_indexes / sizeof some_indexes[0];
        const size_t n_all_users = n_made / 50;   /* these get every index */
        char (*users)[USER_MAX + 1] = malloc(n_made * sizeof *users);
        assert_non_null(users);

        size_t n_users = 0;
        for (unsigned i = 0; i < n_made; i++)
                make_user(i, users[i]);
        /* distinct users only: the same user twice is allowed the same name */
        qsort(users, n_made, sizeof *users, compare_users);
        for (size_t i = 0; i < n_made; i++)
                if (n_users == 0 || strcmp(users[n_users - 1], users[i]) != 0)
                        memmove(users[n_users++], users[i], sizeof *users);
        assert_true(n_users > n_made * 9 / 10);

        size_t cap = n_users * n_some + n_all_users * (TAP_INDEX_MAX + 1), n = 0, n_readable = 0;
        struct entry *e = malloc(cap * sizeof *e);
        assert_non_null(e);
        for (size_t u = 0; u < n_users; u++) {
                /* spread the users that get every index over the sorted list */
                bool all = u % (n_users / n_all_users) == 0 && u / (n_users / n_all_users) < n_all_users;
                unsigned count = all ? TAP_INDEX_MAX + 1 : (unsigned)n_some;
                for (unsigned k = 0; k < count; k++) {
                        unsigned index = all ? k : some_indexes[k];
                        assert_true(n < cap);
                        assert_int_equal(tap_name_for_user(pattern, users[u], index, e[n].name), 0);
                        e[n].user = (uint32_t)u;
                        e[n].index = (uint8_t)index;
                        const char *problem = ifname_problem(e[n].name);
                        if (problem)
                                fail_msg("'%s' for (%s, %u) %s", e[n].name, users[u], index, problem);
                        assert_true(strlen(e[n].name) <= IFNAMSIZ - 1);
                        if (!strchr(e[n].name, '~'))
                                n_readable++;
                        if (tap_name_index(pattern, users[u], e[n].name) != (int)index)
                                fail_msg("tap_name_index(%s, %s) != %u", users[u], e[n].name, index);
                        /* another user does not claim this name */
                        if (tap_name_index(pattern, users[(u + 1) % n_users], e[n].name) != -1)
                                fail_msg("%s also claims %s", users[(u + 1) % n_users], e[n].name);
                        n++;
                }
        }
        /* both forms must be well represented for the test to mean something */
        assert_true(n_readable > n / 10);
        assert_true(n - n_readable > n / 10);

        qsort(e, n, sizeof *e, compare_entries);
        for (size_t i = 1; i < n; i++)
                if (strcmp(e[i - 1].name, e[i].name) == 0)
                        fail_msg("pattern %s: (%s, %u) and (%s, %u) both give %s", pattern,
                                 users[e[i - 1].user], e[i - 1].index, users[e[i].user], e[i].index, e[i].name);
        print_message("pattern %s: %zu distinct users, %zu names (%zu readable), all distinct\n",
                      pattern, n_users, n, n_readable);
        free(e);
        free(users);
}

static void test_injective_default(void **state) {
        (void)state;
        check_injective("tap-%u", 200000);
}

static void test_injective_other_patterns(void **state) {
        (void)state;
        rng_state = 0x243f6a8885a308d3;
        check_injective("%u-v", 20000);
        rng_state = 0x13198a2e03707344;
        check_injective("vm_%uX", 20000);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_readable),
                cmocka_unit_test(test_hashed),
                cmocka_unit_test(test_hash_clash),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_patterns),
                cmocka_unit_test(test_index),
                cmocka_unit_test(test_injective_default),
                cmocka_unit_test(test_injective_other_patterns),
        };
        return cmocka_run_group_tests_name("tap_name", tests, NULL, NULL);
}
