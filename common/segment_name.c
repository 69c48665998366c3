/* Segment names (see segment_name.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ifname.h"
#include "name_hash.h"
#include "segment_name.h"

const char *segment_name_problem(const char *name) {
        if (!name || !name[0])
                return "is empty";
        if (strnlen(name, SEGMENT_NAME_MAX + 1) > SEGMENT_NAME_MAX)
                return "is longer than 15 characters";
        if (name[0] < 'a' || name[0] > 'z')
                return "does not start with a letter a-z";
        for (const char *p = name; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
                        return "has a character other than a-z 0-9 _ -";
        return NULL;
}

/* prefix (2 bytes) and the pair's hash: 12 bytes */
static int hashed(const char *prefix, const char *user, const char *segment, char ret[IFNAMSIZ]) {
        char hash[NAME_HASH_HEX + 1];

        if (!user || !user[0] || segment_name_problem(segment))
                return -EINVAL;
        name_hash_hex_pair(user, segment, hash);
        snprintf(ret, IFNAMSIZ, "%s%s", prefix, hash);
        return 0;
}

int segment_bridge_name(const char *user, const char *segment, char ret[IFNAMSIZ]) {
        return hashed(SEGMENT_BRIDGE_PREFIX, user, segment, ret);
}

int segment_link_name(const char *user, const char *segment, char ret[IFNAMSIZ]) {
        if (user && ifname_part_is_plain(user) && !segment_name_problem(segment) &&
            strlen(user) + 1 + strlen(segment) < IFNAMSIZ) {
                size_t n = strlen(user);
                memcpy(ret, user, n);
                ret[n] = '=';
                strcpy(ret + n + 1, segment); /* fits: checked above */
                return 0;
        }
        return hashed(SEGMENT_LINK_HASHED_PREFIX, user, segment, ret);
}
