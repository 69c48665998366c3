/* The lab segment's port guard at run time: keeps the kernel's table
 * `bridge vmnet_guard` (guard_rules.h says what it does) in step with the
 * lab's ports, leases and exam mode, and reads back what it dropped.
 *
 * Everything goes through libnftables (CAP_NET_ADMIN, nothing more): the
 * packet path learns MACs and addresses by itself, vmnetd only tells it
 * which port is whose and which addresses dnsmasq leased.  The table stays
 * when vmnetd stops or is killed, so a restart finds the learned ownership
 * where it was; guard_remove() (--down) takes it away. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "guard_rules.h"
#include "nft_listing.h"

#define GUARD_ISOLATION_FILE "isolation" /* in run_dir: exam mode switched at run time */
#define GUARD_TABLE_NAME "bridge " GUARD_TABLE /* "FAMILY NAME", as lab_made.h records tables */
#define GUARD_LOG_LINES_MAX 8            /* drop lines logged per reading, then a summary */
#define GUARD_LOG_EVERY_MS 30000         /* one counter is logged at most this often */

/* A drop counter as last read, and how much of it the log has told. */
struct guard_drop_seen {
        struct nft_drop_count count;
        uint64_t logged;
        long long logged_ms;
};

struct guard {
        bool on;                        /* the table is ours to keep (guard = on, nftables took it) */
        struct guard_params params;
        char isolation_path[PATH_MAX + 16];
        struct guard_port *ports;       /* the students' ports */
        size_t n_ports, cap_ports;
        uint32_t *uids;                 /* students whose chains are in the table */
        size_t n_uids, cap_uids;
        struct guard_drop_seen *drops;  /* the last reading of the counters */
        size_t n_drops;
        long long read_ms;              /* when (CLOCK_MONOTONIC), 0: never */
        bool ports_left;                /* the last sync left new students' ports for the next */
        struct guard_lease *leased;     /* what the leased sets hold (guard_rules_leases_kept()) */
        size_t n_leased;
        bool leased_known;              /* false: not known, the next guard_leases() refills them */
};

/* Describes a student's VM for a log line ("stu1's vm3 (52:54:00:12:34:56)")
 * into ret (size bytes). */
typedef void (*guard_describe_fn)(uint32_t uid, const uint8_t mac[6], char *ret, size_t size, void *userdata);

/* Builds (or rebuilds, keeping what was learned) the table for config and
 * the students' ports; removes the table when config says guard = off.
 * host_mac is the bridge's own MAC.  Exam mode is config's isolation,
 * unless a teacher switched it since vmnetd last read the config
 * (run_dir/isolation).  Returns 0 or -errno (logged; the lab then runs
 * unguarded). */
int guard_start(struct guard *g, const struct vmnet_config *config, const uint8_t host_mac[6],
                const struct guard_port *ports, size_t n_ports);

/* A reload: every key as config says now (isolation from the config wins
 * over a teacher's switch), host_mac the bridge's (it may be another
 * bridge now).  A new max_macs forgets what was learned (the sets are made
 * anew). */
int guard_reload(struct guard *g, const struct vmnet_config *config, const uint8_t host_mac[6]);

/* The students' ports are ports now: those gone are taken out, new ones (or
 * ones of another student now) put in, all in one transaction.  The ports
 * of at most max_new students new to the table go in (each costs the
 * kernel O(students) to make): the rest wait for the next sync
 * (g->ports_left), closed.  Returns 0 or the first -errno.  The lab takes
 * GUARD_SYNC_STUDENTS_MAX while requests wait, GUARD_SYNC_STUDENTS_IDLE
 * when none does. */
#define GUARD_SYNC_STUDENTS_MAX  8
#define GUARD_SYNC_STUDENTS_IDLE 32
int guard_sync_ports(struct guard *g, const struct guard_port *ports, size_t n, size_t max_new);

/* A link event says the student's port now has the MAC address mac
 * (SIOCSIFHWADDR on a tap's fd needs no privilege, and the bridge makes
 * the port's own address a local FDB entry: frames for that MAC then go to
 * the host, not to the VM that has it).  True when it changed from the
 * address last seen (the first one seen is only noted) to the host's, or
 * to one another student's VM or the host's side uses: the caller gives
 * the port a fresh address. */
bool guard_port_address_stolen(struct guard *g, const char *port, const uint8_t mac[6]);
/* A student's port the next sync will put in: watched (its addresses)
 * from now on.  Nothing when the guard has the port already.  Returns 0 or
 * -errno. */
int guard_port_watch(struct guard *g, const char *name, uint32_t uid);
/* Is name a student's port the guard watches (in the table, or left for
 * the next sync), whose uid then in ret_uid? */
bool guard_port_owner(const struct guard *g, const char *name, uint32_t *ret_uid);
/* Has an address of the port been seen yet (false: not, or no such port)? */
bool guard_port_address_known(const struct guard *g, const char *port);

/* Exam mode on or off now, remembered across restarts until the next
 * reload.  Returns 0 or -errno. */
int guard_set_isolation(struct guard *g, bool on);
bool guard_isolation(const struct guard *g);

/* The addresses dnsmasq leased to students' VMs now (the whole list). */
void guard_leases(struct guard *g, const struct guard_lease *leases, size_t n);

/* Reads the drop counters at now_ms (CLOCK_MONOTONIC); logs each one that
 * grew since the log last told it, at most every GUARD_LOG_EVERY_MS, and at
 * most GUARD_LOG_LINES_MAX lines a reading (then how many more), described
 * by describe.  Returns 0 or -errno. */
int guard_read_drops(struct guard *g, long long now_ms, guard_describe_fn describe, void *userdata);

/* The last reading's counters of uid, at most max of them, into ret;
 * returns how many. */
size_t guard_drops_of(const struct guard *g, uint32_t uid, struct nft_drop_count *ret, size_t max);

/* Frees what g holds; the table stays in the kernel. */
void guard_stop(struct guard *g);

/* --down: removes the table.  0 or -errno. */
int guard_remove(void);
