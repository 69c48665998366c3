/* Big-endian fields into a growing buffer, and out of a bounded one:
 * the primitives of the lab view's blob (lab_view.h).  A writer or reader
 * remembers its first error, so a sequence of puts or gets is checked
 * once at its end. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* A writer grows its data with realloc up to max; one given a buffer of
 * its own with cap == max never reallocates (the wire protocol's). */
struct byte_writer {
        uint8_t *data;     /* malloc'ed, or the caller's when cap == max */
        size_t size, cap;
        size_t max;        /* the buffer never grows past this: -E2BIG */
        int error;         /* 0 or the first negative errno */
};

void bw_put(struct byte_writer *w, const void *p, size_t n);
void bw_u8(struct byte_writer *w, uint8_t v);
void bw_u16(struct byte_writer *w, uint16_t v);
void bw_u32(struct byte_writer *w, uint32_t v);
void bw_u64(struct byte_writer *w, uint64_t v);
/* u8 length + bytes; a string longer than max (or 255) is -EINVAL. */
void bw_str(struct byte_writer *w, const char *s, size_t max);
void bw_free(struct byte_writer *w);

struct byte_reader {
        const uint8_t *data;
        size_t size, pos;
        int error;         /* 0 or -EBADMSG */
};

const uint8_t *br_get(struct byte_reader *r, size_t n);
uint8_t br_u8(struct byte_reader *r);
uint16_t br_u16(struct byte_reader *r);
uint32_t br_u32(struct byte_reader *r);
uint64_t br_u64(struct byte_reader *r);
/* A string into out (size bytes with its NUL); too long for out or
 * holding a NUL is -EBADMSG. */
void br_str(struct byte_reader *r, char *out, size_t size);
size_t br_left(const struct byte_reader *r);
