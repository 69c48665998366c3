/* The table of students who have sessions: per student, the login tap
 * and the processes that opened a session (counted, watched by pidfd).
 * Pure bookkeeping: no kernel calls beyond closing fds it is handed. */
#pragma once
#include <net/if.h>
#include <stddef.h>
#include <sys/types.h>

#include "users.h"

struct session {
        pid_t pid;
        unsigned long long start_time; /* /proc/PID/stat field 22: tells pid reuse apart */
        int pidfd;                     /* -1 until watched */
};

struct student {
        struct user_info user;
        char login_tap[IFNAMSIZ];
        struct session *sessions;
        size_t n_sessions;
};

struct students {
        struct student **v;
        size_t n;
};

struct student *students_find(const struct students *s, const char *name);
struct student *students_find_by_pidfd(const struct students *s, int pidfd);
/* Adds an empty student; NULL on out of memory. */
struct student *students_add(struct students *s, const struct user_info *user, const char *login_tap);
/* Removes and frees st (closing its holder and pidfds). */
void students_remove(struct students *s, struct student *st);
void students_clear(struct students *s);

int student_add_session(struct student *st, pid_t pid, unsigned long long start_time, int pidfd);
/* Removes the session of pid, or if there is none the oldest one; its
 * pidfd is returned in ret_pidfd (-1 if none) for the caller to unwatch
 * and close.  -ENOENT if the student has no session. */
int student_remove_session(struct student *st, pid_t pid, int *ret_pidfd);
/* Removes the session watched by pidfd; -ENOENT if none. */
int student_remove_session_by_pidfd(struct student *st, int pidfd);
