/* The guard table's stamp: an empty chain named after the hash of the
 * rules this vmnetd builds with its params, for one student and no ports
 * (another version of vmnetd, or other params, stamp another; exam mode
 * is left out, as a teacher switches it in the table without a build).
 * A table stamped as this vmnetd would stamp it holds these rules, and
 * every student with chains there has them as a login now would make
 * them: a restart or a reload then needs only its students, ports and
 * exam mode brought up to date, not the whole table again.  (The whole
 * table took 3.4 to 4.8 s at 1000 students, tests/bench/sessions: the
 * kernel finds each set a student's rules name by a walk through all the
 * table's sets.)  Only root can change the table: a stamp is not proof
 * against root, nor meant to be. */
#pragma once

#include "guard_listing.h"
#include "guard_rules.h"
#include "strbuf.h"

#define GUARD_STAMP_PREFIX "built_"
#define GUARD_STAMP_SIZE   (sizeof GUARD_STAMP_PREFIX + 16)

/* The stamp of p into ret; "" when it cannot be made (no memory). */
void guard_stamp_of(const struct guard_params *p, char ret[GUARD_STAMP_SIZE]);
/* Whether the table as listed (l) carries stamp. */
bool guard_stamp_listed(const struct guard_listing *l, const char *stamp);
/* To follow a whole table's rules in the same transaction: stamp (none
 * when ""), and the table's other stamps deleted (l: the table as it was;
 * NULL for one made anew). */
void guard_stamp_put(struct strbuf *b, const struct guard_listing *l, const char *stamp);
/* What a table this vmnetd stamped (as listed, l) needs to be as a build
 * would make it: the chains of the students (uids) who have none there
 * yet, every port, and exam mode as p says. */
void guard_stamp_bring_up_to_date(struct strbuf *b, const struct guard_params *p, const struct guard_listing *l,
                                  const struct guard_port *ports, size_t n_ports, const uint32_t *uids,
                                  size_t n_uids);
