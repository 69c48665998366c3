/* Tap names: a pure, injective function of (user, index), at most
 * IFNAMSIZ-1 bytes, never a truncation.
 *
 *  - The admin's pattern (config key tap_name, default "tap-%u") holds %u
 *    exactly once; its other characters are [A-Za-z0-9_-].
 *  - index 0 is the login tap, index i >= 1 an extra tap of that user.
 *  - Readable form: the pattern with %u replaced by the user name, plus
 *    "+i" for i >= 1 (e.g. "tap-alice", "tap-alice+2"), when the user name
 *    is made of [A-Za-z0-9_.-] only and the result fits in 15 bytes.
 *  - Hashed form otherwise: "t~" + 10 lowercase hex digits of a 64-bit
 *    FNV-1a hash of the user name, plus "+i" for i >= 1 (e.g.
 *    "t~3fa09c1d2e", "t~3fa09c1d2e+2").  '~' never appears in a readable
 *    name and '+' never in a user name of a readable form, so the forms
 *    cannot collide with each other. */
#pragma once
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#define TAP_INDEX_MAX 99
#define TAP_NAME_HASHED_PREFIX "t~" /* how every hashed name starts */

/* True if pattern is a valid tap_name pattern (see above). */
bool tap_name_pattern_is_valid(const char *pattern);

/* NULL if pattern is valid, else why not, as a short phrase for a config
 * error ("has no %u").  Besides the rules above, a pattern needs at least
 * one character other than %u (a bare "%u" would name taps "lo", "eth0" or
 * ".." for such users) and at most IFNAMSIZ-3 of them (the whole pattern
 * fits in IFNAMSIZ bytes, and a name has room for a user). */
const char *tap_name_pattern_problem(const char *pattern);

/* Writes the tap name of (user, index) into ret (IFNAMSIZ bytes).
 * Returns 0, or -EINVAL for an invalid pattern, an empty user or an index
 * above TAP_INDEX_MAX; ret is untouched on failure. */
int tap_name_for_user(const char *pattern, const char *user, unsigned index, char ret[IFNAMSIZ]);

/* The inverse for a name of this user: returns the index (>= 0) when
 * name == tap_name_for_user(pattern, user, index) for some index, else -1. */
int tap_name_index(const char *pattern, const char *user, const char *name);

/* The index a name of either form carries, whatever pattern made it: its
 * "+i", or 0 without one; -1 for a bad suffix.  (What a new tap_name
 * renames a link to keeps this index.) */
int tap_name_suffix_index(const char *name);
