/* dnsmasq's dhcp-script calls, parsed (see lease_event.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
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
                size_t len = strlen(supplied);
                ev.name_known = true;
                if (!dns_label_lowercase(ev.name, supplied, len > DNS_LABEL_MAX ? 0 : len))
                        ev.name[0] = '\0'; /* not a label: no name (a DNS name must be one) */
                else
                        ev.name[len] = '\0';
        } else
                ev.name_known = !getenv_fn("DNSMASQ_DATA_MISSING");
        *ret = ev;
        return 0;
}
