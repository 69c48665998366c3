/* JSON output (see json_writer.h). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json_string.h"
#include "json_writer.h"

void jw_init(struct json_writer *w, FILE *f, bool pretty) {
        memset(w, 0, sizeof *w);
        w->f = f;
        w->pretty = pretty;
}

static void newline(struct json_writer *w) {
        fputc('\n', w->f);
        for (unsigned i = 0; i < w->depth; i++)
                fputs("  ", w->f);
}

static void put_escaped(struct json_writer *w, const char *s) {
        char small[256];
        size_t n = json_string(s, small, sizeof small);
        if (n < sizeof small) {
                fputs(small, w->f);
                return;
        }
        char *big = malloc(n + 1);
        if (!big) {
                fputs("\"\"", w->f); /* out of memory: never invalid JSON */
                return;
        }
        json_string(s, big, n + 1);
        fputs(big, w->f);
        free(big);
}

/* The separator and the member name before a value. */
static void member(struct json_writer *w, const char *key) {
        if (w->depth > 0) {
                if (w->has_items[w->depth])
                        fputc(',', w->f);
                if (w->pretty)
                        newline(w);
                else if (w->has_items[w->depth])
                        fputc(' ', w->f);
                w->has_items[w->depth] = true;
        }
        if (key) {
                put_escaped(w, key);
                fputs(": ", w->f);
        }
}

static void open_nested(struct json_writer *w, const char *key, char bracket) {
        member(w, key);
        fputc(bracket, w->f);
        if (w->depth + 1 < JSON_DEPTH_MAX)
                w->depth++;
        w->has_items[w->depth] = false;
}

static void close_nested(struct json_writer *w, char bracket) {
        bool had = w->has_items[w->depth];
        if (w->depth > 0)
                w->depth--;
        if (w->pretty && had)
                newline(w);
        fputc(bracket, w->f);
}

void jw_begin_object(struct json_writer *w, const char *key) { open_nested(w, key, '{'); }
void jw_end_object(struct json_writer *w) { close_nested(w, '}'); }
void jw_begin_array(struct json_writer *w, const char *key) { open_nested(w, key, '['); }
void jw_end_array(struct json_writer *w) { close_nested(w, ']'); }

void jw_string(struct json_writer *w, const char *key, const char *value) {
        member(w, key);
        put_escaped(w, value);
}

void jw_uint(struct json_writer *w, const char *key, uint64_t value) {
        member(w, key);
        fprintf(w->f, "%" PRIu64, value);
}

void jw_int(struct json_writer *w, const char *key, int64_t value) {
        member(w, key);
        fprintf(w->f, "%" PRId64, value);
}

void jw_bool(struct json_writer *w, const char *key, bool value) {
        member(w, key);
        fputs(value ? "true" : "false", w->f);
}

void jw_null(struct json_writer *w, const char *key) {
        member(w, key);
        fputs("null", w->f);
}

void jw_finish(struct json_writer *w) {
        fputc('\n', w->f);
}
