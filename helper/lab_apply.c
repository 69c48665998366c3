/* The kernel brought in line with a configuration, at start and at each
 * reload, from what the records say vmnetd made — never from what an
 * earlier configuration said (see lab.h).  A bridge of a new name takes
 * every port of vmnetd's and the bridge vmnetd made before goes (its
 * address and route with it); a new address replaces the one vmnetd added;
 * a new tap_name renames the links, each keeping its index.  Nothing here
 * touches a link, address or bridge vmnetd did not make, but for plugging
 * vmnetd's own links into the admin's bridge (uplink = external). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "cleanup.h"
#include "lab.h"
#include "lab_ops.h"
#include "log.h"
#include "sysfs.h"
#include "tap_name.h"

int lab_apply_bridge(struct lab *lab, const struct vmnet_config *config) {
        bool external = config->uplink == VMNET_UPLINK_EXTERNAL, created = false;
        int r = bridge_ensure(lab->nl, config->bridge, !external, config->address, 0, &created);

        if (r == -ENODEV && external)
                log_error("uplink = external: bridge %s does not exist; the admin makes it (see vmnet.conf(5))",
                          config->bridge);
        if (r < 0)
                return r;
        bool same = r == lab->bridge_ifindex;
        struct link_record *rec = link_registry_by_ifindex(&lab->links, r);
        lab->bridge_ifindex = r;
        if (created) {
                struct link_record bridge = { .ifindex = r, .kind = LINK_LAB_BRIDGE };
                strcpy(bridge.name, config->bridge);
                if (link_registry_add(&lab->links, &bridge) < 0)
                        log_error("cannot record bridge %s: --down will not remove it", config->bridge);
                log_info("bridge %s created", config->bridge);
        } else if (rec && rec->kind == LINK_LAB_BRIDGE && external) {
                /* the admin declared it theirs: from now on it is never vmnetd's to remove */
                link_registry_remove(&lab->links, r);
                log_info("bridge %s, which vmnetd made, is the admin's now (uplink = external)", config->bridge);
        } else if (!same)
                log_info("bridge %s adopted%s", config->bridge, rec ? " (vmnetd made it)" : "");
        return 0;
}

/* Every port of vmnetd's that is not on the lab bridge is plugged in: login
 * links' bridge ends, kept taps, VMs' taps (the VMs go on running) and
 * containers' veths. */
static void plug_ports(struct lab *lab, const struct vmnet_config *config, const struct kernel_view *k) {
        int mtu = 0;

        if (sysfs_read_int(config->bridge, "mtu", &mtu) < 0 || mtu < 0)
                mtu = 0;
        link_registry_foreach(rec, &lab->links) {
                const struct kernel_link *l = kernel_view_by_ifindex(k, rec->ifindex);
                if (rec->dying || !l || l->master == lab->bridge_ifindex ||
                    !(LINK_KINDS_PORTS & LINK_KIND_BIT(rec->kind)))
                        continue;
                /* a tap takes the bridge's MTU, as a new one does; a veth keeps its own */
                int r = link_plug(lab->nl, rec->ifindex, lab->bridge_ifindex,
                                  LINK_KINDS_TAPS & LINK_KIND_BIT(rec->kind) ? (unsigned)mtu : 0);
                if (r < 0)
                        log_error_errno(r, "cannot move %s to bridge %s: %m", rec->name, config->bridge);
                else
                        log_info("%s moved to bridge %s", rec->name, config->bridge);
        }
}

/* The user name whose links these are: a student's, or the passwd entry's
 * (a VM's tap outlives its owner's session). */
static int owner_name(struct lab *lab, uid_t uid, struct user_info *ret) {
        for (size_t i = 0; i < lab->students.n; i++)
                if (lab->students.v[i]->user.uid == uid) {
                        *ret = lab->students.v[i]->user;
                        return 0;
                }
        return lab->ops->user_by_uid(uid, ret);
}

/* Each login link and tap named as tap_name says, with the index it had. */
static void rename_links(struct lab *lab, const struct vmnet_config *config) {
        link_registry_foreach(rec, &lab->links) {
                struct user_info user;
                char want[IFNAMSIZ], old[IFNAMSIZ];
                int index = tap_name_suffix_index(rec->name), r;

                if (rec->dying || !((LINK_KIND_BIT(LINK_LOGIN) | LINK_KINDS_TAPS) & LINK_KIND_BIT(rec->kind)))
                        continue;
                if (rec->kind == LINK_LOGIN)
                        index = 0;
                if (index < 0 || owner_name(lab, rec->owner, &user) < 0 ||
                    tap_name_for_user(config->tap_name, user.name, (unsigned)index, want) < 0 ||
                    strcmp(want, rec->name) == 0)
                        continue;
                if (link_registry_by_name(&lab->links, want, 0)) {
                        log_warn("%s keeps its name: %s, its name by tap_name, is another link of vmnetd's",
                                 rec->name, want);
                        continue;
                }
                r = link_rename(lab->nl, rec->ifindex, want);
                if (r < 0) {
                        log_warn_errno(r, "%s keeps its name: cannot rename it to %s (%m)", rec->name, want);
                        continue;
                }
                strcpy(old, rec->name);
                strcpy(rec->name, want);
                log_info("%s of %s renamed %s (tap_name = %s)", old, user.name, want, config->tap_name);
                struct student *st = students_find(&lab->students, user.name);
                if (rec->kind == LINK_LOGIN && st && strcmp(st->login_tap, old) == 0)
                        strcpy(st->login_tap, want);
        }
}

/* Bridges vmnetd made that are no longer the lab's: deleted, and their
 * addresses with them (the ports of vmnetd's have moved already). */
static void remove_old_bridges(struct lab *lab) {
        int old[8];
        size_t n = 0;

        link_registry_foreach(rec, &lab->links)
                if (rec->kind == LINK_LAB_BRIDGE && rec->ifindex != lab->bridge_ifindex && n < ELEMENTSOF(old))
                        old[n++] = rec->ifindex;
        for (size_t i = 0; i < n; i++) {
                struct link_record *rec = link_registry_by_ifindex(&lab->links, old[i]);
                char name[IFNAMSIZ];
                strcpy(name, rec->name);
                int r = link_delete(lab->nl, old[i]);
                if (r < 0 && r != -ENODEV) {
                        log_error_errno(r, "cannot delete bridge %s, which is no longer the lab's: %m", name);
                        continue;
                }
                link_registry_remove(&lab->links, old[i]);
                for (size_t j = lab->made.n_addresses; j-- > 0;) {
                        struct address_record gone = lab->made.addresses[j];
                        if (gone.ifindex == old[i])
                                made_address_remove(&lab->made, &gone);
                }
                log_info("bridge %s, which vmnetd made and is no longer the lab's, removed", name);
        }
}

static bool same_subnet(const struct address_record *a, struct in_addr address, unsigned prefix_len) {
        uint32_t mask = prefix_len ? htonl(~0u << (32 - prefix_len)) : 0;
        return a->prefix_len == prefix_len && (a->address.s_addr & mask) == (address.s_addr & mask);
}

/* The bridge's address as config says, and no other address of vmnetd's. */
static void apply_address(struct lab *lab, const struct vmnet_config *config) {
        bool external = config->uplink == VMNET_UPLINK_EXTERNAL;
        struct address_record want = { lab->bridge_ifindex, config->address, config->prefix_len };
        char a[INET_ADDRSTRLEN];

        for (size_t i = lab->made.n_addresses; i-- > 0;) {
                struct address_record old = lab->made.addresses[i];
                if (!external && old.ifindex == want.ifindex && old.address.s_addr == want.address.s_addr &&
                    old.prefix_len == want.prefix_len)
                        continue;
                int r = link_address_delete(lab->nl, old.ifindex, old.address, old.prefix_len);
                inet_ntop(AF_INET, &old.address, a, sizeof a);
                if (r < 0) {
                        log_error_errno(r, "cannot remove the old address %s/%u: %m", a, old.prefix_len);
                        continue;
                }
                made_address_remove(&lab->made, &old);
                if (!same_subnet(&old, config->address, config->prefix_len))
                        lab->subnet_changed = true;
                log_info("address %s/%u removed (the configuration no longer has it)", a, old.prefix_len);
        }
        if (external || made_address_has(&lab->made, &want))
                return;
        inet_ntop(AF_INET, &want.address, a, sizeof a);
        int r = link_address_add(lab->nl, want.ifindex, want.address, want.prefix_len);
        /* there already: vmnetd's own if the bridge is (an older state did
         * not record addresses), else the admin's, and left to them */
        const struct link_record *bridge = link_registry_by_ifindex(&lab->links, want.ifindex);
        if (r == -EEXIST && !(bridge && bridge->kind == LINK_LAB_BRIDGE))
                return;
        if (r < 0 && r != -EEXIST) {
                log_error_errno(r, "cannot add address %s/%u to %s: %m", a, want.prefix_len, config->bridge);
                return;
        }
        if (made_address_add(&lab->made, &want) < 0)
                log_error("cannot record address %s/%u: --down may leave it", a, want.prefix_len);
        if (r == 0)
                log_info("address %s/%u on %s", a, want.prefix_len, config->bridge);
}

void lab_apply_links(struct lab *lab, const struct vmnet_config *config) {
        struct kernel_view k = {};
        int r = links_dump(lab->nl, &k.v, &k.n);

        if (r < 0)
                log_error_errno(r, "cannot list the links: %m; the ports stay where they are");
        else {
                plug_ports(lab, config, &k);
                lab_pool_apply(lab, &k);
        }
        free(k.v);
        rename_links(lab, config);
        remove_old_bridges(lab);
        apply_address(lab, config);
}
