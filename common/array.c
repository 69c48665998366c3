/* Growing arrays (see array.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "array.h"

int array_reserve(void **p, size_t *allocated, size_t need, size_t size) {
        size_t want = *allocated ? *allocated : 16;

        if (need <= *allocated)
                return 0;
        while (want < need) {
                if (want > SIZE_MAX / 2)
                        return -ENOMEM;
                want *= 2;
        }
        if (want > SIZE_MAX / size)
                return -ENOMEM;
        void *q = realloc(*p, want * size);
        if (!q)
                return -ENOMEM;
        *p = q;
        *allocated = want;
        return 0;
}
