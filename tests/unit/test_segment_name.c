/* Segment names: what a student may call a segment, and the kernel names
 * vmnetd derives from it (common/segment_name.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ifname.h"
#include "name_hash.h"
#include "segment_name.h"
#include "tap_name.h"

static const char *bridge_of(const char *user, const char *segment) {
        static char name[IFNAMSIZ];
        assert_int_equal(segment_bridge_name(user, segment, name), 0);
        return name;
}

static const char *link_of(const char *user, const char *segment) {
        static char name[IFNAMSIZ];
        assert_int_equal(segment_link_name(user, segment, name), 0);
        return name;
}

static void test_valid_names(void **state) {
        (void)state;
        static const char *const good[] = { "lan2", "a", "dmz", "net-1", "router_lan", "abcdefghijklmno", "z9" };
        static const struct { const char *name, *problem; } bad[] = {
                { "", "is empty" },
                { NULL, "is empty" },
                { "abcdefghijklmnop", "is longer than 15 characters" },
                { "2lan", "does not start with a letter a-z" },
                { "-lan", "does not start with a letter a-z" },
                { "Lan2", "does not start with a letter a-z" },
                { "lAn", "has a character other than a-z 0-9 _ -" },
                { "lan 2", "has a character other than a-z 0-9 _ -" },
                { "lan/2", "has a character other than a-z 0-9 _ -" },
                { "lan=2", "has a character other than a-z 0-9 _ -" },
                { "lan~2", "has a character other than a-z 0-9 _ -" },
                { "lan.2", "has a character other than a-z 0-9 _ -" },
                { "lan,br=x", "has a character other than a-z 0-9 _ -" },
                { "lan%d", "has a character other than a-z 0-9 _ -" },
                { "lan\n", "has a character other than a-z 0-9 _ -" },
                { "l\xc3\xa9", "has a character other than a-z 0-9 _ -" },
        };
        for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
                assert_null(segment_name_problem(good[i]));
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                const char *p = segment_name_problem(bad[i].name);
                assert_non_null(p);
                assert_string_equal(p, bad[i].problem);
        }
}

static void test_kernel_names(void **state) {
        (void)state;
        /* FNV-1a 64 of "alice\0lan2" is 0xaf0856fd0a......: its top 40 bits */
        assert_string_equal(bridge_of("alice", "lan2"), "b~af0856fd0a");
        assert_string_equal(bridge_of("bob", "lan2"), "b~6c2e96003a");
        assert_string_equal(link_of("alice", "lan2"), "alice=lan2");
        /* 15 bytes fit; 16 do not and give the hashed form, never a cut */
        assert_string_equal(link_of("abcdefghi", "lan23"), "abcdefghi=lan23");
        assert_string_equal(link_of("abcdefghij", "lan23"), "s~4b5711195e");
        assert_string_equal(link_of("firstname.lastname", "lan2"), "s~36c9e1359f");
        assert_string_equal(bridge_of("firstname.lastname", "lan2"), "b~36c9e1359f");
        /* a user name that is not plain never appears as it is */
        assert_int_equal(strncmp(link_of("a=b", "c"), "s~", 2), 0);
        assert_int_equal(strncmp(link_of("a b", "c"), "s~", 2), 0);
        assert_int_equal(strncmp(link_of("a/b", "c"), "s~", 2), 0);
        /* (user, segment) pairs that run together differently stay apart */
        char first[IFNAMSIZ];
        strcpy(first, bridge_of("ab", "c"));
        assert_string_not_equal(first, bridge_of("a", "bc"));
        strcpy(first, link_of("a.b", "c"));
        assert_string_not_equal(first, link_of("a", "b-c"));
        static const char *const users[] = { "alice", "a+b", "x", "averyveryverylongusername", "Jos\xc3\xa9", "%d" };
        for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) {
                char b[IFNAMSIZ], l[IFNAMSIZ], tap[IFNAMSIZ];
                strcpy(b, bridge_of(users[i], "lan2"));
                strcpy(l, link_of(users[i], "lan2"));
                assert_true(ifname_is_valid(b));
                assert_true(ifname_is_valid(l));
                assert_string_not_equal(b, l);
                /* never a name of the user's taps */
                assert_int_equal(tap_name_index("tap-%u", users[i], b), -1);
                assert_int_equal(tap_name_index("tap-%u", users[i], l), -1);
                assert_int_equal(tap_name_for_user("tap-%u", users[i], 0, tap), 0);
                assert_string_not_equal(tap, l);
        }
}

static void test_errors(void **state) {
        char name[IFNAMSIZ];
        (void)state;
        memset(name, 'x', sizeof name);
        assert_int_equal(segment_bridge_name("", "lan2", name), -EINVAL);
        assert_int_equal(segment_bridge_name(NULL, "lan2", name), -EINVAL);
        assert_int_equal(segment_bridge_name("alice", "Lan2", name), -EINVAL);
        assert_int_equal(segment_link_name("alice", "", name), -EINVAL);
        assert_int_equal(segment_link_name("alice", "lan/2", name), -EINVAL);
        assert_int_equal(segment_link_name(NULL, "lan2", name), -EINVAL);
        for (size_t i = 0; i < sizeof name; i++)
                assert_int_equal(name[i], 'x');
}

/* The hash tap names, users' labels and segments share (name_hash.h),
 * and what may stand in a name as it is (ifname.h). */
static void test_shared_parts(void **state) {
        char hash[NAME_HASH_HEX + 1];
        (void)state;
        name_hash_hex("a+b", hash);
        assert_string_equal(hash, "e62e9b1904");
        name_hash_hex_pair("alice", "lan2", hash);
        assert_string_equal(hash, "af0856fd0a");
        /* not the hash of the two run together */
        name_hash_hex("alicelan2", hash);
        assert_string_not_equal(hash, "af0856fd0a");
        assert_true(ifname_part_is_plain("A.b-c_9"));
        assert_false(ifname_part_is_plain(""));
        assert_false(ifname_part_is_plain(NULL));
        assert_false(ifname_part_is_plain("a=b"));
        assert_false(ifname_part_is_plain("a~b"));
        assert_false(ifname_part_is_plain("a+b"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid_names),
                cmocka_unit_test(test_kernel_names),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_shared_parts),
        };
        return cmocka_run_group_tests_name("segment_name", tests, NULL, NULL);
}
