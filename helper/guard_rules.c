/* The guard's nftables commands (see guard_rules.h).
 *
 * MAC sets are keyed by the raw 48 bits of the source address
 * (`@ll,48,48`, typeof a raw payload) rather than `ether saddr`: a DHCP
 * request's client hardware address (`@th,288,48`: UDP header, then 28
 * bytes of BOOTP header) and an ARP sender hardware address (`@nh,64,48`)
 * are raw 48 bits too, and only keys of the same type can be looked up in
 * the same set. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard_drop.h"
#include "guard_rules.h"
#include "mac_address.h"
#include "segment.h"

#define T "bridge " GUARD_TABLE

bool guard_port_name_ok(const char *name) {
        return name[0] && strnlen(name, IFNAMSIZ) < IFNAMSIZ && !strpbrk(name, "\"\\");
}

bool guard_uid_listed(uint32_t uid, const uint32_t *uids, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (uids[i] == uid)
                        return true;
        return false;
}

static void add_set(struct strbuf *b, const char *name, const char *key, const char *flags, bool timeout,
                    unsigned size, const char *extra) {
        strbuf_printf(b, "add set " T " %s { %s;%s%s%s", name, key, flags[0] ? " flags " : "", flags,
                      flags[0] ? ";" : "");
        if (timeout)
                strbuf_printf(b, " timeout %us;", GUARD_FORGET_SECONDS);
        if (size)
                strbuf_printf(b, " size %u;", size);
        strbuf_printf(b, "%s }\n", extra);
}

/* The sets every student shares; made once, never emptied by a rebuild. */
static void shared_sets(struct strbuf *b) {
        add_set(b, "macs", "typeof @ll,48,48", "dynamic,timeout", true, GUARD_SET_MAX, "");
        add_set(b, "addrs", "type ipv4_addr", "dynamic,timeout", true, GUARD_SET_MAX, "");
        add_set(b, "leased", "type ipv4_addr", "timeout", false, GUARD_SET_MAX, "");
        add_set(b, "trusted_macs", "typeof @ll,48,48", "dynamic,timeout", true, GUARD_TRUSTED_MAX, "");
        add_set(b, "trusted_addrs", "type ipv4_addr", "dynamic,timeout", true, GUARD_TRUSTED_MAX, "");
        add_set(b, "student_ports", "type ifname", "", false, 0, "");
        /* the constant sets students' rules match against: named and made
         * first, not anonymous sets of each student's own (the kernel finds
         * a set by name, and names an anonymous one, by going through the
         * table's sets one by one: four such sets a student made each new
         * student cost O(students) eight times more) */
        add_set(b, "vlan_types", "type ether_type", "", false, 0, " elements = { 8021q, 8021ad };");
        add_set(b, "router_messages", "type icmpv6_type", "", false, 0, " elements = { nd-router-advert, nd-redirect };");
        add_set(b, "dns_protocols", "type inet_proto", "", false, 0, " elements = { tcp, udp };");
        add_set(b, "arp_ip", "type ether_type", "", false, 0, " elements = { arp, ip };");
        strbuf_printf(b, "add map " T " in_ports { type ifname : verdict; }\n");
        strbuf_printf(b, "add map " T " out_ports { type ifname : verdict; }\n");
        /* student (in the mark the dropping rule sets) . MAC . kind, counted */
        strbuf_printf(b, "add set " T " drops { typeof meta mark . ether saddr . meta mark; "
                         "flags dynamic,timeout; timeout %us; size %u; counter; }\n",
                      GUARD_DROPS_SECONDS, GUARD_DROPS_MAX);
}

/* One chain per kind: count the drop under the student the mark names and
 * the frame's MAC (no MAC for a flood of them: one counter, not thousands),
 * then drop.  When the counters are full, the count is lost, not the drop. */
static void drop_chains(struct strbuf *b) {
        for (unsigned k = GUARD_DROP_FIRST; k < _GUARD_DROP_END; k++) {
                const char *name = guard_drop_name((uint8_t)k);
                bool per_mac = k != GUARD_DROP_TOO_MANY_MACS;
                strbuf_printf(b, "add chain " T " drop_%s\n", name);
                strbuf_printf(b, "add rule " T " drop_%s update @drops { meta mark . %s . %u } drop\n", name,
                              per_mac ? "ether saddr" : "00:00:00:00:00:00", k);
                strbuf_printf(b, "add rule " T " drop_%s drop\n", name);
        }
}

/* "..., then drop as KIND": the student goes into the mark for the count
 * (set only on the way to a drop: nothing the guard lets through is
 * marked). */
#define DROP_AS(kind) "meta mark set %u goto drop_" kind

#define ELEMENTS(a) (sizeof a / sizeof((a)[0]))

/* in: whose MAC; l3: what the frame may be and whose address; l4: the
 * frames of protocols other than TCP (UDP's and ICMP's servers and
 * rates, apart so that a TCP frame never meets them); out: what leaves
 * through the student's port; exam: empty unless exam mode is on, so
 * that nothing of it costs a frame while it is off. */
static const char *const student_chains[] = { "in", "l3", "l4", "out", "exam" };
/* A student's sets: learned ones forget and hold at most max_macs. */
static const struct set_kind {
        const char *name, *key, *flags;
        bool learned;
} student_sets[] = {
        { "macs", "typeof @ll,48,48", "dynamic,timeout", true },
        { "addrs", "type ipv4_addr", "dynamic,timeout", true },
        { "leased", "type ipv4_addr", "timeout", false },
        { "ports", "type ifname", "", false },
};

/* The host's side of the lab as the rules write it. */
struct host_text {
        char address[INET_ADDRSTRLEN], subnet[INET_ADDRSTRLEN], mac[MAC_ADDRESS_STRLEN];
};

static struct host_text host_text_of(const struct guard_params *p) {
        uint32_t mask = p->prefix_len ? htonl(~0u << (32 - p->prefix_len)) : 0;
        struct in_addr net = { p->address.s_addr & mask };
        struct host_text t;

        inet_ntop(AF_INET, &p->address, t.address, sizeof t.address);
        inet_ntop(AF_INET, &net, t.subnet, sizeof t.subnet);
        mac_address_format(p->host_mac, t.mac);
        return t;
}

/* exam_UID: every frame of the student's port meets it, both ways (l3_UID
 * and out_UID jump to it); in exam mode it drops what goes from one
 * student's VM to another's, through the bridge or round through the
 * host's routing.  The frames another student's port floods to this one
 * are dropped uncounted: the sender's exam_UID counts its unicast. */
static void student_isolation(struct strbuf *b, const struct guard_params *p, uint32_t uid, bool on) {
        unsigned u = uid;

        strbuf_printf(b, "flush chain " T " exam_%u\n", u);
        if (!on)
                return;
        struct host_text h = host_text_of(p);
#define R(...) strbuf_printf(b, "add rule " T " exam_%u " __VA_ARGS__)
        /* leaving through the port: from another student's, dropped */
        R("iifname != @ports_%u iifname @student_ports drop\n", u, u);
        R("iifname != @ports_%u return\n", u, u);
        /* coming in from it: not to another student's VM */
        R("@ll,0,48 @macs @ll,0,48 != @macs_%u " DROP_AS("exam") "\n", u, u, u);
        R("ether daddr %s ip daddr %s/%u ip daddr != %s " DROP_AS("exam") "\n", u, h.mac, h.subnet, p->prefix_len,
          h.address, u);
#undef R
}

void guard_rules_student(struct strbuf *b, const struct guard_params *p, uint32_t uid) {
        struct host_text h = host_text_of(p);
        unsigned u = uid;

        for (unsigned i = 0; i < ELEMENTS(student_chains); i++)
                strbuf_printf(b, "add chain " T " %s_%u\nflush chain " T " %s_%u\n", student_chains[i], u,
                              student_chains[i], u);
        for (unsigned i = 0; i < ELEMENTS(student_sets); i++) {
                const struct set_kind *k = &student_sets[i];
                char name[32];
                snprintf(name, sizeof name, "%s_%u", k->name, u);
                add_set(b, name, k->key, k->flags, k->learned, k->learned ? p->max_macs : 0, "");
        }

#define R(chain, ...) strbuf_printf(b, "add rule " T " " chain "_%u " __VA_ARGS__)
        /* layer 2: whose MAC is it? */
        R("in", "ether saddr & 01:00:00:00:00:00 == 01:00:00:00:00:00 " DROP_AS("host_mac") "\n", u, u);
        R("in", "ether saddr %s " DROP_AS("host_mac") "\n", u, h.mac, u);
        R("in", "@ll,48,48 @macs_%u update @macs_%u { @ll,48,48 } update @macs { @ll,48,48 } goto l3_%u\n",
          u, u, u, u);
        R("in", "@ll,48,48 @macs " DROP_AS("mac_taken") "\n", u, u);
        R("in", "@ll,48,48 @trusted_macs " DROP_AS("mac_taken") "\n", u, u);
        /* a new one: the student's while they have fewer than max_macs */
        R("in", "add @macs_%u { @ll,48,48 } add @macs { @ll,48,48 } goto l3_%u\n", u, u, u);
        R("in", DROP_AS("too_many_macs") "\n", u, u);

        /* a tag would hide what is inside from every rule below */
        R("l3", "ether type @vlan_types " DROP_AS("vlan") "\n", u, u);
        /* servers only the host may be (a frame without a transport
         * header, ARP's, has no l4proto: the rule does not match) */
        R("l3", "meta l4proto != tcp jump l4_%u\n", u, u);
        R("l4", "udp sport 67 " DROP_AS("dhcp_server") "\n", u, u);
        R("l4", "udp dport 68 " DROP_AS("dhcp_server") "\n", u, u);
        R("l4", "udp sport 547 " DROP_AS("dhcpv6_server") "\n", u, u);
        R("l4", "udp dport 546 " DROP_AS("dhcpv6_server") "\n", u, u);
        R("l4", "icmpv6 type @router_messages " DROP_AS("ipv6_router") "\n", u, u);
        R("l4", "icmp type redirect " DROP_AS("redirect") "\n", u, u);
        /* the host's services: for the student's own MACs, at a rate */
        R("l4", "udp dport 67 @th,288,48 != @macs_%u " DROP_AS("dhcp_foreign") "\n", u, u, u);
        R("l4", "udp dport 67 limit rate over %u/second burst %u packets " DROP_AS("dhcp_rate") "\n", u,
          GUARD_DHCP_RATE, GUARD_DHCP_BURST, u);
        R("l3", "ip daddr %s meta l4proto @dns_protocols th dport 53 limit rate over %u/second burst %u packets "
          DROP_AS("dns_rate") "\n", u, h.address, GUARD_DNS_RATE, GUARD_DNS_BURST, u);
        R("l3", "ether type arp @nh,64,48 != @macs_%u " DROP_AS("arp_foreign") "\n", u, u, u);
        R("l3", "jump exam_%u\n", u, u);
        /* addresses: never the host's; the student's own (leased, then seen);
         * free ones become theirs; another student's never */
        R("l3", "arp saddr ip %s " DROP_AS("host_address") "\n", u, h.address, u);
        R("l3", "ip saddr %s " DROP_AS("host_address") "\n", u, h.address, u);
        R("l3", "arp saddr ip 0.0.0.0 accept\n", u);
        R("l3", "ip saddr 0.0.0.0 accept\n", u);
        static const char *const sources[] = { "arp saddr ip", "ip saddr" };
        for (unsigned i = 0; i < 2; i++)
                R("l3", "%s @leased_%u accept\n", u, sources[i], u);
        for (unsigned i = 0; i < 2; i++)
                R("l3", "%s @leased " DROP_AS("address_taken") "\n", u, sources[i], u);
        for (unsigned i = 0; i < 2; i++)
                R("l3", "%s @addrs_%u update @addrs_%u { %s } update @addrs { %s } accept\n", u, sources[i], u, u,
                  sources[i], sources[i]);
        for (unsigned i = 0; i < 2; i++) {
                R("l3", "%s @addrs " DROP_AS("address_taken") "\n", u, sources[i], u);
                R("l3", "%s @trusted_addrs " DROP_AS("address_taken") "\n", u, sources[i], u);
        }
        R("l3", "ether type arp add @addrs_%u { arp saddr ip } add @addrs { arp saddr ip } accept\n", u, u);
        R("l3", "ether type ip add @addrs_%u { ip saddr } add @addrs { ip saddr } accept\n", u, u);
        R("l3", "ether type @arp_ip " DROP_AS("too_many_addresses") "\n", u, u);

        /* leaving through the student's port */
        /* (the student's own MAC first: a frame for it stops at one lookup) */
        R("out", "@ll,0,48 != @macs_%u @ll,0,48 @macs drop\n", u, u);
        R("out", "jump exam_%u\n", u, u);
#undef R
        student_isolation(b, p, uid, p->isolation);
}

void guard_rules_student_delete(struct strbuf *b, uint32_t uid) {
        /* rules go before the chains and sets they name */
        for (unsigned i = 0; i < ELEMENTS(student_chains); i++)
                strbuf_printf(b, "flush chain " T " %s_%u\n", student_chains[i], (unsigned)uid);
        for (unsigned i = 0; i < ELEMENTS(student_chains); i++)
                strbuf_printf(b, "delete chain " T " %s_%u\n", student_chains[i], (unsigned)uid);
        for (unsigned i = 0; i < ELEMENTS(student_sets); i++)
                strbuf_printf(b, "delete set " T " %s_%u\n", student_sets[i].name, (unsigned)uid);
}

void guard_rules_port(struct strbuf *b, const struct guard_port *port, bool add) {
        const char *op = add ? "add" : "delete";
        unsigned u = port->uid;

        if (!guard_port_name_ok(port->name))
                return;
        if (add) {
                strbuf_printf(b, "add element " T " in_ports { \"%s\" : goto in_%u }\n", port->name, u);
                strbuf_printf(b, "add element " T " out_ports { \"%s\" : jump out_%u }\n", port->name, u);
        } else {
                strbuf_printf(b, "delete element " T " in_ports { \"%s\" }\n", port->name);
                strbuf_printf(b, "delete element " T " out_ports { \"%s\" }\n", port->name);
        }
        strbuf_printf(b, "%s element " T " student_ports { \"%s\" }\n", op, port->name);
        strbuf_printf(b, "%s element " T " ports_%u { \"%s\" }\n", op, u, port->name);
}

void guard_rules_ports_refresh(struct strbuf *b, const struct guard_port *ports, size_t n_ports,
                               const uint32_t *uids, size_t n_uids) {
        strbuf_printf(b, "flush map " T " in_ports\nflush map " T " out_ports\nflush set " T " student_ports\n");
        for (size_t i = 0; i < n_uids; i++)
                strbuf_printf(b, "flush set " T " ports_%u\n", (unsigned)uids[i]);
        for (size_t i = 0; i < n_ports; i++)
                if (guard_uid_listed(ports[i].uid, uids, n_uids))
                        guard_rules_port(b, &ports[i], true);
}

void guard_rules_isolation(struct strbuf *b, const struct guard_params *p, bool on, const uint32_t *uids,
                           size_t n_uids) {
        for (size_t i = 0; i < n_uids; i++)
                student_isolation(b, p, uids[i], on);
}

void guard_rules_table(struct strbuf *b, const struct guard_params *p, const struct guard_port *ports,
                       size_t n_ports, const uint32_t *uids, size_t n_uids) {
        /* rules only: `flush table` leaves every set and its elements */
        strbuf_printf(b, "add table " T "\nflush table " T "\n");
        shared_sets(b);
        /* the exam chain all students shared before exam_UID did it all */
        strbuf_printf(b, "add chain " T " exam\ndelete chain " T " exam\n");
        /* what students' rules use that a modular kernel keeps in a module
         * of its own (nft_limit), used once here, in a chain nothing jumps
         * to: the kernel loads it with the table, and a kernel that cannot
         * fails the guard's start, said in the log (the lab then works
         * unguarded), instead of every login's sync (the ports would stay
         * closed) */
        strbuf_printf(b, "add chain " T " needs\nadd rule " T " needs limit rate 1/second\n");
        drop_chains(b);
        for (size_t i = 0; i < n_uids; i++)
                guard_rules_student(b, p, uids[i]);
        /* owners of ports that uids forgot get chains too */
        for (size_t i = 0; i < n_ports; i++) {
                bool seen = guard_uid_listed(ports[i].uid, uids, n_uids);
                for (size_t j = 0; j < i && !seen; j++)
                        seen = ports[j].uid == ports[i].uid;
                if (!seen)
                        guard_rules_student(b, p, ports[i].uid);
        }
        strbuf_printf(b, "flush map " T " in_ports\nflush map " T " out_ports\nflush set " T " student_ports\n");
        for (size_t i = 0; i < n_ports; i++) {
                strbuf_printf(b, "flush set " T " ports_%u\n", (unsigned)ports[i].uid);
                guard_rules_port(b, &ports[i], true);
        }
        /* early, so that nothing of the host's (priority 0 and later) sees a
         * frame the guard drops; learning in the FDB comes after this hook */
        strbuf_printf(b, "add chain " T " prerouting { type filter hook prerouting priority -200; policy accept; }\n");
        strbuf_printf(b, "add rule " T " prerouting iifname vmap @in_ports\n");
        for (unsigned i = 0; i < GUARD_CLOSED_PREFIXES && p->closed_prefixes[i][0]; i++)
                if (guard_port_name_ok(p->closed_prefixes[i]) && strlen(p->closed_prefixes[i]) < IFNAMSIZ - 1)
                        strbuf_printf(b, "add rule " T " prerouting iifname \"%s*\" drop\n", p->closed_prefixes[i]);
        /* a student's private segment is no part of the lab (segment.h):
         * what its ports carry is theirs alone, never trusted here (it
         * would let one student mark another's MAC or address taken) */
        strbuf_printf(b, "add rule " T " prerouting iifname \"" SEGMENT_PORT_PREFIX "*\" accept\n");
        strbuf_printf(b, "add rule " T " prerouting update @trusted_macs { @ll,48,48 }\n");
        strbuf_printf(b, "add rule " T " prerouting arp saddr ip != 0.0.0.0 update @trusted_addrs { arp saddr ip }\n");
        strbuf_printf(b, "add chain " T " forward { type filter hook forward priority -200; policy accept; }\n");
        strbuf_printf(b, "add rule " T " forward oifname vmap @out_ports\n");
        strbuf_printf(b, "add chain " T " output { type filter hook output priority -200; policy accept; }\n");
        strbuf_printf(b, "add rule " T " output oifname vmap @out_ports\n");
}

static int compare_leases(const void *a, const void *b) {
        const struct guard_lease *x = a, *y = b;
        uint32_t ax = ntohl(x->addr.s_addr), ay = ntohl(y->addr.s_addr);
        if (ax != ay)
                return ax < ay ? -1 : 1;
        if (x->uid != y->uid)
                return x->uid < y->uid ? -1 : 1;
        return (x->expiry > y->expiry) - (x->expiry < y->expiry);
}

/* Whether a lease goes into the table: its student's chains are there
 * (uids) and it has not expired. */
static bool lease_counts(const struct guard_lease *l, const uint32_t *uids, size_t n_uids, int64_t now) {
        return guard_uid_listed(l->uid, uids, n_uids) && (l->expiry == 0 || l->expiry > now);
}

size_t guard_rules_leases_kept(const struct guard_lease *leases, size_t n_leases, const uint32_t *uids,
                               size_t n_uids, int64_t now, struct guard_lease *out) {
        size_t n = 0, kept = 0;

        for (size_t i = 0; i < n_leases; i++)
                if (lease_counts(&leases[i], uids, n_uids, now))
                        out[n++] = leases[i];
        if (n > 1)
                qsort(out, n, sizeof *out, compare_leases);
        for (size_t i = 0; i < n; i++)
                if (kept == 0 || out[kept - 1].addr.s_addr != out[i].addr.s_addr)
                        out[kept++] = out[i];
        return kept;
}

/* The two elements of a lease (the set of all, its student's), added
 * (verb "add", with its timeout) or deleted. */
static void lease_elements(struct strbuf *b, const char *verb, const struct guard_lease *l, int64_t now) {
        char addr[INET_ADDRSTRLEN], timeout[32] = "";

        inet_ntop(AF_INET, &l->addr, addr, sizeof addr);
        if (strcmp(verb, "add") == 0 && l->expiry != 0)
                snprintf(timeout, sizeof timeout, " timeout %llds", (long long)(l->expiry - now));
        strbuf_printf(b, "%s element " T " leased { %s%s }\n", verb, addr, timeout);
        strbuf_printf(b, "%s element " T " leased_%u { %s%s }\n", verb, (unsigned)l->uid, addr, timeout);
}

void guard_rules_leases(struct strbuf *b, const struct guard_lease *leases, size_t n_leases,
                        const uint32_t *uids, size_t n_uids, int64_t now) {
        strbuf_printf(b, "flush set " T " leased\n");
        for (size_t i = 0; i < n_uids; i++)
                strbuf_printf(b, "flush set " T " leased_%u\n", (unsigned)uids[i]);
        for (size_t i = 0; i < n_leases; i++)
                if (lease_counts(&leases[i], uids, n_uids, now))
                        lease_elements(b, "add", &leases[i], now);
}

void guard_rules_leases_change(struct strbuf *b, const struct guard_lease *had, size_t n_had,
                               const struct guard_lease *kept, size_t n_kept, int64_t now) {
        size_t i = 0, j = 0;

        /* the deletions first: a changed lease's old elements go before its new ones come */
        while (i < n_had || j < n_kept) {
                int c = i == n_had ? 1 : j == n_kept ? -1 : compare_leases(&had[i], &kept[j]);
                if (c < 0 && (had[i].expiry == 0 || had[i].expiry > now))
                        lease_elements(b, "delete", &had[i], now);
                i += c <= 0;
                j += c >= 0;
        }
        for (i = 0, j = 0; i < n_had || j < n_kept;) {
                int c = i == n_had ? 1 : j == n_kept ? -1 : compare_leases(&had[i], &kept[j]);
                if (c > 0)
                        lease_elements(b, "add", &kept[j], now);
                i += c <= 0;
                j += c >= 0;
        }
}

void guard_rules_delete_table(struct strbuf *b) {
        strbuf_printf(b, "add table " T "\ndelete table " T "\n");
}
