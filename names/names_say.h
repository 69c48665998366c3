/* How vmnet-names tells of a file it could not read or write: on stderr,
 * which dnsmasq puts in its log. */
#pragma once
#include <stdio.h>
#include <string.h>

/* "vmnet-names: WHAT PATH: ERROR"; returns r (-errno). */
static inline int names_say(int r, const char *what, const char *path) {
        fprintf(stderr, "vmnet-names: %s %s: %s\n", what, path, strerror(-r));
        return r;
}
