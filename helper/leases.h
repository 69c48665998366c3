/* dnsmasq's DHCP lease file (dhcp-leasefile), parsed as text.
 *
 * One lease per line: "EXPIRY MAC IP HOSTNAME|* CLIENTID|*", EXPIRY in
 * seconds since the epoch (0: infinite).  "duid ..." lines and IPv6 lines
 * (DHCPv6 leases follow the duid line) are skipped.  dnsmasq rewrites the
 * file in place, so a reader may see a half-written last line: it is
 * ignored and reported through ret_complete so that the caller can read
 * again.  Host names come from the guests: anything but one DNS label
 * (dns_label_is_valid) is no name. */
#pragma once
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_name.h"

#define LEASE_HOSTNAME_MAX DNS_LABEL_MAX

struct lease {
        int64_t expiry;                          /* 0: infinite */
        uint8_t mac[6];
        struct in_addr addr;
        char hostname[LEASE_HOSTNAME_MAX + 1];   /* lowercase; "" when none or invalid */
};

/* Parses text (len bytes, need not be NUL-terminated) as of time now.
 * Keeps IPv4 leases that have not expired (expiry == 0 || expiry > now);
 * lines that do not parse are skipped.  When two leases carry the same
 * host name (case-insensitively), only the newest keeps it (the later
 * expiry, 0 counting as the latest; on a tie the one first in the file,
 * where dnsmasq puts its newest); the other stays, without a name.
 * On success returns 0 and sets *ret_leases (malloc'ed, free() it; NULL
 * when there are none), *ret_n, and *ret_complete: true when the text is
 * empty or ends with '\n'.  Returns -ENOMEM on allocation failure. */
int leases_parse(const char *text, size_t len, int64_t now,
                 struct lease **ret_leases, size_t *ret_n, bool *ret_complete);
