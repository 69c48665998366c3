/* Network interface names as the kernel accepts them, minus the surprises. */
#pragma once
#include <stdbool.h>

/* NULL if name is a usable interface name, else why not (a short phrase
 * such as "is longer than 15 bytes").  Usable: 1..IFNAMSIZ-1 bytes, not "."
 * or "..", no '/', ':', whitespace or control character (the kernel's own
 * rules), and no '%' (the kernel would expand "%d" into a number). */
const char *ifname_problem(const char *name);

static inline bool ifname_is_valid(const char *name) {
        return !ifname_problem(name);
}

/* s (not empty) is made of [A-Za-z0-9_.-] only: it may stand in a name
 * vmnetd derives for a link as it is (a user name in a tap name or a
 * segment's link), nothing in it confusing the kernel, a shell or the
 * separators those names use ('+', '=', '~'). */
bool ifname_part_is_plain(const char *s);
