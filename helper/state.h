/* run_dir/state: what vmnetd must know again after a crash or restart.
 *
 *   vmnetd-state 1
 *   bridge NAME created|adopted
 *   student NAME UID GID LOGIN_TAP
 *   session NAME PID START_TIME
 *
 * Written to a temporary file and renamed, so a reader sees the old or the
 * new state, never half of one. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "students.h"

struct saved_state {
        char bridge[IFNAMSIZ];
        bool bridge_created;
        struct students students; /* pidfds are -1 */
};

/* Parses text; 0 or -EBADMSG with the first bad line number in *ret_line.
 * On failure *ret is empty. */
int state_parse(const char *text, size_t len, struct saved_state *ret, unsigned *ret_line);
int state_load(const char *path, struct saved_state *ret); /* -ENOENT: no state */
int state_save(const char *path, const char *bridge, bool bridge_created, const struct students *s);
void saved_state_clear(struct saved_state *st);
