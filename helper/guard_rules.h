/* The lab segment's port guard as nftables command text: the bridge
 * family table `bridge vmnet_guard` and the small commands that keep it in
 * step with the lab.  Pure text generation, no kernel calls (guard.c runs
 * the commands through libnftables).
 *
 * The table, in short (vmnet.conf(5) says it for admins):
 *   prerouting  a frame from a student's port goes to that student's
 *               chains (the `in_ports` map); a port named like vmnetd's
 *               that is in no map is dropped; any other port is the host's
 *               side (the admin's uplink with uplink = external) and is
 *               trusted, its MACs and ARP addresses only noted
 *   in_UID      layer 2: the source MAC must be the student's own (learned
 *               into macs_UID, at most max_macs) and no other student's,
 *               not the host's
 *   l3_UID      no DHCP/DHCPv6 server, RA or redirect; DHCP only for the
 *               student's MACs and at a rate, DNS to the host at a rate;
 *               ARP and IPv4 sources never the host's address, nor one
 *               another student leased or was last seen with
 *   out_UID     (forward and output) a frame for a MAC another student's VM
 *               has never leaves through this student's port; in exam mode
 *               nothing from another student's port does
 * Learned sets (MACs, addresses) forget an entry not seen for
 * GUARD_FORGET_SECONDS; leased addresses are vmnetd's, from dnsmasq's
 * leases.  Rebuilding the table keeps every set's elements: learned
 * ownership survives reloads and restarts.  Drops are counted per student,
 * MAC and kind (common/guard_drop.h) in the set `drops`. */
#pragma once
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define GUARD_TABLE            "vmnet_guard"
#define GUARD_FORGET_SECONDS   600    /* a MAC or address unseen this long is free */
#define GUARD_DHCP_RATE        20     /* DHCP requests per second and student ... */
#define GUARD_DHCP_BURST       50     /*   ... after a burst of this many */
#define GUARD_DNS_RATE         200    /* DNS queries to the host per second and student ... */
#define GUARD_DNS_BURST        400
#define GUARD_SET_MAX          65536  /* MACs, addresses, leases of all students */
#define GUARD_TRUSTED_MAX      4096   /* MACs and addresses seen on the host's side */
#define GUARD_DROPS_MAX        4096   /* drop counters (student . MAC . kind) */
#define GUARD_DROPS_SECONDS    3600   /* a drop counter not hit again this long goes */

#define GUARD_CLOSED_PREFIXES 4

struct guard_params {
        struct in_addr address;  /* the host's address on the lab */
        unsigned prefix_len;
        uint8_t host_mac[6];     /* the bridge's own MAC */
        unsigned max_macs;       /* source MACs, and IPv4 addresses, per student */
        bool isolation;          /* exam mode */
        /* Name prefixes of the ports vmnetd makes ("vmnp", "vmnc", "t~", "tap-"): such a
         * port not (yet) in the maps is dropped, not trusted.  Empty ones end
         * the list. */
        char closed_prefixes[GUARD_CLOSED_PREFIXES][IFNAMSIZ];
};

/* A port of the lab bridge that belongs to a student (login link's bridge
 * end, tap). */
struct guard_port {
        char name[IFNAMSIZ];
        uint32_t uid;
        uint8_t mac[6];  /* the port's own address as last seen (guard.c), 0s before */
        bool pending;    /* guard.c: a port it watches that a sync left out of the table */
};

/* An address dnsmasq leased to a student's VM; expiry 0 is infinite. */
struct guard_lease {
        struct in_addr addr;
        uint32_t uid;
        int64_t expiry;
};

/* Can name go into the table (a quote or backslash cannot)? */
bool guard_port_name_ok(const char *name);

/* The whole table in one transaction: every chain and rule rebuilt, sets
 * made where missing and kept where present, the port maps refilled with
 * ports, and the chains and sets of every student in uids (the owners of
 * ports among them) made.  Ports with names guard_port_name_ok refuses
 * are left out. */
void guard_rules_table(struct strbuf *b, const struct guard_params *p, const struct guard_port *ports,
                       size_t n_ports, const uint32_t *uids, size_t n_uids);

/* The chains, sets and rules of one student (idempotent). */
void guard_rules_student(struct strbuf *b, const struct guard_params *p, uint32_t uid);

/* Removes a student's chains and sets (their ports must be out of the
 * maps first, or in the same transaction before this). */
void guard_rules_student_delete(struct strbuf *b, uint32_t uid);

/* Whether uid is one of the n in uids. */
bool guard_uid_listed(uint32_t uid, const uint32_t *uids, size_t n);

/* Puts a port into the maps (add) or takes it out. */
void guard_rules_port(struct strbuf *b, const struct guard_port *port, bool add);

/* Empties the port maps and the per-student port sets of uids, then adds
 * ports: for when an add or delete above failed (a stale entry). */
void guard_rules_ports_refresh(struct strbuf *b, const struct guard_port *ports, size_t n_ports,
                               const uint32_t *uids, size_t n_uids);

/* Exam mode on or off, for the students in uids (whose chains exist), with
 * the host's addresses in p (its isolation is not read: on is). */
void guard_rules_isolation(struct strbuf *b, const struct guard_params *p, bool on, const uint32_t *uids,
                           size_t n_uids);

/* Replaces the leased addresses of the students in uids (and the set of
 * all leased addresses) with leases, as of now; leases of other uids and
 * expired ones are left out. */
void guard_rules_leases(struct strbuf *b, const struct guard_lease *leases, size_t n_leases,
                        const uint32_t *uids, size_t n_uids, int64_t now);

/* What of leases the leased sets hold, as of now: the leases of the
 * students in uids that have not expired, in address order, one an
 * address (the first), into out (room for n_leases); how many. */
size_t guard_rules_leases_kept(const struct guard_lease *leases, size_t n_leases, const uint32_t *uids,
                               size_t n_uids, int64_t now, struct guard_lease *out);
/* Turns the leased sets from holding had into holding kept (both as
 * guard_rules_leases_kept() gives them): a lease that went is deleted, one
 * that came is added, one whose student or expiry changed goes and comes
 * back.  One that had expired by now is not deleted: the kernel timed it
 * out.  Nothing at all when nothing changed.  (Refilling the sets whole
 * on every change of the lease file made the kernel find a set by name
 * for each of 1000 flushes and 2000 elements: a class's new VM waited
 * 155 ms for its name, measured.) */
void guard_rules_leases_change(struct strbuf *b, const struct guard_lease *had, size_t n_had,
                               const struct guard_lease *kept, size_t n_kept, int64_t now);

/* Removes the table (no error when there is none). */
void guard_rules_delete_table(struct strbuf *b);
