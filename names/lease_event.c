/* dnsmasq's dhcp-script calls, parsed (see lease_event.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "lease_event.h"
#include "mac_address.h"

#define EXPIRY_DIGITS_MAX 18 /* cannot overflow int64_t */

static int parse_action(const char *s, enum lease_action *ret) {
        static const struct { const char *word; enum lease_action action; } actions[] = {
                { "add", LEASE_ADD }, { "old", LEASE_OLD }, { "del", LEASE_DEL },
        };
        for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
                if (strcmp(s, actions[i].word) == 0) {
                        *ret = actions[i].action;
                        return 0;
                }
        return -ENOTSUP; /* tftp, arp-add, arp-del, init, relay-snoop: not a lease */
}

static int parse_expiry(const char *s, int64_t *ret) {
        int64_t v = 0;
        size_t len = s ? strlen(s) : 0;

        if (len == 0 || len > EXPIRY_DIGITS_MAX)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (s[i] - '0');
        }
        *ret = v;
        return 0;
}

/* s if it is bytes in hex, colon-separated, as dnsmasq prints a client id;
 * else "" (a client id the file cannot keep is kept by none). */
static void copy_client_id(const char *s, char ret[LEASE_CLIENT_ID_MAX + 1]) {
        size_t len = s ? strlen(s) : 0;

        ret[0] = '\0';
        if (len == 0 || len > LEASE_CLIENT_ID_MAX || len % 3 != 2)
                return;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                bool ok = i % 3 == 2 ? c == ':' : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                                                  (c >= 'A' && c <= 'F');
                if (!ok)
                        return;
        }
        for (size_t i = 0; i <= len; i++)
                ret[i] = s[i] >= 'A' && s[i] <= 'F' ? (char)(s[i] - 'A' + 'a') : s[i];
}

/* A DNS label s, lowercase, into ret; "" when s is none or not a label. */
static void copy_label(const char *s, char ret[DNS_LABEL_MAX + 1]) {
        size_t len = s ? strlen(s) : 0;

        if (!dns_label_lowercase(ret, s ? s : "", len > DNS_LABEL_MAX ? 0 : len))
                len = 0;
        ret[len] = '\0';
}

int lease_event_parse(int argc, char *const argv[], const char *(*getenv_fn)(const char *name),
                      struct lease_event *ret) {
        struct lease_event ev = {};
        const char *supplied;
        int r;

        if (argc < 4 || argc > 5)
                return argc >= 2 && parse_action(argv[1], &ev.action) < 0 ? -ENOTSUP : -EINVAL;
        r = parse_action(argv[1], &ev.action);
        if (r < 0)
                return r;
        /* DHCPv6 leases: a DUID where the MAC is, an IPv6 address */
        if (getenv_fn("DNSMASQ_IAID") || strchr(argv[3], ':'))
                return -ENOTSUP;
        if (mac_address_parse(argv[2], strlen(argv[2]), ev.mac) < 0)
                return strchr(argv[2], '-') ? -ENOTSUP : -EINVAL; /* "TYPE-..." hardware: not Ethernet */
        if (inet_pton(AF_INET, argv[3], &ev.addr) != 1)
                return -EINVAL;
        if (ev.action == LEASE_DEL) {
                *ret = ev; /* the lease goes, whatever it was called */
                return 0;
        }
        r = parse_expiry(getenv_fn("DNSMASQ_LEASE_EXPIRES"), &ev.expiry);
        if (r < 0)
                return r;
        supplied = getenv_fn("DNSMASQ_SUPPLIED_HOSTNAME");
        if (supplied) {
                ev.name_known = true;
                copy_label(supplied, ev.name); /* not a label: no name (a DNS name must be one) */
        } else
                ev.name_known = !getenv_fn("DNSMASQ_DATA_MISSING");
        copy_client_id(getenv_fn("DNSMASQ_CLIENT_ID"), ev.client_id);
        copy_label(argc == 5 ? argv[4] : NULL, ev.lease_name);
        *ret = ev;
        return 0;
}
