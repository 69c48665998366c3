/* A growing text (see strbuf.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

static int reserve(struct strbuf *b, size_t n) {
        if (b->error)
                return b->error;
        if (n >= (size_t)-1 / 2 - b->len) {
                b->error = -ENOMEM;
                return b->error;
        }
        if (b->len + n + 1 <= b->cap)
                return 0;
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
                cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) {
                b->error = -ENOMEM;
                return b->error;
        }
        b->data = d;
        b->cap = cap;
        return 0;
}

void strbuf_put(struct strbuf *b, const char *s, size_t n) {
        if (reserve(b, n) < 0)
                return;
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = 0;
}

void strbuf_puts(struct strbuf *b, const char *s) {
        strbuf_put(b, s, strlen(s));
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...) {
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
                if (!b->error)
                        b->error = -EINVAL;
                return;
        }
        if (reserve(b, (size_t)n) < 0)
                return;
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t)n;
}

const char *strbuf_str(const struct strbuf *b) {
        return b->data ? b->data : "";
}

void strbuf_reset(struct strbuf *b) {
        b->len = 0;
        b->error = 0;
        if (b->data)
                b->data[0] = 0;
}

void strbuf_free(struct strbuf *b) {
        free(b->data);
        b->data = NULL;
        b->len = b->cap = 0;
}
