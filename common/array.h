/* Growing arrays: one doubling rule for every table that grows. */
#pragma once
#include <stddef.h>

/* Makes room in *p (elements of size bytes, *allocated of them) for at
 * least need elements, doubling, from 16 at first.  0 or -ENOMEM (then *p
 * and *allocated are as they were). */
int array_reserve(void **p, size_t *allocated, size_t need, size_t size);

#define ARRAY_RESERVE(p, allocated, need) array_reserve((void **)&(p), &(allocated), (need), sizeof(*(p)))
