/* A JSON string literal from a C string, for machine-readable output. */
#pragma once
#include <stddef.h>

/* Writes s as a JSON string literal, quotes included, into out (size
 * bytes, NUL-terminated when size > 0, cut short when too small) and
 * returns the length the whole literal needs, like snprintf.  '"', '\\'
 * and control characters are escaped; other bytes pass through (our
 * strings are ASCII names; valid UTF-8 stays valid). */
size_t json_string(const char *s, char *out, size_t size);
