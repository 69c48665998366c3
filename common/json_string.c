/* JSON string escaping (see json_string.h). */
#define _GNU_SOURCE
#include <stdio.h>

#include "json_string.h"

static void emit(char *out, size_t size, size_t *pos, const char *bytes, size_t n) {
        for (size_t i = 0; i < n; i++, (*pos)++)
                if (*pos + 1 < size)
                        out[*pos] = bytes[i];
}

size_t json_string(const char *s, char *out, size_t size) {
        size_t pos = 0;

        emit(out, size, &pos, "\"", 1);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                switch (*p) {
                case '"':  emit(out, size, &pos, "\\\"", 2); break;
                case '\\': emit(out, size, &pos, "\\\\", 2); break;
                case '\n': emit(out, size, &pos, "\\n", 2); break;
                case '\t': emit(out, size, &pos, "\\t", 2); break;
                case '\r': emit(out, size, &pos, "\\r", 2); break;
                default:
                        if (*p < 0x20 || *p == 0x7f) {
                                char esc[7];
                                snprintf(esc, sizeof esc, "\\u%04x", *p);
                                emit(out, size, &pos, esc, 6);
                        } else {
                                emit(out, size, &pos, (const char *)p, 1);
                        }
                }
        }
        emit(out, size, &pos, "\"", 1);
        if (size > 0)
                out[pos < size ? pos : size - 1] = 0;
        return pos;
}
