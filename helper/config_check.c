/* The configuration checked against the machine (see config_check.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bridge.h"
#include "cleanup.h"
#include "config_check.h"
#include "dnsmasq.h"
#include "users.h"

/* Every group list a key holds; a new list key is a row here. */
static void check_groups(const struct vmnet_config *c, struct config_report *report) {
        const struct {
                const char *key;
                const char (*names)[33];
                unsigned n;
        } lists[] = {
                { "allow_groups", (const char (*)[33])c->allow_groups, c->n_allow_groups },
                { "teacher_groups", (const char (*)[33])c->teacher_groups, c->n_teacher_groups },
        };

        for (size_t l = 0; l < ELEMENTSOF(lists); l++)
                for (unsigned i = 0; i < lists[l].n; i++) {
                        gid_t gid;
                        int r = group_by_name(lists[l].names[i], &gid);
                        if (r == -ENOENT)
                                config_report_key(report, CONFIG_ERROR, lists[l].key, "%s: no group named '%s'",
                                                  lists[l].key, lists[l].names[i]);
                        else if (r < 0)
                                config_report_key(report, CONFIG_WARNING, lists[l].key,
                                                  "%s: cannot look up group '%s' now: %s", lists[l].key,
                                                  lists[l].names[i], strerror(-r));
                }
}

static void check_programs(const struct vmnet_config *c, struct config_report *report) {
        struct stat st;

        if (!dnsmasq_wanted(c))
                return; /* uplink = external: the LAN's DHCP and DNS */
        if (stat(c->dnsmasq, &st) < 0)
                config_report_key(report, CONFIG_ERROR, "dnsmasq", "dnsmasq: %s: %s (Debian: apt install dnsmasq-base)",
                                  c->dnsmasq, strerror(errno));
        else if (!S_ISREG(st.st_mode) || access(c->dnsmasq, X_OK) < 0)
                config_report_key(report, CONFIG_ERROR, "dnsmasq", "dnsmasq: %s is not an executable file", c->dnsmasq);
        if (strcmp(c->resolv_file, "none") != 0 && stat(c->resolv_file, &st) < 0)
                config_report_key(report, CONFIG_WARNING, "resolv_file",
                                  "resolv_file: %s: %s; the VMs get no upstream DNS until it exists", c->resolv_file,
                                  strerror(errno));
}

static uint32_t mask_of(unsigned prefix_len) {
        return prefix_len ? htonl(~0u << (32 - prefix_len)) : 0;
}

/* The lab's subnet is the host's route to the lab: another network of the
 * host's that overlaps it loses the part the lab takes. */
static void check_subnet(const struct vmnet_config *c, struct nl_sock *nl, int bridge_ifindex,
                         struct config_report *report) {
        _cleanup_free_ struct link_address *v = NULL;
        size_t n;

        if (c->uplink == VMNET_UPLINK_EXTERNAL || addresses_dump(nl, &v, &n) < 0)
                return;
        for (size_t i = 0; i < n; i++) {
                unsigned shorter = v[i].prefix_len < c->prefix_len ? v[i].prefix_len : c->prefix_len;
                uint32_t m = mask_of(shorter);
                struct kernel_link link;
                char theirs[INET_ADDRSTRLEN], ours[INET_ADDRSTRLEN];
                struct in_addr net = { c->address.s_addr & mask_of(c->prefix_len) };
                /* the lab's own address: on its bridge, or on the one vmnetd is moving away from */
                bool lab_own = v[i].ifindex == bridge_ifindex ||
                               (v[i].address.s_addr == c->address.s_addr && v[i].prefix_len == c->prefix_len);
                if (lab_own || (v[i].address.s_addr & m) != (c->address.s_addr & m) ||
                    (ntohl(v[i].address.s_addr) >> 24) == 127 || link_get(nl, v[i].ifindex, NULL, &link) < 0)
                        continue;
                inet_ntop(AF_INET, &v[i].address, theirs, sizeof theirs);
                inet_ntop(AF_INET, &net, ours, sizeof ours);
                config_report_key(report, CONFIG_WARNING, "address",
                                  "address: the lab's %s/%u overlaps %s's %s/%u: the host would send part of that "
                                  "network to the lab; choose another subnet", ours, c->prefix_len, link.name, theirs,
                                  v[i].prefix_len);
        }
}

static void check_interfaces(const struct vmnet_config *c, struct config_report *report) {
        struct kernel_link link;
        struct nl_sock *nl;
        int r;

        if (netlink_open(&nl) < 0) {
                config_report_add(report, CONFIG_WARNING, 0, 0, "cannot ask the kernel about interfaces: not checked");
                return;
        }
        r = link_get(nl, 0, c->bridge, &link);
        check_subnet(c, nl, r == 0 ? link.ifindex : 0, report);
        if (r == 0 && strcmp(link.kind, "bridge") != 0)
                config_report_key(report, CONFIG_ERROR, "bridge", "bridge: '%s' exists and is not a bridge (it is %s)",
                                  c->bridge, link.kind[0] ? link.kind : "a device without a kind");
        else if (r == -ENODEV && c->uplink == VMNET_UPLINK_EXTERNAL)
                config_report_key(report, CONFIG_WARNING, "bridge",
                                  "bridge: no bridge '%s' now; with uplink = external the admin makes it, and vmnetd "
                                  "cannot start until it exists", c->bridge);
        if (c->uplink_interface[0]) {
                if (c->uplink != VMNET_UPLINK_NAT)
                        config_report_key(report, CONFIG_WARNING, "uplink_interface",
                                          "uplink_interface: used with uplink = nat only, not %s",
                                          vmnet_uplink_string(c->uplink));
                else if (link_get(nl, 0, c->uplink_interface, NULL) == -ENODEV)
                        config_report_key(report, CONFIG_WARNING, "uplink_interface",
                                          "uplink_interface: no interface '%s' now; the lab's traffic leaves by it "
                                          "once it exists", c->uplink_interface);
        }
        netlink_close(nl);
}

void config_check_meaning(const struct vmnet_config *c, struct config_report *report) {
        check_groups(c, report);
        check_programs(c, report);
        check_interfaces(c, report);
}
