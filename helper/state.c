/* The state file (see state.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "files.h"
#include "hex.h"
#include "segment_name.h"
#include "state.h"
#include "strbuf.h"

#define STATE_MAX (16u << 20)

static bool needs_escape(unsigned char c) {
        return c <= ' ' || c > '~' || c == '%';
}

/* The state is written whole on every change: with 1000 students that is
 * 5000 lines a login, so no printf and no byte-by-byte stdio here (which
 * was most of a login's time: tests/bench/sessions). */
static void put_escaped(struct strbuf *b, const char *s) {
        static const char hex[] = "0123456789ABCDEF";
        const unsigned char *p = (const unsigned char *)s, *run = p;

        for (; *p; p++) {
                if (!needs_escape(*p))
                        continue;
                strbuf_put(b, (const char *)run, (size_t)(p - run));
                char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
                strbuf_put(b, e, sizeof e);
                run = p + 1;
        }
        strbuf_put(b, (const char *)run, (size_t)(p - run));
}

/* " N" for an unsigned or (signed) number. */
static void put_number(struct strbuf *b, unsigned long long v, bool negative) {
        char digits[24], *p = digits + sizeof digits;

        do
                *--p = (char)('0' + v % 10);
        while ((v /= 10) > 0);
        if (negative)
                *--p = '-';
        *--p = ' ';
        strbuf_put(b, p, (size_t)(digits + sizeof digits - p));
}

static void put_unsigned(struct strbuf *b, unsigned long long v) {
        put_number(b, v, false);
}

static void put_signed(struct strbuf *b, long long v) {
        put_number(b, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, v < 0);
}

/* " WORD" */
static void put_word(struct strbuf *b, const char *w) {
        strbuf_put(b, " ", 1);
        strbuf_puts(b, w);
}

/* Undoes put_escaped into ret (size bytes); -EBADMSG for a bad escape, an
 * escaped NUL, a byte that should have been escaped, or too long a name. */
static int unescape(const char *s, char *ret, size_t size) {
        size_t n = 0;

        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (c == '%') {
                        int hi = hex_digit(s[1]), lo = hi < 0 ? -1 : hex_digit(s[2]);
                        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                                return -EBADMSG;
                        c = (unsigned char)(hi << 4 | lo);
                        s += 2;
                } else if (needs_escape(c))
                        return -EBADMSG;
                if (n + 1 >= size)
                        return -EBADMSG;
                ret[n++] = (char)c;
        }
        if (n == 0)
                return -EBADMSG;
        ret[n] = '\0';
        return 0;
}

/* The words of line, split at single spaces, into w (at most max); their count. */
static size_t split(char *line, char **w, size_t max) {
        size_t n = 0;

        for (char *p = line; n < max;) {
                w[n++] = p;
                p = strchr(p, ' ');
                if (!p)
                        return n;
                *p++ = '\0';
        }
        return max + 1; /* more words than any line has */
}

static bool parse_ulong(const char *s, unsigned long long max, unsigned long long *ret) {
        char *end;

        if (s[0] < '0' || s[0] > '9')
                return false;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || *end || v > max)
                return false;
        *ret = v;
        return true;
}

static bool parse_ifname(const char *s, char ret[IFNAMSIZ]) {
        size_t n = strlen(s);
        if (n == 0 || n >= IFNAMSIZ)
                return false;
        memcpy(ret, s, n + 1);
        return true;
}

static int parse_student(char **w, size_t n, struct saved_state *st) {
        struct user_info u = {};
        unsigned long long uid, gid;
        char tap[IFNAMSIZ];

        if (n != 5 || unescape(w[1], u.name, sizeof u.name) < 0 || !parse_ulong(w[2], UINT32_MAX - 1, &uid) ||
            !parse_ulong(w[3], UINT32_MAX - 1, &gid) || !parse_ifname(w[4], tap))
                return -EBADMSG;
        struct student *again = students_find(&st->students, u.name);
        if (again && st->version < 4)
                return -EBADMSG;
        if (again) /* a journal's newer line for the student: it replaces the older one */
                students_remove(&st->students, again);
        u.uid = (uid_t)uid;
        u.gid = (gid_t)gid;
        return students_add(&st->students, &u, tap) ? 0 : -ENOMEM;
}

static int parse_session(char **w, size_t n, struct saved_state *st) {
        char name[VMNET_USER_MAX + 1];
        unsigned long long pid, start;
        struct student *s;

        if (n != 4 || unescape(w[1], name, sizeof name) < 0 || !parse_ulong(w[2], INT32_MAX, &pid) || pid == 0 ||
            !parse_ulong(w[3], UINT64_MAX, &start))
                return -EBADMSG;
        s = students_find(&st->students, name);
        if (!s)
                return -EBADMSG;
        return student_add_session(s, (pid_t)pid, start, -1, 0);
}

/* The words a link line has: a segment's two more (its name, keep), what
 * is on a segment one more (the segment's bridge).  When vmnetd made it
 * (link_record.created) may follow them, as one word more. */
static size_t link_words(enum link_kind kind) {
        if (kind == LINK_SEGMENT)
                return 8;
        return LINK_KINDS_ON_SEGMENT & LINK_KIND_BIT(kind) ? 7 : 6;
}

static int parse_link(char **w, size_t n, struct saved_state *st) {
        struct link_record rec = {};
        unsigned long long ifindex, owner, peer, segment = 0, created = 0;
        size_t words;

        if (n < 6 || !parse_ulong(w[1], INT32_MAX, &ifindex) || !parse_ifname(w[2], rec.name) ||
            !(rec.kind = link_kind_from_word(w[3])) || !parse_ulong(w[4], UINT32_MAX - 1, &owner) ||
            !parse_ulong(w[5], INT32_MAX, &peer))
                return -EBADMSG;
        /* the kind's words, then when it was made: that last word came
         * later, a line without it is older */
        words = link_words(rec.kind);
        if (n != words && n != words + 1)
                return -EBADMSG;
        if (words == 7 && !parse_ulong(w[6], INT32_MAX, &segment))
                return -EBADMSG;
        if (words == 8) {
                if (segment_name_problem(w[6]) || (strcmp(w[7], "keep") != 0 && strcmp(w[7], "session") != 0))
                        return -EBADMSG;
                strcpy(rec.label, w[6]); /* fits: a valid segment name */
                rec.keep = strcmp(w[7], "keep") == 0;
        }
        if (n == words + 1 && (!parse_ulong(w[words], INT64_MAX, &created) || created == 0))
                return -EBADMSG;
        rec.created = n == words + 1 ? (int64_t)created : -1; /* -1: not known (link_registry.h) */
        rec.ifindex = (int)ifindex;
        rec.owner = (uid_t)owner;
        rec.peer_ifindex = (int)peer;
        rec.segment = (int)segment;
        if (st->version >= 4 && rec.ifindex > 0)
                link_registry_remove(&st->links, rec.ifindex); /* a journal's newer line replaces it */
        int r = link_registry_add(&st->links, &rec);
        return r == -EEXIST || r == -EINVAL ? -EBADMSG : r;
}

/* A journal's "-student USER" and "-link IFINDEX": the record is gone. */
static int parse_gone(char **w, size_t n, struct saved_state *st) {
        char name[VMNET_USER_MAX + 1];
        unsigned long long ifindex;

        if (n != 2)
                return -EBADMSG;
        if (strcmp(w[0], "-student") == 0) {
                struct student *s = unescape(w[1], name, sizeof name) < 0 ? NULL : students_find(&st->students, name);
                if (!s)
                        return -EBADMSG;
                students_remove(&st->students, s);
                return 0;
        }
        if (strcmp(w[0], "-link") == 0 && parse_ulong(w[1], INT32_MAX, &ifindex) &&
            link_registry_remove(&st->links, (int)ifindex))
                return 0;
        return -EBADMSG;
}

static int parse_address(char **w, size_t n, struct saved_state *st) {
        struct address_record rec = {};
        unsigned long long ifindex, prefix;
        char *slash = n == 3 ? strchr(w[2], '/') : NULL;

        if (!slash || !parse_ulong(w[1], INT32_MAX, &ifindex))
                return -EBADMSG;
        *slash = '\0';
        if (inet_pton(AF_INET, w[2], &rec.address) != 1 || !parse_ulong(slash + 1, 32, &prefix))
                return -EBADMSG;
        rec.ifindex = (int)ifindex;
        rec.prefix_len = (unsigned)prefix;
        int r = made_address_add(&st->made, &rec);
        return r == -EINVAL ? -EBADMSG : r;
}

static int parse_table(char **w, size_t n, struct saved_state *st) {
        char table[MADE_TABLE_MAX];

        if (n != 3 || snprintf(table, sizeof table, "%s %s", w[1], w[2]) >= (int)sizeof table)
                return -EBADMSG;
        int r = made_table_add(&st->made, table);
        return r == -EINVAL ? -EBADMSG : r;
}

static int parse_line(char *line, struct saved_state *st) {
        char *w[10];
        size_t n = split(line, w, 9);

        if (strcmp(w[0], "bridge") == 0) {
                if (n != 3 || !parse_ifname(w[1], st->bridge))
                        return -EBADMSG;
                if (strcmp(w[2], "created") != 0 && strcmp(w[2], "adopted") != 0)
                        return -EBADMSG;
                st->bridge_created = strcmp(w[2], "created") == 0;
                return 0;
        }
        if (strcmp(w[0], "student") == 0)
                return parse_student(w, n, st);
        if (strcmp(w[0], "session") == 0)
                return parse_session(w, n, st);
        if (strcmp(w[0], "link") == 0 && st->version >= 2)
                return parse_link(w, n, st);
        if (strcmp(w[0], "address") == 0 && st->version >= 3)
                return parse_address(w, n, st);
        if (strcmp(w[0], "table") == 0 && st->version >= 3)
                return parse_table(w, n, st);
        if (w[0][0] == '-' && st->version >= 4)
                return parse_gone(w, n, st);
        return -EBADMSG;
}

int state_parse(const char *text, size_t len, struct saved_state *ret) {
        struct saved_state st = {};
        unsigned lineno = 0;
        size_t pos = 0;

        while (pos < len) {
                const char *nl = memchr(text + pos, '\n', len - pos);
                size_t n = (nl ? (size_t)(nl - text) : len) - pos;
                _cleanup_free_ char *line = strndup(text + pos, n);
                int r;

                lineno++;
                pos += n + 1;
                if (!line) {
                        saved_state_clear(&st);
                        return -ENOMEM;
                }
                if (lineno == 1) {
                        if (strlen(line) == 14 && strncmp(line, "vmnetd-state ", 13) == 0 && line[13] >= '1' &&
                            line[13] <= '0' + STATE_VERSION) {
                                st.version = (unsigned)(line[13] - '0');
                                continue;
                        }
                        return -EBADMSG;
                }
                if (line[0] == '\0' && n == 0)
                        continue;
                if (!nl && st.version >= 4)
                        r = -EBADMSG; /* a record whose append a crash cut short */
                else
                        r = strlen(line) != n ? -EBADMSG : parse_line(line, &st); /* a NUL in the line is bad */
                if (r == -ENOMEM) {
                        saved_state_clear(&st);
                        return r;
                }
                if (r < 0 && st.n_bad_lines++ == 0)
                        st.first_bad_line = lineno;
        }
        if (st.version == 0)
                return -EBADMSG;
        *ret = st;
        return 0;
}

int state_load(const char *path, struct saved_state *ret) {
        _cleanup_free_ char *buf = NULL;
        size_t n;
        int r;

        r = read_file_whole(path, STATE_MAX, &buf, &n);
        if (r < 0)
                return r;
        return state_parse(buf, n, ret);
}

void state_put_student(struct strbuf *b, const struct student *st) {
        strbuf_puts(b, "student ");
        put_escaped(b, st->user.name);
        put_unsigned(b, st->user.uid);
        put_unsigned(b, st->user.gid);
        put_word(b, st->login_tap);
        strbuf_put(b, "\n", 1);
        for (size_t j = 0; j < st->n_sessions; j++) {
                strbuf_puts(b, "session ");
                put_escaped(b, st->user.name);
                put_signed(b, st->sessions[j].pid);
                put_unsigned(b, st->sessions[j].start_time);
                strbuf_put(b, "\n", 1);
        }
}

void state_put_student_gone(struct strbuf *b, const char *user) {
        strbuf_puts(b, "-student ");
        put_escaped(b, user);
        strbuf_put(b, "\n", 1);
}

void state_put_link(struct strbuf *b, const struct link_record *rec) {
        strbuf_puts(b, "link");
        put_signed(b, rec->ifindex);
        put_word(b, rec->name);
        put_word(b, link_kind_info(rec->kind)->word);
        put_unsigned(b, rec->owner);
        put_signed(b, rec->peer_ifindex);
        if (link_words(rec->kind) == 7)
                put_signed(b, rec->segment);
        if (rec->kind == LINK_SEGMENT) {
                put_word(b, rec->label);
                put_word(b, rec->keep ? "keep" : "session");
        }
        if (rec->created > 0) /* known: the last word (older lines have none) */
                put_signed(b, rec->created);
        strbuf_put(b, "\n", 1);
}

void state_put_link_gone(struct strbuf *b, int ifindex) {
        strbuf_puts(b, "-link");
        put_signed(b, ifindex);
        strbuf_put(b, "\n", 1);
}

int state_format(const struct students *s, const struct link_registry *links, const struct lab_made *made,
                 char **ret) {
        struct strbuf b = {};

        strbuf_puts(&b, "vmnetd-state");
        put_unsigned(&b, STATE_VERSION);
        strbuf_put(&b, "\n", 1);
        for (size_t i = 0; i < s->n; i++)
                state_put_student(&b, s->v[i]);
        link_registry_foreach(rec, links)
                state_put_link(&b, rec);
        for (size_t i = 0; i < made->n_addresses; i++) {
                char a[INET_ADDRSTRLEN];
                inet_ntop(AF_INET, &made->addresses[i].address, a, sizeof a);
                strbuf_puts(&b, "address");
                put_signed(&b, made->addresses[i].ifindex);
                strbuf_printf(&b, " %s/%u\n", a, made->addresses[i].prefix_len);
        }
        for (size_t i = 0; i < made->n_tables; i++) {
                strbuf_puts(&b, "table");
                put_word(&b, made->tables[i]);
                strbuf_put(&b, "\n", 1);
        }
        if (b.error || b.len > INT_MAX) {
                strbuf_free(&b);
                return -ENOMEM;
        }
        if (!b.data)
                strbuf_put(&b, "", 0);
        *ret = b.data;
        return (int)b.len;
}

int state_save(const char *path, const struct students *s, const struct link_registry *links,
               const struct lab_made *made) {
        _cleanup_free_ char *text = NULL;
        int n = state_format(s, links, made, &text);

        if (n < 0)
                return n;
        return write_file_atomic(path, text, (size_t)n, 0600);
}

int state_append(const char *path, const char *records, size_t len) {
        /* no O_CREAT: records make sense only after the whole state they change */
        _cleanup_close_ int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0)
                return -errno;
        /* one write: a crash leaves every record before the last whole */
        ssize_t k = write(fd, records, len);
        if (k < 0)
                return -errno;
        return (size_t)k == len ? 0 : -EIO;
}

void saved_state_clear(struct saved_state *st) {
        students_clear(&st->students);
        link_registry_clear(&st->links);
}
