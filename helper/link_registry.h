/* The links vmnetd made: the one place that answers "is this link ours,
 * and whose?".  Each record says what vmnetd made (ifindex, name, kind) and
 * for whom (the uid it made it for — never what the kernel's tap "owner"
 * says now: a student may hand a tap of theirs to anyone with TUNSETOWNER).
 * Attribution (whose VM is behind a port), quota (max_taps) and cleanup
 * (logout, restart, --down) all read these records; a link that is not
 * recorded is not vmnetd's to touch.
 *
 * The records are kept in run_dir/state (state.c), reconciled with the
 * kernel at start by ifindex + name + kind (lab_lifecycle.c), and follow
 * the kernel's link events (a VM's tap goes when the VM closes its fd).
 *
 * Pure bookkeeping: no kernel calls.  Record pointers are valid until the
 * next add or remove.
 *
 * Adding a kind of link (a capture tap): a value in
 * enum link_kind and a row in link_kinds[] (link_registry.c) saying how it
 * is written in the state file, which kernel link kind proves it at start
 * and how clients are told of it; and whether it is in LINK_KINDS_QUOTA
 * and LINK_KINDS_PORTS below.  Nothing else needs to know about the list. */
#pragma once
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum link_kind {
        LINK_LOGIN = 1,  /* the student's end of a login link (a veth) */
        LINK_LOGIN_PEER, /* the bridge end of a login link, a port of the lab bridge */
        LINK_TAP,        /* a persistent tap (TAP_ADD): goes at its owner's last logout */
        LINK_VM_TAP,     /* a VM's tap (VM_TAP): goes when the VM closes its fd */
        LINK_NETNS,      /* the bridge end of a veth whose other end vmnetd made in a network
                          * namespace of the owner's (NETNS_ATTACH): goes with the namespace */
        LINK_LAB_BRIDGE, /* a lab bridge vmnetd created (owner 0); one the admin made is never recorded */
        LINK_POOL,       /* a login link made ahead of any login (login_pool), owner 0: its
                          * student's end, down; a login takes it, renamed (lab_pool.c) */
        LINK_POOL_PEER,  /* its bridge end, on the lab bridge (no carrier while the other is down) */
        /* A private segment of the owner's (SEGMENT_ADD) and what is on it.
         * None is a port of the lab bridge: the guard, attribution and the
         * lab's DHCP never see them. */
        LINK_SEGMENT,       /* the segment's bridge; label and keep say what its owner calls it */
        LINK_SEGMENT_LINK,  /* its link for VirtualBox and VMware: the owner's end of a veth */
        LINK_SEGMENT_PEER,  /* that veth's other end, a port of the segment's bridge */
        LINK_SEGMENT_TAP,   /* a VM's tap on the segment (VM_TAP br=NAME): goes with its fd */
        LINK_SEGMENT_NETNS, /* the bridge end of a veth into a namespace of the owner's, on the segment */
        LINK_CAPTURE,    /* a capture tap (CAPTURE): on no bridge, goes when its holder closes
                          * it, when its port goes, and when vmnetd starts again */
        _LINK_KIND_COUNT
};

#define LINK_KIND_BIT(k)  (1u << (k))
#define LINK_KINDS_TAPS   (LINK_KIND_BIT(LINK_TAP) | LINK_KIND_BIT(LINK_VM_TAP))
/* What counts against max_taps: what a student attaches to (a login link's
 * bridge end goes with its pair and is not counted twice). */
#define LINK_KINDS_QUOTA  (LINK_KIND_BIT(LINK_LOGIN) | LINK_KINDS_TAPS | LINK_KIND_BIT(LINK_NETNS) | \
                           LINK_KINDS_SEGMENT_VMS)
/* Ports of the lab bridge that carry their owner's frames: a VM or a
 * container seen behind one is the owner's. */
#define LINK_KINDS_PORTS  (LINK_KIND_BIT(LINK_LOGIN_PEER) | LINK_KINDS_TAPS | LINK_KIND_BIT(LINK_NETNS))
/* On a segment: what a VM or a container attached (a segment goes only
 * when none is; counted in max_taps), and everything whose record names
 * the segment (which goes with it).  A segment's own link is bounded by
 * max_segments, not max_taps. */
#define LINK_KINDS_SEGMENT_VMS (LINK_KIND_BIT(LINK_SEGMENT_TAP) | LINK_KIND_BIT(LINK_SEGMENT_NETNS))
#define LINK_KINDS_ON_SEGMENT  (LINK_KIND_BIT(LINK_SEGMENT_LINK) | LINK_KIND_BIT(LINK_SEGMENT_PEER) | \
                                LINK_KINDS_SEGMENT_VMS)
/* Bridge ends of pairs: the kernel deletes one with the other end. */
#define LINK_KINDS_PAIR_PORTS (LINK_KIND_BIT(LINK_LOGIN_PEER) | LINK_KIND_BIT(LINK_POOL_PEER) | \
                               LINK_KIND_BIT(LINK_SEGMENT_PEER))

struct link_kind_info {
        const char *word;        /* its name in run_dir/state and in logs */
        const char *kernel_kind; /* the kernel's IFLA_INFO_KIND for it ("veth", "tun") */
        uint8_t reported_as;     /* enum vmnet_tap_kind in STATUS and the lab view; 0: not listed */
};

/* The kind's row, or NULL for a value outside the enum. */
const struct link_kind_info *link_kind_info(enum link_kind kind);
/* The kind written as word, or 0. */
enum link_kind link_kind_from_word(const char *word);

struct link_record {
        int ifindex;
        char name[IFNAMSIZ];
        enum link_kind kind;
        uid_t owner;      /* whom vmnetd made it for */
        int peer_ifindex; /* the other end of a pair (login links), else 0 */
        int segment;      /* LINK_KINDS_ON_SEGMENT: the ifindex of the segment's bridge, else 0 */
        char label[IFNAMSIZ]; /* LINK_SEGMENT: the segment's name, as its owner gave it */
        bool keep;        /* LINK_SEGMENT: stays after the owner's last session */
        int64_t created;  /* when vmnetd made it (seconds since the epoch); 0: now, which
                           * link_registry_add() fills in; -1: not known (an older state) */
        bool dying;       /* waiting for the batched deletion */
        unsigned flags;   /* the kernel's IFF_* of it, as its last link event said */
        bool flags_known; /* false until a link event (or a dump) told them */
};

struct link_registry {
        struct link_record *v;
        size_t n, allocated;
        /* v by ifindex: open addressing, each slot a position in v + 1 (0:
         * empty), at least twice as many slots as records.  Every link
         * event asks for a record by ifindex: searching v for it (and
         * counting the pool on every round of the loop, below) was 7% of
         * vmnetd's CPU while a class of 900 logged in from the pool. */
        uint32_t *slots;
        size_t n_slots;
        /* records of each kind, and of those the ones not dying: asked on
         * every round of the event loop (lab_pool.c) */
        size_t n_of_kind[_LINK_KIND_COUNT], n_live_of_kind[_LINK_KIND_COUNT];
        size_t n_dying;
        uint64_t changes; /* bumped by every record added, removed or renamed: whoever
                           * follows the records (the guard) compares it */
};

/* Records rec (copied).  -EEXIST if its ifindex is recorded already,
 * -EINVAL for a record without ifindex, name or kind, a segment's without
 * label, one on a segment without its segment (or off one with one),
 * -ENOMEM. */
int link_registry_add(struct link_registry *reg, const struct link_record *rec);
/* Removes the record of ifindex; false if there was none. */
bool link_registry_remove(struct link_registry *reg, int ifindex);
void link_registry_clear(struct link_registry *reg);

struct link_record *link_registry_by_ifindex(const struct link_registry *reg, int ifindex);
/* By name, among the kinds in kinds (LINK_KIND_BIT()s; 0: any). */
struct link_record *link_registry_by_name(const struct link_registry *reg, const char *name, unsigned kinds);

/* The records of owner among kinds, not counting dying ones. */
size_t link_registry_count(const struct link_registry *reg, uid_t owner, unsigned kinds);
/* The records among kinds, anyone's, dying ones too if with_dying. */
size_t link_registry_count_kinds(const struct link_registry *reg, unsigned kinds, bool with_dying);

/* owner's segment called label (not dying), or NULL. */
struct link_record *link_registry_segment(const struct link_registry *reg, uid_t owner, const char *label);
/* The records among kinds on the segment whose bridge is segment_ifindex,
 * not counting dying ones. */
size_t link_registry_count_on(const struct link_registry *reg, int segment_ifindex, unsigned kinds);

/* Marks a record (and the other end of its pair) as waiting for deletion,
 * or takes the mark back. */
void link_registry_set_dying(struct link_registry *reg, struct link_record *rec, bool dying);

/* The kernel renamed or deleted a link: the record follows.  Returns true
 * when a record changed (the state file is then out of date). */
bool link_registry_renamed(struct link_registry *reg, int ifindex, const char *name);
bool link_registry_deleted(struct link_registry *reg, int ifindex);

/* Every record; the registry must not gain or lose one inside the loop. */
#define link_registry_foreach(rec, reg)                                                        \
        for (struct link_record *rec = (reg)->n ? (reg)->v : NULL,                             \
                                *rec##_end = (reg)->n ? (reg)->v + (reg)->n : NULL;            \
             rec < rec##_end; rec++)
