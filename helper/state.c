/* The state file (see state.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"

#define STATE_MAX (16u << 20)

static int parse_line(char *line, struct saved_state *st, bool *seen_header) {
        char word[16], name[VMNET_USER_MAX + 1], tap[IFNAMSIZ], how[16];
        unsigned long long start;
        unsigned uid, gid;
        int pid, n = 0;

        if (!*seen_header) {
                if (strcmp(line, "vmnetd-state 1") != 0)
                        return -EBADMSG;
                *seen_header = true;
                return 0;
        }
        if (line[0] == 0)
                return 0;
        if (sscanf(line, "%15s%n", word, &n) != 1)
                return -EBADMSG;
        if (strcmp(word, "bridge") == 0) {
                if (sscanf(line, "bridge %15s %15s%n", tap, how, &n) != 2 || line[n])
                        return -EBADMSG;
                strcpy(st->bridge, tap);
                st->bridge_created = strcmp(how, "created") == 0;
                return strcmp(how, "created") == 0 || strcmp(how, "adopted") == 0 ? 0 : -EBADMSG;
        }
        if (strcmp(word, "student") == 0) {
                if (sscanf(line, "student %32s %u %u %15s%n", name, &uid, &gid, tap, &n) != 4 || line[n])
                        return -EBADMSG;
                if (students_find(&st->students, name))
                        return -EBADMSG;
                struct user_info u = { .uid = uid, .gid = gid };
                strcpy(u.name, name);
                return students_add(&st->students, &u, tap) ? 0 : -ENOMEM;
        }
        if (strcmp(word, "session") == 0) {
                if (sscanf(line, "session %32s %d %llu%n", name, &pid, &start, &n) != 3 || line[n] || pid <= 0)
                        return -EBADMSG;
                struct student *s = students_find(&st->students, name);
                if (!s)
                        return -EBADMSG;
                return student_add_session(s, pid, start, -1);
        }
        return -EBADMSG;
}

int state_parse(const char *text, size_t len, struct saved_state *ret, unsigned *ret_line) {
        struct saved_state st = {};
        bool seen_header = false;
        unsigned lineno = 0;
        size_t pos = 0;
        int r = 0;

        while (pos < len && r >= 0) {
                const char *nl = memchr(text + pos, '\n', len - pos);
                size_t n = (nl ? (size_t)(nl - text) : len) - pos;
                char line[256];
                lineno++;
                if (n >= sizeof line || memchr(text + pos, 0, n)) {
                        r = -EBADMSG;
                        break;
                }
                memcpy(line, text + pos, n);
                line[n] = 0;
                r = parse_line(line, &st, &seen_header);
                pos += n + 1;
        }
        if (r >= 0 && !seen_header)
                r = -EBADMSG;
        if (r < 0) {
                saved_state_clear(&st);
                if (ret_line)
                        *ret_line = lineno;
                return r;
        }
        *ret = st;
        return 0;
}

int state_load(const char *path, struct saved_state *ret) {
        char *buf;
        ssize_t n;
        int fd, r;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        buf = malloc(STATE_MAX);
        if (!buf) {
                close(fd);
                return -ENOMEM;
        }
        n = read(fd, buf, STATE_MAX);
        r = n < 0 ? -errno : state_parse(buf, (size_t)n, ret, NULL);
        free(buf);
        close(fd);
        return r;
}

int state_save(const char *path, const char *bridge, bool bridge_created, const struct students *s) {
        char tmp[PATH_MAX];
        FILE *f;
        int fd;

        if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
                return -ENAMETOOLONG;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        f = fdopen(fd, "w");
        if (!f) {
                close(fd);
                return -errno;
        }
        fprintf(f, "vmnetd-state 1\nbridge %s %s\n", bridge, bridge_created ? "created" : "adopted");
        for (size_t i = 0; i < s->n; i++) {
                const struct student *st = s->v[i];
                fprintf(f, "student %s %u %u %s\n", st->user.name, (unsigned)st->user.uid,
                        (unsigned)st->user.gid, st->login_tap);
                for (size_t j = 0; j < st->n_sessions; j++)
                        fprintf(f, "session %s %d %llu\n", st->user.name, (int)st->sessions[j].pid,
                                st->sessions[j].start_time);
        }
        if (fflush(f) != 0 || ferror(f)) {
                int e = -errno;
                fclose(f);
                unlink(tmp);
                return e ? e : -EIO;
        }
        fclose(f);
        if (rename(tmp, path) < 0) {
                int e = -errno;
                unlink(tmp);
                return e;
        }
        return 0;
}

void saved_state_clear(struct saved_state *st) {
        students_clear(&st->students);
}
