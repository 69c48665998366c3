/* dnsmasq's DHCP lease file (dhcp-leasefile), parsed as text.
 *
 * One lease per line: "EXPIRY MAC IP HOSTNAME|* CLIENTID|*", EXPIRY in
 * seconds since the epoch (0: infinite).  "duid ..." lines and IPv6 lines
 * (DHCPv6 leases follow the duid line) are skipped.  The names program
 * keeps the file now and replaces it whole (names/lease_file.h, with the
 * line reader here); dnsmasq,
 * which kept it before, rewrote it in place, so a reader could see a
 * half-written last line: it is ignored and reported through ret_complete
 * so that the caller can read again.  The host name and the client ID are
 * the guest's choice: vmnetd, which reads this file for the guard
 * (lease_owners.h), never looks at them (the lab's names are the names
 * program's, names/). */
#pragma once
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lease {
        int64_t expiry; /* 0: infinite */
        uint8_t mac[6];
        struct in_addr addr;
};

/* The next whole line at *p (before end): its start, its length without
 * the '\n' in *ret_len, and *p moved past it; NULL at the end and at a
 * last line cut short (no '\n'). */
const char *lease_line_next(const char **p, const char *end, size_t *ret_len);
/* One line (without its '\n') as an IPv4 lease of an Ethernet MAC,
 * expired or not; false for any other line ("duid ...", a DHCPv6 lease,
 * another hardware type, a field too many or too few). */
bool lease_line_parse(const char *line, size_t len, struct lease *ret);

/* Parses text (len bytes, need not be NUL-terminated) as of time now.
 * Keeps IPv4 leases that have not expired (expiry == 0 || expiry > now);
 * lines that do not parse are skipped.  On success returns 0 and sets
 * *ret_leases (malloc'ed, free() it; NULL when there are none), *ret_n,
 * and *ret_complete: true when the text is empty or ends with '\n'.
 * Returns -ENOMEM on allocation failure. */
int leases_parse(const char *text, size_t len, int64_t now,
                 struct lease **ret_leases, size_t *ret_n, bool *ret_complete);
