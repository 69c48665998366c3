/* The lab: the bridge and every student's links, kept in step with the
 * kernel and with run_dir/state.  Each request handler in requests.c is a
 * thin layer of authorisation over one of these operations.
 *
 *   lab_sessions.c   OPEN, CLOSE, a session's process dying
 *   lab_taps.c       extra and VM taps (quota), STATUS, whose VM a MAC is
 *   lab_netns.c      a veth into a network namespace of the student's
 *   lab_segments.c   private segments: add, del, list, their VMs' taps,
 *                    their end with the last session (unless kept)
 *   lab_lifecycle.c  start (adoption, orphans), reload, stop, the batched
 *                    deletions, the kernel's link events
 *   lab_takeback.c   run_dir/state's records, as far as the kernel confirms them
 *   lab_apply.c      the kernel brought in line with a configuration (start
 *                    and reload): bridge, ports, names, addresses
 *   lab_down.c       --down: everything the records say vmnetd made
 *   lab_captures.c   CAPTURE: whose port a target is, who may watch it
 *   lab_views.c      the lab view (status --all, top, lab.html) and its blob
 *   link_registry.c  which links are vmnetd's and whose (the only place)
 *   lab_made.c       the addresses and nftables tables vmnetd made
 *   lab_ops.h        the seam to the kernel and the user databases
 *
 * Operations return 0 or a negative errno; requests.c maps errnos to
 * enum vmnet_status in one table:
 *   -ESRCH   no such user           -EACCES  user outside allow_groups
 *   -EPERM   refused                -EDQUOT  max_taps reached
 *   -EBUSY   too many at once       -ENOTUNIQ  the name asked for is taken
 *   -EBADMSG malformed              -ENOSPC  max_segments reached
 *   -EALREADY  the caller has a segment of that name
 *   -ENOTEMPTY  VMs are attached to the segment
 *   -EUSERS  too many captures      -ESTALE  the lab view changed
 *   anything else: vmnetd failed (logged) */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "lab_made.h"
#include "lab_captures.h"
#include "lab_views.h"
#include "link_registry.h"
#include "students.h"

struct nl_sock;
struct kernel_link;
struct lab_ops;
struct saved_state;
struct strbuf;
struct fdb_sighting;
struct port_owner;
struct guard;

struct lab {
        struct vmnet_config config;
        const struct lab_ops *ops;
        struct nl_sock *nl;
        int bridge_ifindex;
        struct lab_made made;      /* addresses and tables vmnetd made (the links are in links) */
        bool subnet_changed;       /* the bridge's address moved to another subnet: dnsmasq's
                                    * leases are stale (the daemon clears it) */
        /* What LAB_HEALTH answers, as the daemon last saw dnsmasq and the
         * firewall; retry_seconds is worked out from dnsmasq_retry_at_ms. */
        struct vmnet_lab_health health;
        long long dnsmasq_retry_at_ms;
        bool segments_sealed;      /* segment_seal.h's table is in place (made with the first
                                    * segment): segments may be made */
        gid_t allowed_gids[CONFIG_GROUPS_MAX];
        size_t n_allowed_gids;
        gid_t teacher_gids[CONFIG_GROUPS_MAX];
        size_t n_teacher_gids;
        int tc_fd;               /* rtnl_open(), for tc (mirror.h); -1 before lab_start */
        struct captures captures;
        struct lab_views views;
        struct students students;
        struct link_registry links;
        uid_t self_uid;          /* vmnetd's own user (OWNER's only caller) */
        char state_path[PATH_MAX];
        size_t state_lines;        /* records in run_dir/state when it was last written whole */
        size_t journal_lines;      /* records appended to it since (lab_save_change) */
        long long pool_retry_at_ms; /* no link is made ahead before then: the last try failed */
        long long pool_filled_ms;   /* when the last link was made ahead (or tried) */
        /* Starts watching a session's pidfd: the event loop's id for it
         * (never 0, never reused) in *ret_id.  And stops watching it. */
        int (*watch_pidfd)(void *ctx, int pidfd, uint64_t *ret_id);
        void (*unwatch_pidfd)(void *ctx, int pidfd);
        void *watch_ctx;
        /* The bridge's FDB read once for many lookups (lab_fdb_hold), sorted;
         * NULL when not held. */
        struct fdb_sighting *fdb;
        size_t n_fdb;
        /* The registry's ports by name for the same (lab_port_owners_hold);
         * NULL when not held. */
        struct port_owner *port_owners;
        size_t n_port_owners;
        /* The lab segment's port guard (guard.h), NULL for none; what of the
         * registry it last followed (links.changes). */
        struct guard *guard;
        uint64_t guard_changes;
        long long guard_sync_after_ms; /* the next sync waits until then (lab_guard.c) */
};

/* The lab's tables set up for config, talking to the world through ops,
 * nothing asked of the kernel yet.  lab_start() does that. */
int lab_init(struct lab *lab, const struct vmnet_config *config, const struct lab_ops *ops);

/* Opens netlink, takes back vmnetd's records of run_dir/state that the
 * kernel confirms, makes or adopts the bridge, takes back what the records
 * say is alive (login links re-plugged, sessions re-watched); removes the
 * links it made that no live session owns (never a link vmnetd did not
 * make); then brings what is left in line with config (lab_apply.c), so a
 * configuration changed while vmnetd was stopped applies as a reload does. */
int lab_start(struct lab *lab, const struct vmnet_config *config);
/* Applies a reloaded config, every key, without dropping a session: a
 * new bridge takes every port of vmnetd's and the bridge vmnetd made
 * before goes; a new address replaces the old one; a new tap_name renames
 * the links.  When the new bridge cannot be had (an external one missing),
 * nothing changes and -errno is returned (logged). */
int lab_reload(struct lab *lab, const struct vmnet_config *config);
/* SIGTERM: state saved, the links of live sessions stay and keep working. */
void lab_stop(struct lab *lab);
/* --down: removes every link, address and nftables table run_dir/state
 * says vmnetd made, whatever config says now; config only helps where
 * there is no state (an older vmnetd's links, see lab_takeback.c). */
int lab_down(const struct vmnet_config *config);

/* On success the session owns peer_pidfd (-1: none); on failure the caller
 * still does. */
int lab_open_session(struct lab *lab, const char *user, pid_t pid, int peer_pidfd, char ret_tap[IFNAMSIZ]);
int lab_close_session(struct lab *lab, const char *user, pid_t pid);
/* want: VMNET_TAP_WANT_* bits; each takes the ones that mean something for it. */
int lab_tap_add(struct lab *lab, const struct user_info *user, uint8_t want, char ret_tap[IFNAMSIZ]);
int lab_tap_del(struct lab *lab, const struct user_info *user, const char *tap);
/* bridge: the lab bridge, or the name of a segment of the user's. */
int lab_vm_tap(struct lab *lab, const struct user_info *user, const char *bridge, uint8_t want,
               char ret_tap[IFNAMSIZ], int *ret_fd);
int lab_status(struct lab *lab, const struct user_info *user, struct vmnet_reply *ret);
/* Whether the lab's services work (LAB_HEALTH), for anyone. */
int lab_health(struct lab *lab, struct vmnet_reply *ret);
/* A veth whose end named ifname ("" for eth0) vmnetd makes in the network
 * namespace netns_fd refers to, the other end (its name in ret_port) on
 * the lab bridge, or on the user's segment called segment ("": the lab).
 * Only into a namespace whose user namespace the kernel says user owns
 * (netns.h), within max_taps.  netns_fd is the caller's to close, and it
 * must: the namespace goes when nothing holds it, and its link then with
 * it (lab_link_event()). */
int lab_netns_attach(struct lab *lab, const struct user_info *user, int netns_fd, const char *ifname,
                     const char *segment, char ret_port[IFNAMSIZ]);

/* A private segment of the user's called name (segment_name.h; never the
 * lab bridge's name), within max_segments: its bridge (the kernel's name
 * in ret_bridge) and its link for VirtualBox and VMware (ret_link).  It
 * goes with the user's last session, or, when keep, stays until deleted
 * or the next boot. */
int lab_segment_add(struct lab *lab, const struct user_info *user, const char *name, bool keep,
                    char ret_link[IFNAMSIZ], char ret_bridge[IFNAMSIZ]);
/* Deletes the user's segment called name with its link; refused
 * (-ENOTEMPTY) while a VM's tap or a container's link is on it.  Any other
 * name gets the one refusal, -EPERM. */
int lab_segment_del(struct lab *lab, const struct user_info *user, const char *name);
/* The user's segments and what is attached to them, into ret. */
int lab_segment_list(struct lab *lab, const struct user_info *user, struct vmnet_reply *ret);
/* The bridge of the user's segment called name (not dying), or NULL. */
const struct link_record *lab_segment_of(const struct lab *lab, uid_t uid, const char *name);
/* A new VM tap (vnet header when want says so) on the user's segment seg,
 * within max_taps. */
int lab_segment_vm_tap(struct lab *lab, const struct user_info *user, const struct link_record *seg, uint8_t want,
                       char ret_tap[IFNAMSIZ], int *ret_fd);

/* login_pool (lab_pool.c): whether the pool of login links made ahead
 * of logins has fewer than login_pool; makes one more (each costs the
 * kernel about what a new login link does, under the lock every login
 * waits for).  lab_pool_fill_at: when the next one may be made, -1 for
 * none: at quiet_at (requests paused, then link by link while they stay
 * paused), or while they keep coming once the last one is POOL_BUSY_MS
 * old.  The daemon makes one in no round that served a request. */
bool lab_pool_wants(const struct lab *lab);
long long lab_pool_fill_at(const struct lab *lab, long long quiet_at);
void lab_pool_fill_one(struct lab *lab);

/* The process behind the watch with this id ended. */
void lab_session_died(struct lab *lab, uint64_t watch_id);

/* The kernel says a link appeared, changed (ev_deleted false) or went;
 * link NULL: link events were lost, the registry is checked against a
 * fresh dump. */
void lab_link_event(struct lab *lab, const struct kernel_link *link, bool deleted);

/* Deletes links waiting for deletion, a batch of them in one kernel
 * operation; call again while lab_has_deletions(). */
void lab_flush_deletions(struct lab *lab);
/* The same in larger batches, for when no request can be waiting (each
 * holds vmnetd up longer, and costs less per link). */
void lab_flush_deletions_unhurried(struct lab *lab);
bool lab_has_deletions(const struct lab *lab);

/* For the names program (OWNER): whose link the guest with this MAC sits
 * behind; the user's DNS label (dns_user_label(): what NAME.USER.DOMAIN
 * holds) into ret_user (HOSTS_USER_MAX + 1 bytes at least).  0, or -ENOENT
 * when it is behind no student's link. */
int lab_owner_of_mac(const uint8_t mac[6], uid_t *ret_uid, char *ret_user, void *lab);
/* The same, the uid alone: no lookup of the user (the guard asks it for
 * every lease, and with 1000 students in /etc/passwd each getpwuid_r()
 * read the file: half of vmnetd's time while a class's VMs came up,
 * measured). */
int lab_owner_uid_of_mac(struct lab *lab, const uint8_t mac[6], uid_t *ret_uid);
/* Reads the bridge's FDB once for the lab_owner_of_mac calls until
 * lab_fdb_release (a publish asks for every lease: 50,000 MACs read once,
 * not once per lease).  Without a hold each lookup reads it whole. */
void lab_fdb_hold(struct lab *lab);
void lab_fdb_release(struct lab *lab);
/* The same for the registry's ports: an index of their names until
 * lab_port_owners_release (the guard asks for every lease, and each
 * lookup walked the registry: 1000 leases of a class of 1000 were 2
 * million name comparisons, measured), for as long as the registry does
 * not change. */
void lab_port_owners_hold(struct lab *lab);
void lab_port_owners_release(struct lab *lab);

/* The guard and the lab (lab_guard.c): the guard built for the lab's
 * config, bridge and ports; kept in step with the registry's ports (call
 * after anything that may have changed them); a link event for a student's
 * port whose MAC became another's (the port gets a fresh one); the drop
 * counters read and logged with names.  All do nothing without lab->guard. */
int lab_guard_start(struct lab *lab);
void lab_guard_reload(struct lab *lab);
/* The guard follows the registry's ports: at once when idle (requests
 * paused: nothing waits behind a sync, which then takes up to
 * GUARD_SYNC_STUDENTS_IDLE new students), else at most once a second with
 * up to GUARD_SYNC_STUDENTS_MAX, so that a class logging in does not wait
 * behind syncs of O(ports) each; at once too when a port's name came back
 * for another student (the old entry must not take their frames).  While
 * links wait to be deleted, it waits for them.  An unsynced new port is
 * closed, not open. */
void lab_guard_sync(struct lab *lab, bool idle);
/* When the next sync is due while requests keep coming (CLOCK_MONOTONIC
 * ms; 0: at once), -1 when none waits. */
long long lab_guard_sync_due(const struct lab *lab);
void lab_guard_link_event(struct lab *lab, const struct kernel_link *link, bool deleted);
void lab_guard_read_drops(struct lab *lab, long long now_ms);
/* Exam mode switched by `by` (logged with the name): -ENOTCONN when the
 * guard is off. */
int lab_set_isolation(struct lab *lab, const struct user_info *by, bool on);
/* STATUS's guard byte and uid's drop counters (the biggest, at most
 * VMNET_DROPS_MAX), read again when the last reading is older than 1 s. */
void lab_guard_status(struct lab *lab, uid_t uid, struct vmnet_reply *ret);

/* Records that vmnetd made (or removed) an nftables table, "FAMILY NAME";
 * saved with the state, removed by --down. */
void lab_table_made(struct lab *lab, const char *table);
void lab_table_removed(struct lab *lab, const char *table);

/* Shared by the lab_*.c files. */
/* run_dir/state written whole (lab_state.c): after anything that changes
 * more than a few records (start, reload). */
void lab_save_state(struct lab *lab);
/* The records in change (state.h's journal: state_put_*()) appended to
 * run_dir/state, or the state written whole when the journal has grown
 * long or change could not be built; frees change. */
void lab_save_change(struct lab *lab, struct strbuf *change);
/* The registry forgets the link of ifindex and the other end of its pair;
 * change gets the records that say so.  False if it had no such link. */
bool lab_forget_link(struct lab *lab, int ifindex, struct strbuf *change);
/* Whether uid has max_taps links that count (LINK_KINDS_QUOTA). */
bool lab_quota_reached(const struct lab *lab, uid_t uid);
/* Records a link vmnetd just made and saves the state; when it cannot,
 * deletes the link (unrecorded, nothing would ever remove it). */
int lab_record_link(struct lab *lab, const struct link_record *rec);

/* What the kernel has, in one dump. */
struct kernel_view {
        struct kernel_link *v;
        size_t n;
};
const struct kernel_link *kernel_view_by_ifindex(const struct kernel_view *k, int ifindex);
/* Is rec still the link vmnetd made: same index, name and kind, and for a
 * pair the same other end? */
bool kernel_view_confirms(const struct kernel_view *k, const struct link_record *rec);
/* Each record of reg the kernel has learns its flags from k. */
void kernel_view_tell_flags(const struct kernel_view *k, struct link_registry *reg);

/* The records of run_dir/state (at state_path) the kernel confirms, into
 * reg, and what vmnetd made without writing down (an older vmnetd's,
 * found by pattern on the bridge bridge_ifindex; 0: none); *ret_saved keeps
 * the rest of the state.  -ENOENT from state_load is no state. */
int lab_take_back(struct nl_sock *nl, const char *state_path, const char *pattern, int bridge_ifindex,
                  struct link_registry *reg, struct saved_state *ret_saved);

/* lab_apply.c: the bridge for config, made (recorded) or adopted, up, its
 * ifindex in lab->bridge_ifindex; nothing changes on failure. */
int lab_apply_bridge(struct lab *lab, const struct vmnet_config *config);
/* lab_apply.c: the rest of config: every port of vmnetd's on the bridge,
 * the links named by tap_name, bridges vmnetd made that are no longer the
 * lab's deleted, the address on the bridge and no other of vmnetd's. */
void lab_apply_links(struct lab *lab, const struct vmnet_config *config);
/* lab_pool.c: a pooled link becomes st's login link (renamed, up; its
 * records onto change): 0, -EEXIST when the name is another's link, or
 * -ENOENT when the pool has none (a new link is then made).  A link that
 * fails to be handed out is deleted at once (-ENOENT), or, if even that
 * fails, the hand-out's error is returned (it may hold st's name). */
int lab_pool_take(struct lab *lab, const struct student *st, struct strbuf *change);
/* lab_pool.c: the pool brought in line with login_pool and the lab bridge
 * (k: what the kernel has): links beyond login_pool, on another bridge,
 * or whose other end is no longer recorded (cut short by a crash while
 * being handed out) go. */
void lab_pool_apply(struct lab *lab, const struct kernel_view *k);
/* Queues the deletion of every link of the student's (the login link and
 * persistent taps, segments not kept) and drops the entry: the student's
 * last session ended. */
void lab_retire_student(struct lab *lab, struct student *st);
/* Queues the deletion of a segment and of everything on it: its link, and
 * the taps and links of the VMs and containers on it (which it cuts). */
void lab_retire_segment(struct lab *lab, struct link_record *seg);
/* What is on a segment that is gone or going, and segments not kept whose
 * owner has no session (at start) go too. */
void lab_retire_stray_segments(struct lab *lab, bool sessions_known);
/* Re-plugs every adopted segment; one that cannot be is retired. */
void lab_adopt_segments(struct lab *lab);
