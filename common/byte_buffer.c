/* Big-endian fields in and out of buffers (see byte_buffer.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "byte_buffer.h"

void bw_put(struct byte_writer *w, const void *p, size_t n) {
        if (w->error)
                return;
        if (n > w->max - w->size) {
                w->error = -E2BIG;
                return;
        }
        if (w->size + n > w->cap) {
                size_t cap = w->cap ? w->cap : 4096;
                while (cap < w->size + n)
                        cap *= 2;
                uint8_t *d = realloc(w->data, cap);
                if (!d) {
                        w->error = -ENOMEM;
                        return;
                }
                w->data = d;
                w->cap = cap;
        }
        memcpy(w->data + w->size, p, n);
        w->size += n;
}

void bw_u8(struct byte_writer *w, uint8_t v) {
        bw_put(w, &v, 1);
}

void bw_u16(struct byte_writer *w, uint16_t v) {
        uint8_t b[2] = { v >> 8, v };
        bw_put(w, b, 2);
}

void bw_u32(struct byte_writer *w, uint32_t v) {
        uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };
        bw_put(w, b, 4);
}

void bw_u64(struct byte_writer *w, uint64_t v) {
        bw_u32(w, v >> 32);
        bw_u32(w, (uint32_t)v);
}

void bw_str(struct byte_writer *w, const char *s, size_t max) {
        size_t n = strnlen(s, max + 1);
        if (n > max || n > UINT8_MAX) {
                if (!w->error)
                        w->error = -EINVAL;
                return;
        }
        bw_u8(w, n);
        bw_put(w, s, n);
}

void bw_free(struct byte_writer *w) {
        free(w->data);
        w->data = NULL;
        w->size = w->cap = 0;
}

const uint8_t *br_get(struct byte_reader *r, size_t n) {
        if (r->error)
                return NULL;
        if (n > r->size - r->pos) {
                r->error = -EBADMSG;
                return NULL;
        }
        const uint8_t *p = r->data + r->pos;
        r->pos += n;
        return p;
}

uint8_t br_u8(struct byte_reader *r) {
        const uint8_t *p = br_get(r, 1);
        return p ? p[0] : 0;
}

uint16_t br_u16(struct byte_reader *r) {
        const uint8_t *p = br_get(r, 2);
        return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

uint32_t br_u32(struct byte_reader *r) {
        const uint8_t *p = br_get(r, 4);
        return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

uint64_t br_u64(struct byte_reader *r) {
        uint64_t hi = br_u32(r);
        return hi << 32 | br_u32(r);
}

void br_str(struct byte_reader *r, char *out, size_t size) {
        size_t n = br_u8(r);
        const uint8_t *p = br_get(r, n);
        if (!p)
                return;
        if (n >= size || memchr(p, 0, n)) {
                r->error = -EBADMSG;
                return;
        }
        memcpy(out, p, n);
        out[n] = 0;
}

size_t br_left(const struct byte_reader *r) {
        return r->size - r->pos;
}
