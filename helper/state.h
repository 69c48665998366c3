/* run_dir/state: what vmnetd must know again after a crash or restart.
 *
 *   vmnetd-state 2
 *   bridge NAME created|adopted
 *   student USER UID GID LOGIN_TAP
 *   session USER PID START_TIME
 *   link IFINDEX NAME KIND OWNER_UID PEER_IFINDEX
 *
 * USER is escaped: bytes outside '!'..'~' and '%' itself are written %XX
 * (a directory account may hold a space).  KIND is a word of
 * link_kinds[] (link_registry.c).  Version 1 (an older vmnetd's) has no
 * link lines and is read as well.
 *
 * A line that does not parse is skipped and counted, never the whole file:
 * one bad entry must not cost every other student their link at the next
 * start.  Only a missing or unknown header refuses the file.
 *
 * Written whole to a new file and renamed, so a reader sees the old or the
 * new state, never half of one. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "link_registry.h"
#include "students.h"

#define STATE_VERSION 2

struct saved_state {
        unsigned version;
        char bridge[IFNAMSIZ];
        bool bridge_created;
        struct students students; /* pidfds are -1 */
        struct link_registry links;
        unsigned n_bad_lines, first_bad_line; /* lines skipped, and the first of them (1-based) */
};

/* Parses text.  Returns 0 (bad lines skipped and counted in *ret), or
 * -EBADMSG when the header is missing or unknown; on failure *ret is
 * untouched. */
int state_parse(const char *text, size_t len, struct saved_state *ret);
int state_load(const char *path, struct saved_state *ret); /* -ENOENT: no state */
/* The file's text, malloc'ed, into *ret; its length or -ENOMEM. */
int state_format(const char *bridge, bool bridge_created, const struct students *s,
                 const struct link_registry *links, char **ret);
int state_save(const char *path, const char *bridge, bool bridge_created, const struct students *s,
               const struct link_registry *links);
void saved_state_clear(struct saved_state *st);
