/* Host names as DNS has them: what a guest may call itself and what a
 * lab domain may be. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define DNS_LABEL_MAX 63

/* One label: [A-Za-z0-9-], 1..63 bytes, no '-' first or last. */
bool dns_label_is_valid(const char *s, size_t len);

/* Labels as above joined by single dots, at most 63 bytes in all (the lab
 * domain; longer names would not fit the snapshot's fixed fields). */
bool dns_domain_is_valid(const char *s, size_t len);
