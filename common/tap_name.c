#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ifname.h"
#include "name_hash.h"
#include "tap_name.h"

/* Why the mapping is injective (see tap_name.h for the forms):
 *  - "+i" is added only for i >= 1, in decimal without leading zeros, and
 *    '+' appears nowhere else in any name: the suffix decodes to i.
 *  - A readable name holds no '~', a hashed one does: forms never meet.
 *  - Readable: the pattern's fixed parts are the same for every user, so
 *    the name minus the suffix gives the user back.
 *  - Hashed: distinct only as long as the 40 hash bits are; with n hashed
 *    users a clash has odds about n^2 / 2^41 (1 in 2 million for 1000). */

static bool is_pattern_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '_' || c == '-';
}

const char *tap_name_pattern_problem(const char *pattern) {
        unsigned n_user = 0;
        size_t fixed = 0;

        if (!pattern)
                return "is missing";
        for (const char *p = pattern; *p; p++) {
                if (*p == '%') {
                        if (p[1] != 'u')
                                return "has a '%' that does not start %u";
                        n_user++;
                        p++;
                } else if (!is_pattern_char(*p))
                        return "has a character other than A-Z a-z 0-9 _ - and %u";
                else
                        fixed++;
        }
        if (n_user == 0)
                return "has no %u";
        if (n_user > 1)
                return "has %u more than once";
        if (fixed == 0)
                return "has nothing besides %u";
        /* the pattern itself is kept in IFNAMSIZ bytes (struct vmnet_config)*/
        if (fixed > IFNAMSIZ - 3)
                return "is too long to leave room for a user name (at most 13 characters besides %u)";
        return NULL;
}

bool tap_name_pattern_is_valid(const char *pattern) {
        return !tap_name_pattern_problem(pattern);
}


int tap_name_for_user(const char *pattern, const char *user, unsigned index, char ret[IFNAMSIZ]) {
        char suffix[sizeof "+" "99"] = "", name[IFNAMSIZ];

        if (!tap_name_pattern_is_valid(pattern) || !user || !user[0] || index > TAP_INDEX_MAX)
                return -EINVAL;
        if (index > 0)
                snprintf(suffix, sizeof suffix, "+%u", index);

        const char *hole = strstr(pattern, "%u"), *tail = hole + 2;
        size_t head_len = (size_t)(hole - pattern), tail_len = strlen(tail),
               suffix_len = strlen(suffix), user_len = strnlen(user, IFNAMSIZ);

        if (ifname_part_is_plain(user) && head_len + user_len + tail_len + suffix_len < IFNAMSIZ) {
                char *p = mempcpy(name, pattern, head_len);
                p = mempcpy(p, user, user_len);
                p = mempcpy(p, tail, tail_len);
                p = mempcpy(p, suffix, suffix_len);
                *p = '\0';
        } else {
                char hash[NAME_HASH_HEX + 1];
                name_hash_hex(user, hash);
                /* 2 + 10 + 3 = 15 bytes at most */
                snprintf(name, sizeof name, TAP_NAME_HASHED_PREFIX "%s%s", hash, suffix);
        }

        memcpy(ret, name, sizeof name);
        return 0;
}

int tap_name_suffix_index(const char *name) {
        unsigned index = 0;

        if (!name)
                return -1;
        /* only "+i" ever puts a '+' into a name, so it alone can give the index */
        const char *plus = strrchr(name, '+');
        if (plus) {
                const char *d = plus + 1;
                if (d[0] < '1' || d[0] > '9')
                        return -1;
                for (; *d; d++) {
                        if (*d < '0' || *d > '9' || index > TAP_INDEX_MAX)
                                return -1;
                        index = index * 10 + (unsigned)(*d - '0');
                }
                if (index > TAP_INDEX_MAX)
                        return -1;
        }
        return (int)index;
}

int tap_name_index(const char *pattern, const char *user, const char *name) {
        char expected[IFNAMSIZ];
        int index = tap_name_suffix_index(name);

        if (index < 0 || tap_name_for_user(pattern, user, (unsigned)index, expected) < 0 || strcmp(expected, name) != 0)
                return -1;
        return index;
}
