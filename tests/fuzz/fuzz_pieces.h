/* For fuzz targets whose input is several strings separated by NUL bytes. */
#pragma once
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The next NUL-terminated piece of the input from *p (the rest, if no NUL
 * follows), as a malloc'ed string; *p moves past it.  Aborts on out of
 * memory. */
static inline char *fuzz_next_piece(const uint8_t **p, const uint8_t *end) {
        const uint8_t *nul = memchr(*p, '\0', (size_t)(end - *p));
        size_t len = (size_t)((nul ? nul : end) - *p);
        char *s = malloc(len + 1);
        if (!s)
                abort();
        memcpy(s, *p, len);
        s[len] = '\0';
        *p = nul ? nul + 1 : end;
        return s;
}
