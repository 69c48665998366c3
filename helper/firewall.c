/* Our nftables table (see firewall.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "firewall.h"
#include "forwarding.h"
#include "log.h"

int firewall_ruleset(const struct vmnet_config *c, char *buf, size_t size) {
        uint32_t mask = c->prefix_len ? htonl(~0u << (32 - c->prefix_len)) : 0;
        struct in_addr net = { c->address.s_addr & mask };
        char subnet[INET_ADDRSTRLEN];
        int n;

        inet_ntop(AF_INET, &net, subnet, sizeof subnet);
        switch (c->uplink) {
        case VMNET_UPLINK_NAT:
                /* out as the host's address: through uplink_interface only when
                 * the admin named one, else through whatever routes there */
                n = snprintf(buf, size,
                             "table inet vmnet {\n"
                             "  chain postrouting {\n"
                             "    type nat hook postrouting priority srcnat; policy accept;\n"
                             "    ip saddr %s/%u ip daddr != %s/%u oifname %s\"%s\" masquerade\n"
                             "  }\n"
                             "}\n",
                             subnet, c->prefix_len, subnet, c->prefix_len,
                             c->uplink_interface[0] ? "" : "!= ",
                             c->uplink_interface[0] ? c->uplink_interface : c->bridge);
                break;
        case VMNET_UPLINK_ISOLATED:
                /* VMs and host only: nothing is forwarded into or out of the lab */
                n = snprintf(buf, size,
                             "table inet vmnet {\n"
                             "  chain forward {\n"
                             "    type filter hook forward priority filter; policy accept;\n"
                             "    iifname \"%s\" oifname != \"%s\" drop\n"
                             "    oifname \"%s\" iifname != \"%s\" drop\n"
                             "  }\n"
                             "}\n",
                             c->bridge, c->bridge, c->bridge, c->bridge);
                break;
        case VMNET_UPLINK_ROUTED:
                /* plain routing; the table exists so --down and modes switch alike */
                n = snprintf(buf, size, "table inet vmnet {\n}\n");
                break;
        default:
                n = snprintf(buf, size, "%s", "");
                break;
        }
        return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

static int run(const char *commands) {
        struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
        int r;

        if (!nft)
                return -ENOMEM;
        nft_ctx_buffer_error(nft);
        nft_ctx_buffer_output(nft);
        r = nft_run_cmd_from_buffer(nft, commands);
        if (r != 0) {
                const char *err = nft_ctx_get_error_buffer(nft);
                log_error("nftables: %s", err && *err ? err : "failed");
        }
        nft_ctx_free(nft);
        return r != 0 ? -EIO : 0;
}

int firewall_apply(const struct vmnet_config *c) {
        char rules[2048], commands[2200];
        int r, n;

        n = firewall_ruleset(c, rules, sizeof rules);
        if (n < 0)
                return n;
        if (n == 0)
                return firewall_remove();
        /* add+delete+define in one buffer is one transaction: never half a table */
        snprintf(commands, sizeof commands, "add table inet vmnet\ndelete table inet vmnet\n%s", rules);
        r = run(commands);
        if (r < 0)
                return r;
        if (c->uplink == VMNET_UPLINK_NAT || c->uplink == VMNET_UPLINK_ROUTED) {
                char saved[PATH_MAX + sizeof(FORWARDING_SAVED)];
                snprintf(saved, sizeof saved, "%s/" FORWARDING_SAVED, c->run_dir);
                r = forwarding_enable(FORWARDING_SYSCTL, saved);
                if (r < 0)
                        log_warn("cannot turn on IPv4 forwarding or record in %s what it was: %s",
                                 saved, strerror(-r));
        }
        log_info("firewall table inet vmnet set for uplink %s", vmnet_uplink_string(c->uplink));
        return 0;
}

int firewall_remove(void) {
        return run("add table inet vmnet\ndelete table inet vmnet\n");
}
