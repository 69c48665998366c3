#define _GNU_SOURCE
#include <string.h>

#include "dns_name.h"

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
        if (len == 0 || len > DNS_LABEL_MAX || src[0] == '-' || src[len - 1] == '-')
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = src[i];
                if (c >= 'A' && c <= 'Z')
                        c = (char)(c - 'A' + 'a');
                else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
                        return false;
                dst[i] = c;
        }
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
