// fuzz-sources:
/* libFuzzer target for segment names.  Input: user1, segment1, user2 and
 * segment2 separated by NUL bytes.  Checks: a segment name is accepted
 * exactly when it is 1..15 bytes of [a-z0-9_-] starting with a letter; the
 * bridge and link names are valid interface names, never equal to each
 * other or to a tap name of the user's; two pairs share a name only when
 * they are the same pair, or (the one known limit) through a 40-bit hash
 * clash of two hashed names; failures leave the output untouched. */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_pieces.h"
#include "ifname.h"
#include "segment_name.h"
#include "tap_name.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static bool valid_by_hand(const char *s) {
        size_t n = strlen(s);
        return n >= 1 && n <= SEGMENT_NAME_MAX && s[0] >= 'a' && s[0] <= 'z' &&
               strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

struct names {
        char bridge[IFNAMSIZ], link[IFNAMSIZ];
};

static bool names_for(const char *user, const char *segment, struct names *ret) {
        struct names out;
        memset(&out, 'x', sizeof out);
        bool ok = segment_name_problem(segment) == NULL;
        CHECK(ok == valid_by_hand(segment));
        ok = ok && user[0];
        int rb = segment_bridge_name(user, segment, out.bridge), rl = segment_link_name(user, segment, out.link);
        if (!ok) {
                CHECK(rb == -EINVAL && rl == -EINVAL);
                for (size_t i = 0; i < sizeof out; i++)
                        CHECK(((char *)&out)[i] == 'x');
                return false;
        }
        CHECK(rb == 0 && rl == 0);
        CHECK(ifname_is_valid(out.bridge) && ifname_is_valid(out.link));
        CHECK(strncmp(out.bridge, SEGMENT_BRIDGE_PREFIX, 2) == 0 && strlen(out.bridge) == 12);
        CHECK(strcmp(out.bridge, out.link) != 0);
        /* a readable link splits back at its one '=' */
        const char *eq = strchr(out.link, '=');
        if (eq) {
                CHECK(strchr(eq + 1, '=') == NULL && strcmp(eq + 1, segment) == 0);
                CHECK(strncmp(out.link, user, (size_t)(eq - out.link)) == 0 && user[eq - out.link] == '\0');
        } else {
                CHECK(strncmp(out.link, SEGMENT_LINK_HASHED_PREFIX, 2) == 0 && strlen(out.link) == 12);
        }
        CHECK(tap_name_index("tap-%u", user, out.bridge) == -1 && tap_name_index("tap-%u", user, out.link) == -1);
        *ret = out;
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *p = data, *end = data + size;
        char *user1 = fuzz_next_piece(&p, end), *seg1 = fuzz_next_piece(&p, end);
        char *user2 = fuzz_next_piece(&p, end), *seg2 = fuzz_next_piece(&p, end);
        struct names a, b;

        if (names_for(user1, seg1, &a) && names_for(user2, seg2, &b)) {
                bool same = strcmp(user1, user2) == 0 && strcmp(seg1, seg2) == 0;
                /* bridges are always hashed: equal ones are the same pair or a clash */
                if (strcmp(a.link, b.link) == 0)
                        CHECK(same || a.link[1] == '~');
                if (same)
                        CHECK(strcmp(a.bridge, b.bridge) == 0 && strcmp(a.link, b.link) == 0);
                CHECK(strcmp(a.bridge, b.link) != 0);
        }
        free(user1);
        free(seg1);
        free(user2);
        free(seg2);
        return 0;
}
