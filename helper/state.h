/* run_dir/state: what vmnetd must know again after a crash or restart,
 * and everything it made, whatever the configuration says now.
 *
 *   vmnetd-state 4
 *   student USER UID GID LOGIN_TAP
 *   session USER PID START_TIME
 *   link IFINDEX NAME KIND OWNER_UID PEER_IFINDEX [SEGMENT_IFINDEX]
 *   link IFINDEX NAME segment OWNER_UID 0 LABEL keep|session
 *   address IFINDEX A.B.C.D/PREFIX       an address vmnetd added to a link
 *   table FAMILY NAME                    an nftables table vmnetd made
 *
 * USER is escaped: bytes outside '!'..'~' and '%' itself are written %XX
 * (a directory account may hold a space).  KIND is a word of
 * link_kinds[] (link_registry.c); the lab bridge, when vmnetd made it, is
 * a link of kind lab-bridge.  What is on a private segment names the
 * segment's bridge (SEGMENT_IFINDEX); a segment's own line says what its
 * owner calls it (LABEL, a segment name) and whether it outlives their
 * sessions.  Versions 1 and 2 (older vmnetds') are read as well: they have
 * "bridge NAME created|adopted" instead, version 1 no link lines, neither
 * address nor table lines.
 *
 * A line that does not parse is skipped and counted, never the whole file:
 * one bad entry must not cost every other student their link at the next
 * start.  Only a missing or unknown header refuses the file.
 *
 * Written whole to a new file and renamed, so a reader sees the old or the
 * new state, never half of one.  Then, until the next whole write, each
 * change is appended (a journal, version 4), applied in order:
 *   student ...        the student again, their session lines after it:
 *                      replaces the earlier line and sessions
 *   -student USER      the student and their sessions are gone
 *   link ...           the link again (its IFINDEX): replaces the record
 *   -link IFINDEX      the record is gone
 * Every record ends with a newline: a last line without one is a record
 * whose append a crash cut short, and is skipped. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "lab_made.h"
#include "link_registry.h"
#include "students.h"

#define STATE_VERSION 4

struct strbuf;

struct saved_state {
        unsigned version;
        char bridge[IFNAMSIZ];    /* versions 1 and 2: the bridge line */
        bool bridge_created;
        struct students students; /* pidfds are -1 */
        struct link_registry links;
        struct lab_made made;
        unsigned n_bad_lines, first_bad_line; /* lines skipped, and the first of them (1-based) */
};

/* Parses text.  Returns 0 (bad lines skipped and counted in *ret), or
 * -EBADMSG when the header is missing or unknown; on failure *ret is
 * untouched. */
int state_parse(const char *text, size_t len, struct saved_state *ret);
int state_load(const char *path, struct saved_state *ret); /* -ENOENT: no state */
/* The file's text, malloc'ed, into *ret; its length or -ENOMEM. */
int state_format(const struct students *s, const struct link_registry *links, const struct lab_made *made,
                 char **ret);
int state_save(const char *path, const struct students *s, const struct link_registry *links,
               const struct lab_made *made);
/* The journal's records (see above), onto b. */
void state_put_student(struct strbuf *b, const struct student *st);
void state_put_student_gone(struct strbuf *b, const char *user);
void state_put_link(struct strbuf *b, const struct link_record *rec);
void state_put_link_gone(struct strbuf *b, int ifindex);
/* Appends whole records to the state file at path, in one write.  The
 * file must exist (-ENOENT).  After a failure the file may end in part of
 * a record: only a whole write (state_save) may follow. */
int state_append(const char *path, const char *records, size_t len);
void saved_state_clear(struct saved_state *st);
