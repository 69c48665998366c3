/* Our nftables table (see firewall.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "firewall.h"
#include "forwarding.h"
#include "log.h"
#include "nft.h"
#include "segment_name.h"

/* Only the lab's own DNS and DHCP clients: a LAN machine with a route to
 * the lab must not find an open resolver on the bridge's address. */
static void input_chain(struct strbuf *b, const struct vmnet_config *c, const char *host) {
        strbuf_printf(b,
                      "  chain input {\n"
                      "    type filter hook input priority filter; policy accept;\n"
                      "    iifname != { \"%s\", \"lo\" } ip daddr %s meta l4proto { tcp, udp } th dport { 53, 67 } drop\n"
                      "  }\n",
                      c->bridge, host);
}

/* nat and routed: what comes from the lab leaves with a lab source only;
 * with nat only replies come in.  Frames bridged between VMs pass here too
 * when br_netfilter is loaded (in and out both the bridge): untouched. */
static void forward_chain(struct strbuf *b, const struct vmnet_config *c, const char *subnet,
                          bool forwarding_ours) {
        const char *br = c->bridge;

        strbuf_printf(b,
                      "  chain forward {\n"
                      "    type filter hook forward priority filter; policy accept;\n"
                      "    iifname \"%s\" oifname \"%s\" accept\n"
                      "    iifname \"%s\" ip saddr != %s/%u drop\n"
                      "    iifname \"%s\" meta nfproto ipv6 drop\n"
                      "    iifname \"%s\" accept\n",
                      br, br, br, subnet, c->prefix_len, br, br);
        if (c->uplink == VMNET_UPLINK_NAT)
                strbuf_printf(b,
                              "    oifname \"%s\" ct state established,related accept\n"
                              "    oifname \"%s\" drop\n",
                              br, br);
        else
                strbuf_printf(b,
                              "    oifname \"%s\" meta nfproto ipv6 drop\n"
                              "    oifname \"%s\" accept\n",
                              br, br);
        /* vmnet turned forwarding on for the lab, not for the host's other
         * networks; someone else's forwarding is theirs to police.  Frames
         * bridged on a private segment pass here too with br_netfilter
         * (in and out its bridge); nothing routed comes from one (the
         * segments' seal keeps them off the host: segment_seal.h). */
        if (forwarding_ours)
                strbuf_printf(b,
                              "    iifname \"" SEGMENT_BRIDGE_PREFIX "*\" oifname \"" SEGMENT_BRIDGE_PREFIX "*\" accept\n"
                              "    iifname != \"%s\" oifname != \"%s\" drop\n", br, br);
        strbuf_printf(b, "  }\n");
}

int firewall_ruleset(const struct vmnet_config *c, bool forwarding_ours, struct strbuf *b) {
        uint32_t mask = c->prefix_len ? htonl(~0u << (32 - c->prefix_len)) : 0;
        struct in_addr net = { c->address.s_addr & mask };
        char subnet[INET_ADDRSTRLEN], host[INET_ADDRSTRLEN];

        inet_ntop(AF_INET, &net, subnet, sizeof subnet);
        inet_ntop(AF_INET, &c->address, host, sizeof host);
        if (c->uplink == VMNET_UPLINK_EXTERNAL)
                return 0; /* the LAN's own router and servers do it */
        strbuf_printf(b, "table inet vmnet {\n");
        switch (c->uplink) {
        case VMNET_UPLINK_NAT:
                /* out as the host's address: through uplink_interface only when
                 * the admin named one, else through whatever routes there */
                strbuf_printf(b,
                              "  chain postrouting {\n"
                              "    type nat hook postrouting priority srcnat; policy accept;\n"
                              "    ip saddr %s/%u ip daddr != %s/%u oifname %s\"%s\" masquerade\n"
                              "  }\n",
                              subnet, c->prefix_len, subnet, c->prefix_len, c->uplink_interface[0] ? "" : "!= ",
                              c->uplink_interface[0] ? c->uplink_interface : c->bridge);
                forward_chain(b, c, subnet, forwarding_ours);
                break;
        case VMNET_UPLINK_ROUTED:
                forward_chain(b, c, subnet, forwarding_ours);
                break;
        default:
                /* VMs and host only: nothing is forwarded into or out of the lab */
                strbuf_printf(b,
                              "  chain forward {\n"
                              "    type filter hook forward priority filter; policy accept;\n"
                              "    iifname \"%s\" oifname != \"%s\" drop\n"
                              "    oifname \"%s\" iifname != \"%s\" drop\n"
                              "  }\n",
                              c->bridge, c->bridge, c->bridge, c->bridge);
                break;
        }
        input_chain(b, c, host);
        strbuf_printf(b, "}\n");
        return b->error;
}

int firewall_apply(const struct vmnet_config *c) {
        char saved[PATH_MAX + sizeof(FORWARDING_SAVED)], before;
        bool ours = false;
        struct strbuf b = {};
        int r;

        snprintf(saved, sizeof saved, "%s/" FORWARDING_SAVED, c->run_dir);
        if (c->uplink != VMNET_UPLINK_NAT && c->uplink != VMNET_UPLINK_ROUTED) {
                /* an uplink that forwards nothing: forwarding back as it was
                 * before vmnetd turned it on for an earlier nat or routed */
                r = forwarding_restore(FORWARDING_SYSCTL, saved);
                if (r < 0)
                        log_warn_errno(r, "cannot put IPv4 forwarding back as recorded in %s: %m", saved);
        }
        if (c->uplink == VMNET_UPLINK_EXTERNAL)
                return firewall_remove();
        if (c->uplink == VMNET_UPLINK_NAT || c->uplink == VMNET_UPLINK_ROUTED) {
                r = forwarding_enable(FORWARDING_SYSCTL, saved);
                if (r < 0)
                        log_warn("cannot turn on IPv4 forwarding or record in %s what it was: %s",
                                 saved, strerror(-r));
                /* off before vmnet: the lab's forwarding, and nobody else's */
                ours = forwarding_saved(saved, &before) == 0 && before == '0';
        }
        /* add+delete+define in one buffer is one transaction: never half a table */
        strbuf_printf(&b, "add table inet vmnet\ndelete table inet vmnet\n");
        r = firewall_ruleset(c, ours, &b);
        if (r >= 0)
                r = nft_run(strbuf_str(&b), 0, NULL);
        strbuf_free(&b);
        if (r < 0)
                return r;
        log_info("firewall table inet vmnet set for uplink %s%s", vmnet_uplink_string(c->uplink),
                 ours ? " (IPv4 forwarding on for the lab only)" : "");
        return 0;
}

int firewall_remove(void) {
        return nft_run("add table inet vmnet\ndelete table inet vmnet\n", 0, NULL);
}
