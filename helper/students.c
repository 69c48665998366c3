/* The student table (see students.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "students.h"

struct student *students_find(const struct students *s, const char *name) {
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->v[i]->user.name, name) == 0)
                        return s->v[i];
        return NULL;
}

struct student *students_find_by_watch(const struct students *s, uint64_t watch_id) {
        if (watch_id == 0)
                return NULL;
        for (size_t i = 0; i < s->n; i++)
                for (size_t j = 0; j < s->v[i]->n_sessions; j++)
                        if (s->v[i]->sessions[j].watch_id == watch_id)
                                return s->v[i];
        return NULL;
}

struct student *students_add(struct students *s, const struct user_info *user, const char *login_tap) {
        struct student **v, *st;

        if (strlen(login_tap) >= IFNAMSIZ)
                return NULL;
        st = calloc(1, sizeof *st);
        if (!st)
                return NULL;
        v = realloc(s->v, (s->n + 1) * sizeof *v);
        if (!v) {
                free(st);
                return NULL;
        }
        st->user = *user;
        strcpy(st->login_tap, login_tap);
        s->v = v;
        s->v[s->n++] = st;
        return st;
}

void students_remove(struct students *s, struct student *st) {
        for (size_t i = 0; i < s->n; i++) {
                if (s->v[i] != st)
                        continue;
                s->v[i] = s->v[--s->n];
                for (size_t j = 0; j < st->n_sessions; j++)
                        if (st->sessions[j].pidfd >= 0)
                                close(st->sessions[j].pidfd);
                free(st->sessions);
                free(st);
                return;
        }
}

void students_clear(struct students *s) {
        while (s->n > 0)
                students_remove(s, s->v[s->n - 1]);
        free(s->v);
        s->v = NULL;
}

int student_reserve_session(struct student *st) {
        return ARRAY_RESERVE(st->sessions, st->allocated_sessions, st->n_sessions + 1);
}

int student_add_session(struct student *st, pid_t pid, unsigned long long start_time, int pidfd, uint64_t watch_id) {
        int r = student_reserve_session(st);
        if (r < 0)
                return r;
        st->sessions[st->n_sessions++] = (struct session) {
                .pid = pid, .start_time = start_time, .pidfd = pidfd, .watch_id = watch_id,
        };
        return 0;
}

static void remove_at(struct student *st, size_t i) {
        memmove(&st->sessions[i], &st->sessions[i + 1], (st->n_sessions - i - 1) * sizeof st->sessions[0]);
        st->n_sessions--;
}

int student_remove_session(struct student *st, pid_t pid, struct session *ret) {
        size_t i;

        if (st->n_sessions == 0)
                return -ENOENT;
        for (i = 0; i < st->n_sessions; i++)
                if (st->sessions[i].pid == pid)
                        break;
        if (i == st->n_sessions)
                i = 0; /* closed by another process than the opener: the oldest goes */
        *ret = st->sessions[i];
        remove_at(st, i);
        return 0;
}

int student_remove_session_by_watch(struct student *st, uint64_t watch_id, struct session *ret) {
        for (size_t i = 0; i < st->n_sessions; i++)
                if (watch_id != 0 && st->sessions[i].watch_id == watch_id) {
                        *ret = st->sessions[i];
                        remove_at(st, i);
                        return 0;
                }
        return -ENOENT;
}
