/* One call of dnsmasq's dhcp-script, as text a guest partly chose: the
 * arguments "add|old|del MAC IP [NAME]" and the environment dnsmasq sets
 * (DNSMASQ_SUPPLIED_HOSTNAME: the name the guest asked for, which dnsmasq
 * itself ignores, configured with dhcp-ignore-names; DNSMASQ_LEASE_EXPIRES;
 * DNSMASQ_DATA_MISSING when dnsmasq restarted and lost what the guest
 * said; DNSMASQ_CLIENT_ID), and the lease's name in dnsmasq (the 4th
 * argument: the record vmnet-names wrote for its address), which the
 * lease file keeps (lease_file.h).  A pure parser: it runs in the names
 * program, which holds no capability. */
#pragma once
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "dns_name.h"

/* A client identifier as dnsmasq prints it: up to 255 bytes, "01:52:54:..." */
#define LEASE_CLIENT_ID_MAX (3 * 255 - 1)

enum lease_action {
        LEASE_ADD, /* a new lease */
        LEASE_OLD, /* a lease renewed or changed, or every lease when dnsmasq starts */
        LEASE_DEL, /* a lease released or expired */
};

struct lease_event {
        enum lease_action action;
        uint8_t mac[6];
        struct in_addr addr;
        int64_t expiry;                  /* seconds since the epoch; 0: infinite (add, old) */
        bool name_known;                 /* false: dnsmasq cannot say (it restarted): keep ours */
        char name[DNS_LABEL_MAX + 1];    /* lowercase DNS label; "" when the guest gave none,
                                          * or none that is a label */
        char client_id[LEASE_CLIENT_ID_MAX + 1]; /* lowercase hex bytes and colons; "" when none,
                                                  * or not that (add, old) */
        char lease_name[DNS_LABEL_MAX + 1];      /* lowercase DNS label; "" when dnsmasq gave the
                                                  * lease none, or none that is a label (add, old) */
};

/* Parses argv (argc entries, argv[0] the program) with the environment
 * read through getenv_fn.  Returns 0 and fills *ret; -ENOTSUP for a call
 * about something other than an IPv4 lease on Ethernet (tftp, arp-add,
 * init, DHCPv6), which the names program ignores; -EINVAL for a malformed
 * one.  *ret is written only on success. */
int lease_event_parse(int argc, char *const argv[], const char *(*getenv_fn)(const char *name),
                      struct lease_event *ret);
