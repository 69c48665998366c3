/* Sessions: OPEN, CLOSE, and a session's process dying (see lab.h).  A
 * student's first session brings their login link, the last one's end
 * retires it. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "lab_ops.h"
#include "log.h"
#include "state.h"
#include "strbuf.h"
#include "tap_name.h"

/* Records a login link vmnetd just made (the records for the state in
 * change); undoes it if it cannot. */
static int record_login_link(struct lab *lab, const struct kernel_link *student_end,
                             const struct kernel_link *bridge_end, uid_t owner, struct strbuf *change) {
        struct link_record a = { .ifindex = student_end->ifindex, .kind = LINK_LOGIN, .owner = owner,
                                 .peer_ifindex = bridge_end->ifindex };
        struct link_record b = { .ifindex = bridge_end->ifindex, .kind = LINK_LOGIN_PEER, .owner = owner,
                                 .peer_ifindex = student_end->ifindex };
        int r;

        strcpy(a.name, student_end->name);
        strcpy(b.name, bridge_end->name);
        r = link_registry_add(&lab->links, &a);
        if (r >= 0) {
                r = link_registry_add(&lab->links, &b);
                if (r < 0)
                        link_registry_remove(&lab->links, a.ifindex);
        }
        if (r < 0) {
                /* unrecorded, it would never be removed: remove it now */
                (void)lab->ops->links_delete(lab, &a.ifindex, 1);
                return log_error_errno(r, "cannot record %s: %m", a.name);
        }
        /* the registry's copies: they say when the links were made */
        state_put_link(change, link_registry_by_ifindex(&lab->links, a.ifindex));
        state_put_link(change, link_registry_by_ifindex(&lab->links, b.ifindex));
        return 0;
}

/* The login link of st, made if needed (its records onto change). */
static int ensure_login_link(struct lab *lab, struct student *st, struct strbuf *change) {
        struct link_record *rec = link_registry_by_name(&lab->links, st->login_tap, LINK_KIND_BIT(LINK_LOGIN));
        struct kernel_link student_end, bridge_end;
        int r;

        if (rec && rec->owner == st->user.uid) {
                /* left by a previous vmnetd, or still waiting for deletion */
                r = lab->ops->login_link_plug(lab, rec->ifindex, rec->peer_ifindex);
                if (r < 0)
                        return log_error_errno(r, "cannot plug %s in again: %m", st->login_tap);
                link_registry_set_dying(&lab->links, rec, false);
                return 0;
        }
        if (rec)
                /* two long names whose 40-bit hashes meet: never share a link */
                return log_error_errno(EADDRINUSE, "%s's login link would be %s, which another student has",
                                       st->user.name, st->login_tap);
        r = lab_pool_take(lab, st, change);
        if (r == 0)
                return 0;
        if (r == -ENOENT) /* none made ahead */
                r = lab->ops->login_link_create(lab, st->login_tap, &student_end, &bridge_end);
        if (r == -EEXIST)
                return log_error_errno(r, "%s exists but vmnetd did not make it: not touching it", st->login_tap);
        if (r < 0)
                return log_error_errno(r, "cannot make %s for %s: %m", st->login_tap, st->user.name);
        return record_login_link(lab, &student_end, &bridge_end, st->user.uid, change);
}

/* Watches the process that opened a session: the session lives as long as
 * it does.  Not being able to is logged, not fatal (CLOSE still ends it).
 * Called only once the OPEN cannot fail: it takes peer_pidfd over. */
static void watch_session(struct lab *lab, const char *user, pid_t pid, int peer_pidfd, int *ret_pidfd,
                          unsigned long long *ret_start_time, uint64_t *ret_watch_id) {
        unsigned long long start_time = 0;
        int pidfd = peer_pidfd, r;

        if (pidfd < 0)
                pidfd = lab->ops->process_pidfd(pid, 0, &start_time);
        else if (lab->ops->process_start_time(pid, &start_time) < 0)
                start_time = 0;
        *ret_start_time = start_time;
        *ret_pidfd = -1;
        *ret_watch_id = 0;
        if (pidfd < 0) {
                log_warn_errno(pidfd, "session of %s: cannot watch pid %d: %m", user, (int)pid);
                return;
        }
        r = lab->watch_pidfd ? lab->watch_pidfd(lab->watch_ctx, pidfd, ret_watch_id) : 0;
        if (r < 0) {
                log_warn_errno(r, "session of %s: cannot watch pid %d: %m", user, (int)pid);
                close(pidfd); /* the peer's too: a successful OPEN owns it */
                return;
        }
        *ret_pidfd = pidfd;
}

int lab_open_session(struct lab *lab, const char *name, pid_t pid, int peer_pidfd, char ret_tap[IFNAMSIZ]) {
        struct strbuf change = {};
        struct user_info user;
        struct student *st;
        bool created = false;
        char tap[IFNAMSIZ];
        unsigned long long start_time;
        uint64_t watch_id;
        int pidfd, r;

        if (lab->ops->user_by_name(name, &user) < 0)
                return -ESRCH;
        if (!lab->ops->user_is_allowed(lab, &user))
                return -EACCES;
        st = students_find(&lab->students, user.name);
        if (!st) {
                r = tap_name_for_user(lab->config.tap_name, user.name, 0, tap);
                if (r < 0)
                        return log_error_errno(r, "no login link name for %s: %m", user.name);
                st = students_add(&lab->students, &user, tap);
                if (!st)
                        return log_error_errno(ENOMEM, "session of %s: %m", user.name);
                created = true;
        }
        /* Everything that can fail comes before the session is counted: a
         * failure leaves no entry and no link behind. */
        r = student_reserve_session(st);
        if (r < 0)
                log_error_errno(r, "session of %s: %m", user.name);
        else if (st->n_sessions == 0)
                r = ensure_login_link(lab, st, &change);
        if (r < 0) {
                if (created)
                        students_remove(&lab->students, st);
                strbuf_free(&change);
                return r;
        }
        watch_session(lab, user.name, pid, peer_pidfd, &pidfd, &start_time, &watch_id);
        r = student_add_session(st, pid, start_time, pidfd, watch_id);
        if (r < 0) /* never: room was reserved */
                return log_error_errno(r, "session of %s: %m", user.name);
        state_put_student(&change, st);
        lab_save_change(lab, &change);
        log_info("session of %s opened by pid %d (%zu open): %s", user.name, (int)pid, st->n_sessions,
                 st->login_tap);
        strcpy(ret_tap, st->login_tap);
        return 0;
}

static void end_session(struct lab *lab, struct student *st, const struct session *s) {
        if (s->pidfd >= 0) {
                if (lab->unwatch_pidfd)
                        lab->unwatch_pidfd(lab->watch_ctx, s->pidfd);
                close(s->pidfd);
        }
        struct strbuf change = {};
        if (st->n_sessions == 0) {
                state_put_student_gone(&change, st->user.name);
                lab_retire_student(lab, st);
        } else
                state_put_student(&change, st);
        lab_save_change(lab, &change);
}

int lab_close_session(struct lab *lab, const char *name, pid_t pid) {
        struct student *st = students_find(&lab->students, name);
        struct session s;

        if (!st || student_remove_session(st, pid, &s) < 0)
                return 0; /* nothing open: closing is idempotent */
        log_info("session of %s closed by pid %d (%zu open)", name, (int)pid, st->n_sessions);
        end_session(lab, st, &s);
        return 0;
}

void lab_session_died(struct lab *lab, uint64_t watch_id) {
        struct student *st = students_find_by_watch(&lab->students, watch_id);
        struct session s;

        /* a watch that ended in this same batch of events: nothing to do */
        if (!st || student_remove_session_by_watch(st, watch_id, &s) < 0)
                return;
        log_info("a session process of %s ended without closing (%zu open)", st->user.name, st->n_sessions);
        end_session(lab, st, &s);
}

void lab_retire_student(struct lab *lab, struct student *st) {
        link_registry_foreach(rec, &lab->links) {
                if (rec->owner != st->user.uid || rec->dying)
                        continue;
                if (rec->kind == LINK_TAP || (rec->kind == LINK_LOGIN && strcmp(rec->name, st->login_tap) == 0))
                        link_registry_set_dying(&lab->links, rec, true); /* a login link's peer goes along */
                else if (rec->kind == LINK_SEGMENT && !rec->keep) {
                        log_info("last session of %s ended: segment %s goes, with what is on it", st->user.name,
                                 rec->label);
                        lab_retire_segment(lab, rec);
                }
        }
        log_info("last session of %s ended: %s goes", st->user.name, st->login_tap);
        students_remove(&lab->students, st);
}
