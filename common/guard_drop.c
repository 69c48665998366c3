/* The guard's kinds of drops (see guard_drop.h). */
#include <stddef.h>

#include "guard_drop.h"

static const struct {
        const char *name, *sentence;
} kinds[_GUARD_DROP_END] = {
        [GUARD_DROP_DHCP_SERVER]        = { "dhcp_server", "answered DHCP on the lab" },
        [GUARD_DROP_DHCPV6_SERVER]      = { "dhcpv6_server", "answered DHCPv6 on the lab" },
        [GUARD_DROP_IPV6_ROUTER]        = { "ipv6_router", "sent IPv6 router advertisements or redirects" },
        [GUARD_DROP_REDIRECT]           = { "redirect", "sent ICMP redirects" },
        [GUARD_DROP_HOST_MAC]           = { "host_mac", "sent with the host's or a multicast MAC address" },
        [GUARD_DROP_MAC_TAKEN]          = { "mac_taken", "sent with a MAC address another student's VM uses" },
        [GUARD_DROP_TOO_MANY_MACS]      = { "too_many_macs", "sent from more MAC addresses than max_macs allows" },
        [GUARD_DROP_HOST_ADDRESS]       = { "host_address", "claimed the host's address" },
        [GUARD_DROP_ADDRESS_TAKEN]      = { "address_taken", "used an address another student's VM has" },
        [GUARD_DROP_TOO_MANY_ADDRESSES] = { "too_many_addresses", "used more IPv4 addresses than max_macs allows" },
        [GUARD_DROP_ARP_FOREIGN]        = { "arp_foreign", "sent ARP for a MAC address not yours" },
        [GUARD_DROP_DHCP_FOREIGN]       = { "dhcp_foreign", "asked DHCP for a MAC address not yours" },
        [GUARD_DROP_DHCP_RATE]          = { "dhcp_rate", "asked the lab's DHCP too often" },
        [GUARD_DROP_DNS_RATE]           = { "dns_rate", "asked the lab's DNS too often" },
        [GUARD_DROP_EXAM]               = { "exam", "tried to reach another student's VM (exam mode)" },
        [GUARD_DROP_VLAN]               = { "vlan", "sent VLAN-tagged frames (a segment of your own takes them)" },
};

const char *guard_drop_name(uint8_t kind) {
        return kind < _GUARD_DROP_END ? kinds[kind].name : NULL;
}

const char *guard_drop_sentence(uint8_t kind) {
        const char *s = kind < _GUARD_DROP_END ? kinds[kind].sentence : NULL;
        return s ? s : "did something the lab's guard blocks";
}
