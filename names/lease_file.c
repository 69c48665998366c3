/* The lease file after one event (see lease_file.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "lease_file.h"
#include "mac_address.h"

#define EXPIRY_DIGITS_MAX 18 /* as lease_event.c: cannot overflow int64_t */

/* Whether the line (without its '\n') is a lease that expired by now; a
 * line that does not start with its expiry ("duid ...") never is. */
static bool line_expired(const char *line, size_t len, int64_t now) {
        int64_t expiry = 0;
        size_t i = 0;

        for (; i < len && i < EXPIRY_DIGITS_MAX && line[i] >= '0' && line[i] <= '9'; i++)
                expiry = expiry * 10 + (line[i] - '0');
        /* more digits than that: a space does not follow */
        return i > 0 && i < len && line[i] == ' ' && expiry != 0 && expiry <= now;
}

/* Whether the line's third field (its address) is addr ("10.77.0.5"). */
static bool line_has_address(const char *line, size_t len, const char *addr) {
        const char *p = line, *end = line + len;
        size_t addr_len = strlen(addr);

        for (int field = 0; field < 2 && p; field++) {
                p = memchr(p, ' ', (size_t)(end - p));
                if (p)
                        p++;
        }
        return p && (size_t)(end - p) > addr_len && memcmp(p, addr, addr_len) == 0 && p[addr_len] == ' ';
}

/* The next whole line at *p (before end): its start, and its length
 * without the '\n' in *ret_len; NULL at the end or at a last line cut short. */
static const char *next_line(const char **p, const char *end, size_t *ret_len) {
        const char *line = *p, *nl = line < end ? memchr(line, '\n', (size_t)(end - line)) : NULL;

        if (!nl)
                return NULL;
        *ret_len = (size_t)(nl - line);
        *p = nl + 1;
        return line;
}

static bool has_address(const char *text, size_t len, const char *addr) {
        const char *p = text, *line;
        size_t n;

        while ((line = next_line(&p, text + len, &n)))
                if (line_has_address(line, n, addr))
                        return true;
        return false;
}

static void put_lease_line(struct strbuf *out, const struct lease_event *ev, const char *addr) {
        char mac[MAC_ADDRESS_STRLEN];

        mac_address_format(ev->mac, mac);
        strbuf_printf(out, "%" PRId64 " %s %s %s %s\n", ev->expiry, mac, addr,
                      ev->lease_name[0] ? ev->lease_name : "*", ev->client_id[0] ? ev->client_id : "*");
}

int lease_file_apply(const char *text, size_t len, const struct lease_event *ev, int64_t now, struct strbuf *out) {
        char addr[INET_ADDRSTRLEN];
        const char *p = text, *line;
        bool put = ev->action == LEASE_DEL; /* a del puts no line */
        size_t n;

        inet_ntop(AF_INET, &ev->addr, addr, sizeof addr);
        if (!put && !has_address(text, len, addr)) {
                put_lease_line(out, ev, addr); /* a new lease: first */
                put = true;
        }
        while ((line = next_line(&p, text + len, &n))) {
                if (!line_has_address(line, n, addr)) {
                        if (!line_expired(line, n, now))
                                strbuf_put(out, line, n + 1);
                } else if (!put) {
                        put_lease_line(out, ev, addr);
                        put = true;
                }
        }
        return out->error;
}
