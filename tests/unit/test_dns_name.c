/* The labels that stand for users in NAME.USER.DOMAIN: the name itself
 * where it is a label, else a readable part and a hash, for every name a
 * directory gives (AD's user@domain, capitals, spaces, long names, UTF-8). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dns_name.h"
#include "name_hash.h"

static void expect_label(const char *user, const char *readable) {
        char label[DNS_USER_LABEL_MAX + 1], hash[NAME_HASH_HEX + 1], want[DNS_USER_LABEL_MAX + 1];

        dns_user_label(user, label);
        assert_true(dns_label_is_valid(label, strlen(label)));
        assert_false(dns_has_uppercase(label, strlen(label)));
        assert_true(strlen(label) <= DNS_USER_LABEL_MAX);
        name_hash_hex(user, hash);
        if (strstr(readable, "--") == readable + strlen(readable) - 2)
                snprintf(want, sizeof want, "%s%s", readable, hash);
        else
                snprintf(want, sizeof want, "%s", readable);
        assert_string_equal(label, want);
}

static void test_labels(void **state) {
        (void)state;
        /* the name itself, in lowercase */
        expect_label("alice", "alice");
        expect_label("ALICE", "alice");
        expect_label("Stu-1", "stu-1");
        expect_label("0day", "0day");
        expect_label("abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345"); /* 32 */
        /* a readable part and the hash */
        expect_label("alice@ad.example.edu", "alice-ad-example-edu--");
        expect_label("ALICE@AD.EXAMPLE.EDU", "alice-ad-example-edu--");
        expect_label("alice smith", "alice-smith--");
        expect_label("AD\\alice", "ad-alice--");
        expect_label("john_doe", "john-doe--");
        expect_label("a--b", "a-b--");                      /* "--" is the hashed form's alone */
        expect_label("-x-", "x--");
        expect_label("abcdefghijklmnopqrstuvwxyz0123456", "abcdefghijklmnopqrst--"); /* 33 */
        expect_label("a-very-long-directory-account-name@ad.example.edu", "a-very-long-director--");
        expect_label("abcdefghijklmnopqrs.tuvw", "abcdefghijklmnopqrs--"); /* no '-' left at the cut */
        expect_label("caf\xc3\xa9", "caf--");
        expect_label("\xe6\x97\xa5\xe6\x9c\xac", "u--");     /* nothing readable */
        expect_label("@", "u--");
}

/* Names a directory gives for different people get different labels
 * (but for case, which DNS ignores). */
static void test_distinct(void **state) {
        (void)state;
        static const char *const users[] = {
                "alice", "alice@ad.example.edu", "alice@ad2.example.edu", "alice smith", "alice_smith",
                "alice-smith", "a--b", "a-b", "AD\\alice", "u", "@", "#",
        };
        char labels[sizeof users / sizeof users[0]][DNS_USER_LABEL_MAX + 1];

        for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) {
                dns_user_label(users[i], labels[i]);
                for (size_t j = 0; j < i; j++)
                        assert_string_not_equal(labels[i], labels[j]);
        }
        char a[DNS_USER_LABEL_MAX + 1], b[DNS_USER_LABEL_MAX + 1];
        dns_user_label("Alice", a);
        dns_user_label("alice", b);
        assert_string_equal(a, b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_labels),
                cmocka_unit_test(test_distinct),
        };
        return cmocka_run_group_tests_name("dns_name", tests, NULL, NULL);
}
