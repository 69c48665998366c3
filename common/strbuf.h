/* A growing, NUL-terminated text in memory, for output built whole
 * before it is written (the lab page, nftables rulesets): append, then
 * check the error once at the end. */
#pragma once
#include <stddef.h>

struct strbuf {
        char *data;   /* NUL-terminated once anything was added; NULL before */
        size_t len, cap;
        int error;    /* first failure (-ENOMEM), later appends do nothing */
};

void strbuf_put(struct strbuf *b, const char *s, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
/* Appends; on out of memory sets error and keeps what was there. */
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty). */
const char *strbuf_str(const struct strbuf *b);
/* Empties the buffer, keeping its memory. */
void strbuf_reset(struct strbuf *b);
void strbuf_free(struct strbuf *b);
