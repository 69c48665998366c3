/* --down: everything run_dir/state says vmnetd made, whatever the
 * configuration says now (see lab.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "cleanup.h"
#include "lab.h"
#include "log.h"
#include "nft.h"
#include "state.h"

/* No state at all (vmnetd never saved one, or it is lost): the bridge the
 * configuration names is taken as vmnetd's unless it is the admin's. */
static void guess_bridge(struct link_registry *links, const struct vmnet_config *config,
                         const struct kernel_link *bridge) {
        struct link_record rec = { .ifindex = bridge->ifindex, .kind = LINK_LAB_BRIDGE };

        if (config->uplink == VMNET_UPLINK_EXTERNAL || bridge->ifindex <= 0 || strcmp(bridge->kind, "bridge") != 0)
                return;
        strcpy(rec.name, bridge->name);
        (void)link_registry_add(links, &rec);
}

/* Addresses vmnetd added to links that are not gone with its own (an
 * admin's bridge it adopted). */
static void remove_addresses(struct nl_sock *nl, const struct lab_made *made, const struct link_registry *deleted) {
        for (size_t i = 0; i < made->n_addresses; i++) {
                const struct address_record *a = &made->addresses[i];
                char text[INET_ADDRSTRLEN];
                if (link_registry_by_ifindex(deleted, a->ifindex))
                        continue; /* went with its link */
                int r = link_address_delete(nl, a->ifindex, a->address, a->prefix_len);
                inet_ntop(AF_INET, &a->address, text, sizeof text);
                if (r < 0)
                        log_error_errno(r, "cannot remove address %s/%u: %m", text, a->prefix_len);
                else
                        log_info("address %s/%u removed", text, a->prefix_len);
        }
}

static int remove_tables(const struct lab_made *made) {
        int result = 0;

        for (size_t i = 0; i < made->n_tables; i++) {
                char text[2 * MADE_TABLE_MAX + 32];
                /* add first: deleting a table that is gone is an error, adding one that is there is not */
                snprintf(text, sizeof text, "add table %s\ndelete table %s\n", made->tables[i], made->tables[i]);
                int r = nft_run(text, 0, NULL);
                if (r < 0) {
                        log_error_errno(r, "cannot remove the nftables table %s: %m", made->tables[i]);
                        result = r;
                } else
                        log_info("nftables table %s removed", made->tables[i]);
        }
        return result;
}

int lab_down(const struct vmnet_config *config) {
        struct link_registry links = {};
        struct saved_state saved = {};
        struct kernel_link bridge = {};
        struct nl_sock *nl;
        char path[PATH_MAX];
        int r;

        if (snprintf(path, sizeof path, "%s/state", config->run_dir) >= (int)sizeof path)
                return -ENAMETOOLONG;
        r = netlink_open(&nl);
        if (r < 0)
                return r;
        (void)link_get(nl, 0, config->bridge, &bridge);
        r = lab_take_back(nl, path, config->tap_name, strcmp(bridge.kind, "bridge") == 0 ? bridge.ifindex : 0,
                          &links, &saved);
        if (r >= 0 && access(path, F_OK) < 0)
                guess_bridge(&links, config, &bridge);
        _cleanup_free_ int *ifindexes = calloc(links.n + 1, sizeof *ifindexes);
        if (r >= 0 && ifindexes && links.n > 0) {
                size_t n = 0;
                link_registry_foreach(rec, &links)
                        /* a bridge end goes with the other end, when that is recorded too */
                        if (!(LINK_KINDS_PAIR_PORTS & LINK_KIND_BIT(rec->kind)) ||
                            !link_registry_by_ifindex(&links, rec->peer_ifindex))
                                ifindexes[n++] = rec->ifindex;
                log_info("removing %zu links vmnetd made", n);
                if (links_delete(nl, ifindexes, n) < 0)
                        r = -EIO;
        }
        remove_addresses(nl, &saved.made, &links);
        int rt = remove_tables(&saved.made);
        link_registry_clear(&links);
        saved_state_clear(&saved);
        netlink_close(nl);
        return r < 0 ? r : rt;
}
