/* The short hash that stands for a user name where the name itself cannot
 * go (a tap name, a DNS label): the top 40 bits of its 64-bit FNV-1a, as 10
 * lowercase hex digits.  With n names hashed, a clash has odds of about
 * n^2 / 2^41 (1 in 2 million for 1000). */
#pragma once
#include <stdint.h>

#define NAME_HASH_HEX 10

/* The whole 64-bit FNV-1a of s (what the short hash is cut from). */
uint64_t name_hash64(const char *s);
/* The hash of s as NAME_HASH_HEX hex digits and a NUL. */
void name_hash_hex(const char *s, char ret[NAME_HASH_HEX + 1]);
/* The same of a pair (a user and a segment of theirs, segment_name.h): of
 * a, a NUL byte, then b, so that the pairs ("ab", "c") and ("a", "bc")
 * stay apart. */
void name_hash_hex_pair(const char *a, const char *b, char ret[NAME_HASH_HEX + 1]);
