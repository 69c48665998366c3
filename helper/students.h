/* The table of students who have sessions: per student, the login tap
 * and the processes that opened a session (counted, watched by pidfd).
 * Pure bookkeeping: no kernel calls beyond closing fds it is handed. */
#pragma once
#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "users.h"

struct session {
        pid_t pid;
        unsigned long long start_time; /* /proc/PID/stat field 22: tells pid reuse apart */
        int pidfd;                     /* -1 until watched */
        uint64_t watch_id;             /* the event loop's name for the watch: never reused, unlike fds */
};

struct student {
        struct user_info user;
        char login_tap[IFNAMSIZ];
        struct session *sessions;
        size_t n_sessions, allocated_sessions;
};

struct students {
        struct student **v;
        size_t n;
};

struct student *students_find(const struct students *s, const char *name);
/* The student with the session watched as watch_id (never 0), or NULL. */
struct student *students_find_by_watch(const struct students *s, uint64_t watch_id);
/* Adds an empty student; NULL on out of memory. */
struct student *students_add(struct students *s, const struct user_info *user, const char *login_tap);
/* Removes and frees st (closing its sessions' pidfds). */
void students_remove(struct students *s, struct student *st);
void students_clear(struct students *s);

/* Makes room for one more session, so that adding it cannot fail. */
int student_reserve_session(struct student *st);
int student_add_session(struct student *st, pid_t pid, unsigned long long start_time, int pidfd, uint64_t watch_id);
/* Removes the session of pid, or if there is none the oldest one, into
 * *ret (its pidfd for the caller to unwatch and close).  -ENOENT if the
 * student has no session. */
int student_remove_session(struct student *st, pid_t pid, struct session *ret);
/* Removes the session watched as watch_id into *ret; -ENOENT if none. */
int student_remove_session_by_watch(struct student *st, uint64_t watch_id, struct session *ret);
