/* The lab as one value: every student with a session, their links and
 * taps, and every VM seen on the lab.  vmnetd builds it (helper/
 * lab_view_build.c); the teachers' listing, `vmnet top`, the JSON output
 * and the HTML page (lab_html.h) are all drawn from it, so they agree.
 *
 * It crosses the socket as one blob (lab_view_encode), fetched in chunks
 * (protocol.h, VMNET_MSG_LAB_VIEW).  The blob, all integers big endian:
 *   "VMNETLAB" u8 version(1)
 *   u64 generation, i64 time, u8 uplink, u8 flags(LAB_VIEW_TRUNCATED)
 *   str bridge, str address, str domain
 *   u32 n_students, then per student: str user, u32 uid, i64 since, u16 sessions
 *   u32 n_links, then per link: u32 student, str name, str port, u8 kind,
 *       u8 flags, i64 since
 *   u32 n_vms, then per vm: 6 bytes mac, u32 addr (network order), u8 flags,
 *       str name, str owner, u32 owner_uid, u32 link, str port, i64 since,
 *       i64 expiry
 *   u32 n_segments, then per segment: u32 student, str name, str bridge,
 *       str link, u8 flags, i64 since
 *   u32 n_segment_ports, then per port: u32 segment, str name, u8 kind,
 *       u8 flags
 * where str is u8 length + bytes, no NUL.  Nothing may follow.  The
 * decoder trusts nothing: counts are checked against the bytes left
 * before anything is allocated, strings against their fields, indexes
 * against the counts. */
#pragma once
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_name.h"
#include "protocol.h"

#define LAB_VIEW_VERSION      2  /* 2: segments */
#define LAB_VIEW_STUDENTS_MAX 1024
#define LAB_VIEW_LINKS_MAX    4096
#define LAB_VIEW_VMS_MAX      4096
#define LAB_VIEW_SEGMENTS_MAX 4096
#define LAB_VIEW_SEGMENT_PORTS_MAX 4096
#define LAB_VIEW_SIZE_MAX     (1u << 20)  /* the largest blob either side accepts */
#define LAB_VIEW_NONE         UINT32_MAX  /* no student / no uid */
#define LAB_VIEW_TIME_MAX     253402300799 /* 9999-12-31: every time is 0..this, so differences fit */

#define LAB_VIEW_TRUNCATED    0x01        /* the lab had more than the maxima above */

/* vm flags */
#define LAB_VM_LEASE          0x01        /* holds a DHCP lease: addr and expiry are the lease's */
#define LAB_VM_SEEN           0x02        /* in the bridge's forwarding database now */
#define LAB_VM_ADDR_SEEN      0x04        /* addr is what the host's neighbour table saw it use */
#define LAB_VM_FLAGS_ALL      0x07

struct lab_view_student {
        char user[VMNET_USER_MAX + 1];
        uint32_t uid;
        int64_t since;              /* seconds since the epoch; 0 when unknown */
        uint16_t sessions;
};

struct lab_view_link {
        uint32_t student;           /* index into students */
        char name[IFNAMSIZ];        /* what the student attaches to: tap-alice, tap-alice+1 */
        char port[IFNAMSIZ];        /* the bridge port carrying it: the tap itself, or a login link's vmnpN */
        uint8_t kind;               /* enum vmnet_tap_kind */
        uint8_t flags;              /* VMNET_TAP_FLAG_* */
        int64_t since;              /* 0 when unknown */
};

struct lab_view_vm {
        uint8_t mac[6];
        struct in_addr addr;        /* 0.0.0.0 when none is known */
        uint8_t flags;              /* LAB_VM_* */
        char name[DNS_LABEL_MAX + 1];    /* "" for a nameless one */
        char owner[VMNET_USER_MAX + 1];  /* "" when nobody's */
        uint32_t owner_uid;              /* LAB_VIEW_NONE when nobody's */
        uint32_t link;              /* index into links: the student's link or tap it sits
                                     * behind; LAB_VIEW_NONE when not one of theirs */
        char port[IFNAMSIZ];        /* the bridge port it was seen on; "" when not seen */
        int64_t since;              /* first seen (continuously) by vmnetd; 0 when unknown */
        int64_t expiry;             /* lease expiry (LAB_VM_LEASE); 0: infinite */
};

/* A student's private segment (SEGMENT_ADD): a bridge of its own, not
 * part of the lab; VMs on it are not seen by vmnetd (no FDB, no DHCP). */
struct lab_view_segment {
        uint32_t student;           /* index into students: its owner */
        char name[IFNAMSIZ];        /* the owner's name for it */
        char bridge[IFNAMSIZ];      /* the kernel's name of its bridge (b~HASH) */
        char link[IFNAMSIZ];        /* its link for VirtualBox and VMware; "" when none */
        uint8_t flags;              /* VMNET_SEGMENT_* */
        int64_t since;              /* 0 when unknown */
};

/* What is attached to a segment: a VM's tap or a container's link. */
struct lab_view_segment_port {
        uint32_t segment;           /* index into segments */
        char name[IFNAMSIZ];
        uint8_t kind;               /* enum vmnet_tap_kind */
        uint8_t flags;              /* VMNET_TAP_FLAG_* */
};

struct lab_view {
        uint64_t generation;        /* grows whenever the lab changes */
        int64_t time;               /* when it was built */
        uint8_t uplink;             /* enum vmnet_uplink */
        uint8_t flags;              /* LAB_VIEW_TRUNCATED */
        char bridge[IFNAMSIZ];
        char address[VMNET_ADDRESS_MAX + 1];
        char domain[VMNET_DOMAIN_MAX + 1];
        struct lab_view_student *students;
        struct lab_view_link *links;
        struct lab_view_vm *vms;
        struct lab_view_segment *segments;
        struct lab_view_segment_port *segment_ports;
        size_t n_students, n_links, n_vms, n_segments, n_segment_ports;
        size_t cap_students, cap_links, cap_vms, cap_segments, cap_segment_ports;
};

/* Frees the arrays and zeroes *v (a zeroed view is an empty one). */
void lab_view_clear(struct lab_view *v);

/* Append one element (copied); -ENOMEM, or -E2BIG past the maxima, when
 * the view is marked LAB_VIEW_TRUNCATED. */
int lab_view_add_student(struct lab_view *v, const struct lab_view_student *s);
int lab_view_add_link(struct lab_view *v, const struct lab_view_link *l);
int lab_view_add_vm(struct lab_view *v, const struct lab_view_vm *vm);
int lab_view_add_segment(struct lab_view *v, const struct lab_view_segment *s);
int lab_view_add_segment_port(struct lab_view *v, const struct lab_view_segment_port *p);

/* A copy of what the student with uid may see: their own entry, links,
 * VMs and segments, and the lab's own fields.  -ENOMEM. */
int lab_view_filter_owner(const struct lab_view *v, uint32_t uid, struct lab_view *ret);

/* The blob; *ret_data is malloc'ed.  -EINVAL for a string too long for its
 * field, or a link or segment naming no student, a VM no link, a
 * segment's port no segment, -ENOMEM. */
int lab_view_encode(const struct lab_view *v, uint8_t **ret_data, size_t *ret_size);

/* Decodes size bytes into *ret (which the caller clears later).  Returns
 * 0, -EBADMSG for anything malformed, -EPROTO for another version,
 * -ENOMEM; *ret is untouched on failure. */
int lab_view_decode(const uint8_t *data, size_t size, struct lab_view *ret);

/* True when a and b describe the same lab (generation and time aside). */
bool lab_view_same_lab(const struct lab_view *a, const struct lab_view *b);


/* A duration for people: "40 s", "12 min", "3 h 5 min", "2 d 4 h";
 * a negative one is "0 s". */
void lab_view_format_duration(int64_t seconds, char *buf, size_t size);
