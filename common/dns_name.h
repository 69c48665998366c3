/* Host names as DNS has them: what a guest may call itself and what a
 * lab domain may be. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define DNS_LABEL_MAX 63

/* One label: [A-Za-z0-9-], 1..63 bytes, no '-' first or last. */
bool dns_label_is_valid(const char *s, size_t len);

/* Copies len bytes of src to dst with ASCII A-Z made a-z (names compare
 * case-insensitively; the snapshot holds them lowercase). */
void dns_lowercase(char *dst, const char *src, size_t len);

/* dns_label_is_valid() and dns_lowercase() in one pass: returns false
 * (dst then holds garbage) when src is no label. */
bool dns_label_lowercase(char *dst, const char *src, size_t len);

/* True if s (len bytes) holds an ASCII capital letter. */
bool dns_has_uppercase(const char *s, size_t len);

/* Labels as above joined by single dots, at most 63 bytes in all (the lab
 * domain; longer names would not fit the snapshot's fixed fields). */
bool dns_domain_is_valid(const char *s, size_t len);
