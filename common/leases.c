/* dnsmasq's lease file as text, a line at a time (see leases.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "leases.h"
#include "mac_address.h"

static bool parse_expiry(const char *s, size_t len, int64_t *ret) {
        int64_t v = 0;

        if (len == 0 || len > 18) /* 18 digits cannot overflow int64_t */
                return false;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (s[i] - '0');
        }
        *ret = v;
        return true;
}

static bool parse_ipv4(const char *s, size_t len, struct in_addr *ret) {
        char buf[INET_ADDRSTRLEN];

        if (len == 0 || len >= sizeof buf)
                return false;
        memcpy(buf, s, len);
        buf[len] = '\0';
        return inet_pton(AF_INET, buf, ret) == 1;
}

#define LEASE_FIELDS_MAX 5

/* Splits one line at runs of blanks; returns the field count, max + 1 if more. */
static size_t split_fields(const char *line, size_t len, const char *field[], size_t field_len[], size_t max) {
        size_t n = 0, i = 0;

        while (i < len) {
                while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
                        i++;
                if (i >= len)
                        break;
                if (n == max)
                        return max + 1;
                size_t start = i;
                while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
                        i++;
                field[n] = line + start;
                field_len[n] = i - start;
                n++;
        }
        return n;
}

bool lease_line_parse(const char *line, size_t len, struct lease *ret) {
        const char *f[LEASE_FIELDS_MAX];
        size_t fl[LEASE_FIELDS_MAX];
        struct lease l = {};

        size_t n = split_fields(line, len, f, fl, LEASE_FIELDS_MAX);
        if (n < 4 || n > LEASE_FIELDS_MAX)
                return false;
        /* "aa:bb:cc:dd:ee:ff" only: dnsmasq prefixes other hardware types with
         * "TYPE-", and a guest on our bridge is always Ethernet */
        if (!parse_expiry(f[0], fl[0], &l.expiry) || mac_address_parse(f[1], fl[1], l.mac) < 0 ||
            !parse_ipv4(f[2], fl[2], &l.addr))
                return false;
        /* f[3], the host name, and f[4], the client ID, are the guest's: not read */
        *ret = l;
        return true;
}

const char *lease_line_next(const char **p, const char *end, size_t *ret_len) {
        const char *line = *p, *nl = line < end ? memchr(line, '\n', (size_t)(end - line)) : NULL;

        if (!nl)
                return NULL;
        *ret_len = (size_t)(nl - line);
        *p = nl + 1;
        return line;
}

int leases_parse(const char *text, size_t len, int64_t now,
                 struct lease **ret_leases, size_t *ret_n, bool *ret_complete) {
        struct lease *leases = NULL, l;
        size_t n = 0, allocated = 0, line_len;
        const char *p = text, *line;

        while ((line = lease_line_next(&p, text + len, &line_len))) {
                if (!lease_line_parse(line, line_len, &l) || (l.expiry != 0 && l.expiry <= now))
                        continue;
                if (ARRAY_RESERVE(leases, allocated, n + 1) < 0) {
                        free(leases);
                        return -ENOMEM;
                }
                leases[n++] = l;
        }

        *ret_leases = leases;
        *ret_n = n;
        *ret_complete = p == text + len; /* a half-written last line stops it short */
        return 0;
}
