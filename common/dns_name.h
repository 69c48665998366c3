/* Host names as DNS has them: what a guest may call itself and what a
 * lab domain may be. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define DNS_LABEL_MAX 63
#define DNS_USER_LABEL_MAX 32 /* the snapshot's owner field holds one */

/* One label: [A-Za-z0-9-], 1..63 bytes, no '-' first or last. */
bool dns_label_is_valid(const char *s, size_t len);

/* Copies len bytes of src to dst with ASCII A-Z made a-z (names compare
 * case-insensitively; the snapshot holds them lowercase). */
void dns_lowercase(char *dst, const char *src, size_t len);

/* dns_label_is_valid() and dns_lowercase() in one pass: returns false
 * (dst then holds garbage) when src is no label. */
bool dns_label_lowercase(char *dst, const char *src, size_t len);

/* The two halves of that, inline for a caller that does more in the same
 * pass (libnss_vmnet's lookup key): a label's length and ends, and one
 * byte of it, lowercased into *ret; false when c may not be in a label. */
static inline bool dns_label_ends_are_valid(const char *s, size_t len) {
        return len > 0 && len <= DNS_LABEL_MAX && s[0] != '-' && s[len - 1] != '-';
}

static inline bool dns_label_char_lowercase(char c, char *ret) {
        if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
                return false;
        *ret = c;
        return true;
}

/* True if s (len bytes) holds an ASCII capital letter. */
bool dns_has_uppercase(const char *s, size_t len);

/* Labels as above joined by single dots, at most 63 bytes in all (the lab
 * domain; longer names would not fit the snapshot's fixed fields). */
bool dns_domain_is_valid(const char *s, size_t len);

/* The label that stands for a user in NAME.USER.DOMAIN (libnss_vmnet),
 * for any user name a directory gives:
 *  - the name in lowercase, when that is a label of at most 32 bytes
 *    without "--" (alice, ALICE -> alice, stu-1);
 *  - else a readable part and the name's hash (name_hash.h): the name in
 *    lowercase with each run of characters other than a-z 0-9 made one
 *    '-', none at its ends, cut to 20 bytes, then "--" and the hash, e.g.
 *    alice@ad.example.edu -> alice-ad-example-edu--3fa09c1d2e; "u--" and
 *    the hash when nothing readable is left.
 * Only the second form holds "--", so the forms never meet; names that
 * differ in case alone share a label, as DNS ignores case. */
void dns_user_label(const char *user, char ret[DNS_USER_LABEL_MAX + 1]);
