// fuzz-sources:
/* libFuzzer target for tap names and users' DNS labels.  Input: two index
 * bytes, then pattern, user1 and user2 separated by NUL bytes.  Checks: the
 * pattern verdict and its reason agree; a name is a valid interface name
 * that tap_name_index (and tap_name_suffix_index, without the pattern)
 * maps back to its index; two pairs share a name only when they are the
 * same pair, or (the one known limit) both are hashed with the same index
 * and their 40-bit hashes clash; failures leave the output untouched.  A
 * user's label is a lowercase DNS label of at most 32 bytes, and two users
 * share one only when their names differ in ASCII case alone or their
 * hashes clash. */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns_name.h"
#include "fuzz_pieces.h"
#include "ifname.h"
#include "tap_name.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static bool name_for(const char *pattern, const char *user, unsigned index, char name[IFNAMSIZ]) {
        char out[IFNAMSIZ];
        memset(out, 'x', sizeof out);
        int r = tap_name_for_user(pattern, user, index, out);
        bool expect_ok = tap_name_pattern_is_valid(pattern) && user[0] && index <= TAP_INDEX_MAX;
        if (!expect_ok) {
                CHECK(r == -EINVAL);
                for (size_t i = 0; i < sizeof out; i++)
                        CHECK(out[i] == 'x');
                return false;
        }
        CHECK(r == 0);
        CHECK(ifname_is_valid(out));
        CHECK(tap_name_index(pattern, user, out) == (int)index);
        CHECK(tap_name_suffix_index(out) == (int)index);
        /* a hashed name is "t~" + 10 hex digits, and only that has a '~' */
        if (strchr(out, '~'))
                CHECK(strncmp(out, "t~", 2) == 0 && strspn(out + 2, "0123456789abcdef") == 10);
        memcpy(name, out, sizeof out);
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 2)
                return 0;
        /* 0..127: most land in range, some just past it */
        unsigned index1 = data[0] & 0x7f, index2 = data[1] & 0x7f;
        const uint8_t *p = data + 2, *end = data + size;
        char *pattern = fuzz_next_piece(&p, end), *user1 = fuzz_next_piece(&p, end), *user2 = fuzz_next_piece(&p, end);
        char name1[IFNAMSIZ], name2[IFNAMSIZ];

        CHECK(tap_name_pattern_is_valid(pattern) == (tap_name_pattern_problem(pattern) == NULL));
        bool ok1 = name_for(pattern, user1, index1, name1), ok2 = name_for(pattern, user2, index2, name2);
        if (ok1 && ok2) {
                bool same_pair = strcmp(user1, user2) == 0 && index1 == index2;
                bool hash_clash = !same_pair && index1 == index2 && name1[1] == '~';
                CHECK((strcmp(name1, name2) == 0) == same_pair || hash_clash);
                /* user2 claims name1 only if it is user1, or through a hash clash */
                int claimed = tap_name_index(pattern, user2, name1);
                if (strcmp(user1, user2) == 0)
                        CHECK(claimed == (int)index1);
                else
                        CHECK(claimed == -1 || (name1[1] == '~' && claimed == (int)index1));
        }
        if (user1[0] && user2[0]) {
                char label1[DNS_USER_LABEL_MAX + 1], label2[DNS_USER_LABEL_MAX + 1];
                dns_user_label(user1, label1);
                dns_user_label(user2, label2);
                CHECK(dns_label_is_valid(label1, strlen(label1)) && !dns_has_uppercase(label1, strlen(label1)));
                bool hashed1 = strstr(label1, "--"), hashed2 = strstr(label2, "--");
                if (strcmp(label1, label2) == 0)
                        CHECK(strcasecmp(user1, user2) == 0 ||
                              (hashed1 && hashed2 && strcmp(strstr(label1, "--"), strstr(label2, "--")) == 0));
                if (!hashed1) /* the readable form is the name itself, in lowercase */
                        CHECK(strcasecmp(label1, user1) == 0);
        }
        free(pattern);
        free(user1);
        free(user2);
        return 0;
}
