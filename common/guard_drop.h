/* What the lab segment's guard drops, by kind: the numbers vmnetd's
 * nftables table counts drops under (they are part of the table and of
 * the wire protocol: never renumber), a short name for the table's chain
 * names, and the sentence a student reads in `vmnet status`. */
#pragma once
#include <stdint.h>

enum guard_drop {
        GUARD_DROP_DHCP_SERVER = 1,      /* DHCP/BOOTP server messages (from port 67, to port 68) */
        GUARD_DROP_DHCPV6_SERVER,        /* DHCPv6 server messages (from 547, to 546) */
        GUARD_DROP_IPV6_ROUTER,          /* IPv6 router advertisements and redirects */
        GUARD_DROP_REDIRECT,             /* ICMP redirects */
        GUARD_DROP_HOST_MAC,             /* the host's MAC as source, or a multicast source MAC */
        GUARD_DROP_MAC_TAKEN,            /* a source MAC another student's VM (or the LAN) uses */
        GUARD_DROP_TOO_MANY_MACS,        /* more source MACs than max_macs */
        GUARD_DROP_HOST_ADDRESS,         /* ARP or IPv4 claiming the host's address */
        GUARD_DROP_ADDRESS_TAKEN,        /* ARP or IPv4 with an address another student's VM has */
        GUARD_DROP_TOO_MANY_ADDRESSES,   /* more IPv4 addresses than max_macs */
        GUARD_DROP_ARP_FOREIGN,          /* ARP naming a hardware address not the student's */
        GUARD_DROP_DHCP_FOREIGN,         /* DHCP requests for a MAC not the student's */
        GUARD_DROP_DHCP_RATE,            /* DHCP requests over the student's rate */
        GUARD_DROP_DNS_RATE,             /* DNS queries to the host over the student's rate */
        GUARD_DROP_EXAM,                 /* frames to another student's VM in exam mode */
        GUARD_DROP_VLAN,                 /* VLAN-tagged frames (802.1Q, 802.1ad), which the rules
                                          * of addresses cannot look into */
        _GUARD_DROP_END,
};

#define GUARD_DROP_FIRST GUARD_DROP_DHCP_SERVER

/* "dhcp_server": letters, digits and '_' only.  NULL for an unknown kind. */
const char *guard_drop_name(uint8_t kind);
/* "answered DHCP on the lab", to follow a VM's name.  "did something the
 * guard blocks" for an unknown kind (a newer vmnetd). */
const char *guard_drop_sentence(uint8_t kind);
