#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "dns_name.h"
#include "name_hash.h"

bool dns_label_is_valid(const char *s, size_t len) {
        if (len == 0 || len > DNS_LABEL_MAX)
                return false;
        if (s[0] == '-' || s[len - 1] == '-')
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '-'))
                        return false;
        }
        return true;
}

bool dns_label_lowercase(char *dst, const char *src, size_t len) {
        if (!dns_label_ends_are_valid(src, len))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!dns_label_char_lowercase(src[i], &dst[i]))
                        return false;
        return true;
}

void dns_lowercase(char *dst, const char *src, size_t len) {
        for (size_t i = 0; i < len; i++)
                dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? (char)(src[i] - 'A' + 'a') : src[i];
}

bool dns_has_uppercase(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (s[i] >= 'A' && s[i] <= 'Z')
                        return true;
        return false;
}

bool dns_domain_is_valid(const char *s, size_t len) {
        if (len == 0 || len > DNS_LABEL_MAX)
                return false;
        for (size_t start = 0; start <= len;) {
                const char *dot = memchr(s + start, '.', len - start);
                size_t end = dot ? (size_t)(dot - s) : len;
                if (!dns_label_is_valid(s + start, end - start))
                        return false;
                start = end + 1;
        }
        return true;
}

#define USER_LABEL_READABLE_MAX (DNS_USER_LABEL_MAX - 2 - NAME_HASH_HEX)

void dns_user_label(const char *user, char ret[DNS_USER_LABEL_MAX + 1]) {
        size_t len = strlen(user), n = 0;
        char readable[USER_LABEL_READABLE_MAX + 1], hash[NAME_HASH_HEX + 1];

        if (len <= DNS_USER_LABEL_MAX && dns_label_lowercase(ret, user, len) && !memmem(ret, len, "--", 2)) {
                ret[len] = '\0';
                return;
        }
        for (const char *p = user; *p && n < USER_LABEL_READABLE_MAX; p++) {
                char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
                if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                        readable[n++] = c;
                else if (n > 0 && readable[n - 1] != '-')
                        readable[n++] = '-';
        }
        while (n > 0 && readable[n - 1] == '-')
                n--;
        readable[n] = '\0';
        name_hash_hex(user, hash);
        snprintf(ret, DNS_USER_LABEL_MAX + 1, "%s--%s", n ? readable : "u", hash);
}
