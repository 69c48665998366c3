/* The values of vmnet.conf, one parser per kind (see config_parse.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_parse.h"
#include "ifname.h"
#include "tap_name.h"

int config_fail(struct parser *p, unsigned line, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        config_report_vadd(p->report, CONFIG_ERROR, p->file, line, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

struct shown config_show(const char *text) {
        struct shown r;
        size_t i = 0;
        for (; i < 48 && text[i]; i++)
                r.s[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
        if (text[i])
                r.s[i++] = '.', r.s[i++] = '.', r.s[i++] = '.';
        r.s[i] = '\0';
        return r;
}

char *config_trim(char *s) {
        while (*s == ' ' || *s == '\t')
                s++;
        char *e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
                *--e = '\0';
        return s;
}

int parse_unsigned(struct parser *p, unsigned line, const char *key, const char *value,
                          unsigned min, unsigned max, unsigned *ret) {
        char *end;
        unsigned long v;

        /* strtoul would also take " 5", "+5" and "-5" (the last as a huge number) */
        if (value[0] < '0' || value[0] > '9')
                return config_fail(p, line, "%s: '%s' is not a number (expected %u..%u)", key, SHOW(value), min, max);
        errno = 0;
        v = strtoul(value, &end, 10);
        if (*end != '\0')
                return config_fail(p, line, "%s: '%s' is not a number (expected %u..%u)", key, SHOW(value), min, max);
        if (errno == ERANGE || v < min || v > max)
                return config_fail(p, line, "%s: %s is out of range (expected %u..%u)", key, SHOW(value), min, max);
        *ret = (unsigned)v;
        return 0;
}

int parse_path(struct parser *p, unsigned line, const char *key, const char *value,
                      char *ret, size_t size) {
        if (value[0] != '/')
                return config_fail(p, line, "%s: '%s' is not an absolute path", key, SHOW(value));
        if (strlen(value) >= size)
                return config_fail(p, line, "%s: path is too long (at most %zu bytes)", key, size - 1);
        strcpy(ret, value);
        return 0;
}

int parse_ifname(struct parser *p, unsigned line, const char *key, const char *value,
                        char ret[IFNAMSIZ]) {
        const char *problem = ifname_problem(value);
        if (problem)
                return config_fail(p, line, "%s: bad interface name '%s': it %s", key, SHOW(value), problem);
        strcpy(ret, value);
        return 0;
}

static int parse_ipv4(const char *s, struct in_addr *ret) {
        return inet_pton(AF_INET, s, ret) == 1 ? 0 : -EINVAL;
}

uint32_t netmask(unsigned prefix_len) {
        return prefix_len == 0 ? 0 : UINT32_MAX << (32 - prefix_len);
}

int parse_address(struct parser *p, unsigned line, const char *value,
                         struct in_addr *ret_address, unsigned *ret_prefix_len) {
        char buf[INET_ADDRSTRLEN + 4];
        struct in_addr a;
        unsigned prefix_len;
        const char *slash = strchr(value, '/');

        if (!slash || (size_t)(slash - value) >= INET_ADDRSTRLEN)
                return config_fail(p, line, "address: '%s' is not an IPv4 address with a prefix length, like 10.77.0.1/24",
                            SHOW(value));
        memcpy(buf, value, (size_t)(slash - value));
        buf[slash - value] = '\0';
        if (parse_ipv4(buf, &a) < 0)
                return config_fail(p, line, "address: '%s' is not an IPv4 address with a prefix length, like 10.77.0.1/24",
                            SHOW(value));
        int r = parse_unsigned(p, line, "address: prefix length", slash + 1, 1, 30, &prefix_len);
        if (r < 0)
                return r;

        uint32_t h = ntohl(a.s_addr), mask = netmask(prefix_len);
        if ((h >> 24) == 0 || (h >> 24) == 127 || (h >> 28) >= 14)
                return config_fail(p, line, "address: %s is not a usable unicast address", SHOW(buf));
        if ((h & ~mask) == 0)
                return config_fail(p, line, "address: %s is the network address of its subnet; give the bridge a host address",
                            SHOW(value));
        if ((h & ~mask) == ~mask)
                return config_fail(p, line, "address: %s is the broadcast address of its subnet; give the bridge a host address",
                            SHOW(value));
        *ret_address = a;
        *ret_prefix_len = prefix_len;
        return 0;
}

/* Only the syntax here: whether the range fits the subnet is checked once
 * the whole file is read, as address may come after dhcp_range. */
int parse_dhcp_range(struct parser *p, unsigned line, char *value,
                            struct in_addr *ret_start, struct in_addr *ret_end) {
        struct shown shown = config_show(value); /* value is cut in two below */
        struct in_addr s, e;
        char *comma = strchr(value, ',');

        if (comma)
                *comma = '\0';
        if (!comma || parse_ipv4(config_trim(value), &s) < 0 || parse_ipv4(config_trim(comma + 1), &e) < 0)
                return config_fail(p, line, "dhcp_range: '%s' is not START,END (like 10.77.0.100,10.77.0.250)",
                            shown.s);
        *ret_start = s;
        *ret_end = e;
        return 0;
}

int parse_domain(struct parser *p, unsigned line, const char *value, char *ret, size_t size) {
        size_t len = strlen(value), label = 0;

        if (len >= size)
                return config_fail(p, line, "domain: '%s' is too long (at most %zu bytes)", SHOW(value), size - 1);
        for (size_t i = 0; i <= len; i++) {
                char c = value[i];
                if (c == '.' || c == '\0') {
                        if (label == 0)
                                return config_fail(p, line, "domain: '%s' has an empty label", SHOW(value));
                        if (value[i - 1] == '-')
                                return config_fail(p, line, "domain: '%s' has a label ending in '-'", SHOW(value));
                        label = 0;
                } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
                        if (c == '-' && label == 0)
                                return config_fail(p, line, "domain: '%s' has a label starting with '-'", SHOW(value));
                        label++;
                } else
                        return config_fail(p, line, "domain: '%s' has a character other than a-z 0-9 - and '.' between labels",
                                    SHOW(value));
        }
        strcpy(ret, value);
        return 0;
}

int parse_word(struct parser *p, unsigned line, const char *key, const char *value,
                      const char *const *words, unsigned n, unsigned *ret) {
        char list[64] = "";

        for (unsigned i = 0; i < n; i++) {
                if (strcmp(value, words[i]) == 0) {
                        *ret = i;
                        return 0;
                }
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", words[i]);
        }
        return config_fail(p, line, "%s: '%s' is not one of %s", key, SHOW(value), list);
}

int parse_tap_name(struct parser *p, unsigned line, const char *value, char ret[IFNAMSIZ]) {
        const char *problem = tap_name_pattern_problem(value);
        if (problem)
                return config_fail(p, line, "tap_name: '%s' %s", SHOW(value), problem);
        if (strlen(value) >= IFNAMSIZ) /* a valid pattern always fits; checked all the same */
                return config_fail(p, line, "tap_name: '%s' is longer than %d bytes", SHOW(value), IFNAMSIZ - 1);
        strcpy(ret, value);
        return 0;
}

static bool is_group_char(char c, bool first) {
        return (c >= 'a' && c <= 'z') || c == '_' || (!first && ((c >= '0' && c <= '9') || c == '-'));
}

/* Fills the outputs only when the whole list is good. */
int parse_groups(struct parser *p, unsigned line, const char *key, const char *value, const char *when_empty,
                 char ret[CONFIG_GROUPS_MAX][33], unsigned *ret_n) {
        char groups[CONFIG_GROUPS_MAX][33];
        unsigned n = 0;

        for (const char *s = value; *s;) {
                size_t len = strcspn(s, ", \t");
                if (len == 0) {
                        s++;
                        continue;
                }
                if (n == CONFIG_GROUPS_MAX)
                        return config_fail(p, line, "%s: more than %d groups", key, CONFIG_GROUPS_MAX);
                if (len > 32) {
                        memcpy(groups[n], s, 32);
                        groups[n][32] = '\0';
                        return config_fail(p, line, "%s: group name '%s...' is longer than 32 bytes", key,
                                           SHOW(groups[n]));
                }
                memcpy(groups[n], s, len);
                groups[n][len] = '\0';
                for (size_t i = 0; i < len; i++)
                        if (!is_group_char(s[i], i == 0))
                                return config_fail(p, line, "%s: bad group name '%s' (expected [a-z_][a-z0-9_-]*)", key,
                                                   SHOW(groups[n]));
                n++;
                s += len;
        }
        if (n == 0)
                return config_fail(p, line, "%s: '%s' names no group (leave it empty %s)", key, SHOW(value),
                                   when_empty);
        memcpy(ret, groups, sizeof groups);
        *ret_n = n;
        return 0;
}

