/* Scope-bound release of fds, memory and streams (systemd's _cleanup_
 * pattern): a variable declared with one of these is released however the
 * function returns, and TAKE_FD / TAKE_PTR hand it on instead.  Every
 * destructor accepts the "nothing" value (-1, NULL). */
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}

static inline void freep(void *p) {
        free(*(void **)p);
}

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

#define _cleanup_close_  _cleanup_(closep)
#define _cleanup_free_   _cleanup_(freep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* The value, leaving the variable empty so its cleanup does nothing. */
#define TAKE_FD(fd)                     \
        ({                              \
                int _fd_ = (fd);        \
                (fd) = -1;              \
                _fd_;                   \
        })
#define TAKE_PTR(p)                     \
        ({                              \
                __typeof__(p) _p_ = (p); \
                (p) = NULL;             \
                _p_;                    \
        })

#define ELEMENTSOF(a) (sizeof a / sizeof((a)[0]))
