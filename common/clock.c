/* The monotonic clock (see clock.h). */
#define _GNU_SOURCE
#include <time.h>

#include "clock.h"

long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}
