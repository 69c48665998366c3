/* JSON output for the vmnet command's --json: one object, pretty-printed
 * (two-space indent) for people at a terminal, on one line for programs.
 * The writer keeps the commas and the nesting; strings are escaped with
 * json_string(). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH_MAX 16

struct json_writer {
        FILE *f;
        bool pretty;
        unsigned depth;
        bool has_items[JSON_DEPTH_MAX]; /* something was written at this depth */
};

void jw_init(struct json_writer *w, FILE *f, bool pretty);
/* key is the member name inside an object, NULL inside an array (or for
 * the outermost value). */
void jw_begin_object(struct json_writer *w, const char *key);
void jw_end_object(struct json_writer *w);
void jw_begin_array(struct json_writer *w, const char *key);
void jw_end_array(struct json_writer *w);
void jw_string(struct json_writer *w, const char *key, const char *value);
void jw_uint(struct json_writer *w, const char *key, uint64_t value);
void jw_int(struct json_writer *w, const char *key, int64_t value);
void jw_bool(struct json_writer *w, const char *key, bool value);
void jw_null(struct json_writer *w, const char *key);
/* Ends the outermost value with a newline. */
void jw_finish(struct json_writer *w);
