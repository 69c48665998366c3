/* The lease file after one event (see lease_file.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lease_file.h"
#include "dns_name.h"
#include "leases.h"
#include "mac_address.h"

/* ev's line as dnsmasq writes one, "EXPIRY MAC IP NAME|* CLIENTID|*\n",
 * and its length. */
#define LEASE_LINE_MAX 1024
_Static_assert(20 + MAC_ADDRESS_STRLEN + INET_ADDRSTRLEN + DNS_LABEL_MAX + LEASE_CLIENT_ID_MAX + 5 < LEASE_LINE_MAX,
               "the longest line fits");
static size_t format_lease_line(const struct lease_event *ev, char line[static LEASE_LINE_MAX]) {
        char mac[MAC_ADDRESS_STRLEN], addr[INET_ADDRSTRLEN];

        mac_address_format(ev->mac, mac);
        inet_ntop(AF_INET, &ev->addr, addr, sizeof addr);
        return (size_t)snprintf(line, LEASE_LINE_MAX, "%" PRId64 " %s %s %s %s\n", ev->expiry, mac, addr,
                                ev->lease_name[0] ? ev->lease_name : "*", ev->client_id[0] ? ev->client_id : "*");
}

/* Whether line (ending with its '\n') is a whole line of text, and the
 * only one so. */
static bool has_line_once(const char *text, size_t len, const char *line, size_t line_len) {
        const char *end = text + len, *found = NULL;

        for (const char *p = text; (size_t)(end - p) >= line_len; p++) {
                p = memmem(p, (size_t)(end - p), line, line_len);
                if (!p)
                        break;
                if (p == text || p[-1] == '\n') {
                        if (found)
                                return false;
                        found = p;
                }
        }
        return found != NULL;
}

/* One pass: the line of ev's address is replaced where it is; a new
 * lease's line is put before the others at the end (out's text from
 * start on moved behind it). */
int lease_file_apply(const char *text, size_t len, const struct lease_event *ev, int64_t now, struct strbuf *out) {
        char own[LEASE_LINE_MAX];
        size_t own_len = ev->action == LEASE_DEL ? 0 : format_lease_line(ev, own);
        bool put = ev->action == LEASE_DEL; /* a del puts no line */
        const char *p = text, *line;
        size_t start = out->len, n;
        struct lease l;

        if (own_len && (len == 0 || text[len - 1] == '\n') && has_line_once(text, len, own, own_len))
                return 1;
        while ((line = lease_line_next(&p, text + len, &n))) {
                if (!lease_line_parse(line, n, &l))
                        strbuf_put(out, line, n + 1); /* not a lease of ours ("duid ..."): kept */
                else if (l.addr.s_addr != ev->addr.s_addr) {
                        if (l.expiry == 0 || l.expiry > now)
                                strbuf_put(out, line, n + 1);
                } else if (!put) {
                        strbuf_put(out, own, own_len);
                        put = true;
                }
        }
        if (!put) { /* a new lease: first, as dnsmasq puts it */
                size_t end = out->len;
                strbuf_put(out, own, own_len);
                if (!out->error) {
                        memmove(out->data + start + own_len, out->data + start, end - start);
                        memcpy(out->data + start, own, own_len);
                }
        }
        return out->error;
}
