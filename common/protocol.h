/* The wire protocol between vmnetd and its clients (pam_vmnet, vmnet,
 * vmnet-bridge-helper).  One SOCK_SEQPACKET datagram per message.
 *
 * Every message starts with a 4-byte header:
 *   u8 version (VMNET_PROTOCOL_VERSION), u8 type, u16 status (big endian;
 *   0 in requests).
 * The body is a sequence of fields fixed by the type.  A string field is
 * u8 length + bytes (no NUL, no terminator), never longer than the
 * buffer it decodes into.  Trailing bytes after the last field are an
 * error.  Replies use the request's type with VMNET_REPLY set.
 *
 * Which fields each type carries is one table in protocol.c (adding a
 * message type is a row there and a handler in helper/requests.c).
 *
 * A type may carry one file descriptor beside its bytes (SCM_RIGHTS on
 * the same datagram): NETNS_ATTACH's request must, a VM_TAP reply does.
 * Any other request that comes with one is malformed. */
#pragma once
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMNET_PROTOCOL_VERSION 1
#define VMNET_MSG_MAX          4096
/* The longest user name on the wire: any the u8 length can say, as
 * directory accounts ("alice@ad.example.edu") run past the 32 bytes of
 * local ones; glibc's LOGIN_NAME_MAX is 256 with the NUL. */
#define VMNET_USER_MAX         255
#define VMNET_DOMAIN_MAX       63
#define VMNET_ADDRESS_MAX      18      /* "255.255.255.255/32" */
#define VMNET_TAPS_MAX         64      /* taps listed in one STATUS reply */
#define VMNET_DROPS_MAX        32      /* the guard's drop counters in one STATUS reply */
#define VMNET_SEGMENTS_MAX     32      /* segments of one student (max_segments at most) */
#define VMNET_REPLY            0x80

enum vmnet_msg_type {
        VMNET_MSG_OPEN    = 1, /* root only: a session of user starts */
        VMNET_MSG_CLOSE   = 2, /* root only: a session of user ends */
        VMNET_MSG_STATUS  = 3, /* anyone: the caller's taps and the lab */
        VMNET_MSG_TAP_ADD = 4, /* anyone: a new persistent tap owned by the caller */
        VMNET_MSG_TAP_DEL = 5, /* anyone: delete one of the caller's persistent taps */
        VMNET_MSG_VM_TAP  = 6, /* anyone: a tap for one VM, its fd comes with the reply */
        VMNET_MSG_NETNS_ATTACH = 7, /* anyone: a veth into a network namespace of the caller's,
                                     * whose fd comes with the request */
        VMNET_MSG_ISOLATION = 12,   /* root and teacher_groups: exam mode on or off */
        VMNET_MSG_LAB_HEALTH = 17,  /* anyone: whether the lab's services work (a vmnetd
                                     * before it answers BAD_REQUEST: nothing known) */
        VMNET_MSG_SEGMENT_ADD  = 13, /* anyone: a private segment of the caller's */
        VMNET_MSG_SEGMENT_DEL  = 14, /* anyone: delete one of the caller's segments */
        VMNET_MSG_SEGMENT_LIST = 15, /* anyone: the caller's segments and what is on them */
        VMNET_MSG_LAB_VIEW = 8,   /* the lab view's blob (lab_view.h), a chunk at a time: the
                                   * caller's part (anyone), or all of it (root, teacher_groups) */
        VMNET_MSG_SUBSCRIBE = 9,  /* the same callers: vmnetd keeps the connection and sends ... */
        VMNET_MSG_LAB_CHANGED = 10,/* ... this, unasked, whenever the view's generation changes */
        VMNET_MSG_CAPTURE = 11,   /* a copy of one port's frames (the caller's own; teachers: any),
                                   * the capture tap's fd comes with the reply */
        /* vmnetd's own user only (its names program, run by its dnsmasq):
         * whose link the VM with this MAC is behind */
        VMNET_MSG_OWNER   = 16,
};

enum vmnet_status {
        VMNET_OK               = 0,
        VMNET_ERR_REFUSED      = 1, /* the same answer whatever the reason */
        VMNET_ERR_QUOTA        = 2, /* the caller already has max_taps taps */
        VMNET_ERR_BAD_REQUEST  = 3, /* malformed message */
        VMNET_ERR_VERSION      = 4, /* protocol version not spoken */
        VMNET_ERR_INTERNAL     = 5, /* vmnetd failed; see its log */
        VMNET_ERR_NO_USER      = 6, /* (to root only) no such user */
        VMNET_ERR_NOT_ALLOWED  = 7, /* (to root only) user outside allow_groups */
        VMNET_ERR_BUSY         = 8, /* too many clients at once */
        VMNET_ERR_NAME_TAKEN   = 9, /* NETNS_ATTACH: the caller's namespace has a link of that name */
        VMNET_ERR_NO_GUARD     = 10, /* ISOLATION: the guard is off (guard = off, or nftables refused it) */
        VMNET_ERR_SEGMENT_QUOTA  = 16, /* SEGMENT_ADD: the caller has max_segments segments */
        VMNET_ERR_SEGMENT_EXISTS = 17, /* SEGMENT_ADD: the caller has a segment of that name */
        VMNET_ERR_SEGMENT_IN_USE = 18, /* SEGMENT_DEL: VMs or containers are attached to it */
        VMNET_ERR_CHANGED      = 11,/* LAB_VIEW: the lab changed between two chunks; read it again */
        VMNET_ERR_LIMIT        = 12,/* CAPTURE: too many captures at once */
};

/* LAB_VIEW and SUBSCRIBE: whose part of the lab. */
#define VMNET_SCOPE_MINE 0
#define VMNET_SCOPE_ALL  1

#define VMNET_TARGET_MAX 255   /* CAPTURE's target: a link, tap or VM name (NAME.USER.DOMAIN) or MAC */
/* LAB_VIEW's chunk: what fits in a reply beside its other fields.  The
 * whole blob is at most LAB_VIEW_SIZE_MAX (lab_view.h): a client reads it
 * in chunks at offsets it chooses, all of one generation; vmnetd keeps
 * only the current one, so a reader that is overtaken hears
 * VMNET_ERR_CHANGED and starts again. */
#define VMNET_CHUNK_MAX  3968

enum vmnet_tap_kind {
        VMNET_TAP_LOGIN      = 1, /* tap-USER, a veth end for VirtualBox/VMware, lives with the sessions */
        VMNET_TAP_PERSISTENT = 2, /* made by TAP_ADD, opened by name by a hypervisor */
        VMNET_TAP_VM         = 3, /* handed over as an fd, gone when the VM exits */
        VMNET_TAP_NETNS      = 4, /* the bridge end of a veth into a namespace of the
                                   * student's (NETNS_ATTACH), gone with the namespace */
};

enum vmnet_uplink {
        VMNET_UPLINK_NAT      = 0,
        VMNET_UPLINK_ROUTED   = 1,
        VMNET_UPLINK_ISOLATED = 2,
        VMNET_UPLINK_EXTERNAL = 3,
};

/* LAB_HEALTH: dnsmasq, the lab's DHCP and DNS. */
enum vmnet_dnsmasq_state {
        VMNET_DNSMASQ_RUNNING  = 0,
        VMNET_DNSMASQ_NOT_USED = 1, /* uplink = external: the LAN's own */
        VMNET_DNSMASQ_DOWN     = 2, /* exited or could not start; vmnetd starts it again */
};
#define VMNET_PROBLEM_MAX 127 /* LAB_HEALTH's last error, a line for people */

#define VMNET_TAP_FLAG_CARRIER 0x01 /* a tap: some process holds it; a login link: its bridge end is up */
#define VMNET_TAP_FLAG_UP      0x02

/* STATUS: the lab segment's guard (guard = on) and exam mode (isolation). */
#define VMNET_GUARD_ON   0x01
#define VMNET_GUARD_EXAM 0x02

/* What a client asks of a new tap (TAP_ADD, VM_TAP: a u8 after the other
 * fields, sent only when not 0; absent means none, as older clients send
 * it).  A 0 byte or unknown bits are a malformed request. */
#define VMNET_TAP_WANT_VNET_HDR    0x01 /* VM_TAP: the fd speaks virtio's vnet header (offloads) */
#define VMNET_TAP_WANT_MULTI_QUEUE 0x02 /* TAP_ADD: a multi-queue tap, for queues=N openers */
#define VMNET_TAP_WANT_ALL         0x03

/* SEGMENT_ADD's wishes (a u8 sent only when not 0, as above), and a
 * segment's flags in SEGMENT_LIST. */
#define VMNET_SEGMENT_KEEP         0x01 /* stays after the owner's last session, until the next boot */
#define VMNET_SEGMENT_FLAGS_ALL    0x01

/* Decoded request.  Fields a type does not carry are left empty.
 *   OPEN, CLOSE: user.   TAP_DEL: tap.   VM_TAP: bridge (the lab's, or a
 *   segment's name), want.   TAP_ADD: want.   NETNS_ATTACH: ifname,
 *   segment (optional, last: sent only when not empty), fd.
 *   ISOLATION: isolation.   SEGMENT_ADD: segment, segment_flags.
 *   SEGMENT_DEL: segment.   OWNER: mac.   STATUS, SEGMENT_LIST: none.
 *   LAB_VIEW: scope, generation, offset.   SUBSCRIBE: scope.   CAPTURE: target. */
struct vmnet_request {
        uint8_t type;
        char user[VMNET_USER_MAX + 1];
        char tap[IFNAMSIZ];
        char bridge[IFNAMSIZ];
        uint8_t want;    /* VMNET_TAP_WANT_* */
        char ifname[IFNAMSIZ]; /* NETNS_ATTACH: the link's name in the namespace; "" for eth0 */
        uint8_t isolation;     /* ISOLATION: 0 off (isolation = none), 1 on (students) */
        char segment[IFNAMSIZ]; /* a segment's name, as its owner gave it (segment_name.h) */
        uint8_t segment_flags;  /* SEGMENT_ADD: VMNET_SEGMENT_* */
        /* NETNS_ATTACH: the namespace's fd, passed beside the bytes, never in
         * them.  The decoder sets -1; whoever receives the datagram puts the
         * passed fd here, a sender sends it for a type that carries one. */
        int fd;
        uint8_t scope;   /* LAB_VIEW, SUBSCRIBE: VMNET_SCOPE_* */
        uint64_t generation; /* LAB_VIEW: of the chunks read so far; 0 for the first */
        uint32_t offset; /* LAB_VIEW: where the chunk starts in the blob */
        char target[VMNET_TARGET_MAX + 1]; /* CAPTURE */
        uint8_t mac[6];
};

#define VMNET_OWNER_UNKNOWN UINT32_MAX

struct vmnet_tap_info {
        char name[IFNAMSIZ];
        uint8_t kind;  /* enum vmnet_tap_kind */
        uint8_t flags; /* VMNET_TAP_FLAG_* */
};

/* LAB_HEALTH's answer. */
struct vmnet_lab_health {
        uint8_t dnsmasq;           /* enum vmnet_dnsmasq_state */
        uint16_t dnsmasq_failures; /* quick exits in a row */
        uint16_t retry_seconds;    /* DOWN: until vmnetd starts it again (0: now) */
        uint8_t firewall_missing;  /* 1: the firewall table for the uplink is not in place */
        char problem[VMNET_PROBLEM_MAX + 1]; /* the last error, "" for none */
};

/* Frames of the caller's VM with this MAC the guard dropped, by kind
 * (common/guard_drop.h; MAC 0s: of all the caller's VMs). */
struct vmnet_drop_info {
        uint8_t mac[6];
        uint8_t kind;
        uint32_t frames; /* saturates */
};

struct vmnet_segment_info {
        char name[IFNAMSIZ];   /* the owner's name for it */
        char bridge[IFNAMSIZ]; /* the kernel's name of its bridge */
        char link[IFNAMSIZ];   /* its link for VirtualBox and VMware */
        uint8_t flags;         /* VMNET_SEGMENT_* */
};

/* A VM's tap or a container's link on a segment. */
struct vmnet_segment_port {
        char name[IFNAMSIZ];
        uint8_t segment;       /* index into the reply's segments */
        uint8_t kind;          /* enum vmnet_tap_kind */
        uint8_t flags;         /* VMNET_TAP_FLAG_* */
};

/* Decoded reply.  OPEN, TAP_ADD, VM_TAP carry tap (on success); STATUS
 * carries everything from user to taps, then the guard's byte and the
 * caller's drop counters; LAB_HEALTH health.  CLOSE, TAP_DEL, SEGMENT_DEL
 * carry nothing.  SEGMENT_ADD: tap (the segment's link), bridge (its
 * bridge).  SEGMENT_LIST: max_segments, segments, segment_ports.
 * LAB_VIEW: generation, total, chunk.  SUBSCRIBE, LAB_CHANGED: generation.
 * CAPTURE: tap (the capture tap), user (whose port), port, link.  OWNER:
 * owner_uid and user (the owner's name; VMNET_OWNER_UNKNOWN and "" when
 * the MAC is behind no student's link). */
struct vmnet_reply {
        uint8_t type;    /* the request's type, without VMNET_REPLY */
        uint16_t status; /* enum vmnet_status */
        char tap[IFNAMSIZ];
        char user[VMNET_USER_MAX + 1];
        char bridge[IFNAMSIZ];
        char address[VMNET_ADDRESS_MAX + 1];
        char domain[VMNET_DOMAIN_MAX + 1];
        uint8_t uplink;  /* enum vmnet_uplink */
        uint16_t max_taps;
        uint16_t n_taps;
        struct vmnet_tap_info taps[VMNET_TAPS_MAX];
        struct vmnet_lab_health health;
        uint8_t guard;   /* VMNET_GUARD_* */
        uint16_t n_drops;
        struct vmnet_drop_info drops[VMNET_DROPS_MAX];
        uint8_t max_segments;
        uint8_t n_segments;
        struct vmnet_segment_info segments[VMNET_SEGMENTS_MAX];
        uint16_t n_segment_ports;
        struct vmnet_segment_port segment_ports[VMNET_TAPS_MAX];
        char port[IFNAMSIZ];      /* the bridge port captured */
        char link[IFNAMSIZ];      /* what its owner calls it (tap-alice for a login link's vmnpN) */
        uint64_t generation;
        uint32_t total;           /* the blob's size */
        uint16_t chunk_len;
        uint8_t chunk[VMNET_CHUNK_MAX];
        uint32_t owner_uid;
};

/* Encoders return the message length, or -EINVAL (a field too long, an
 * empty user in OPEN/CLOSE or empty tap in a successful OPEN/TAP_ADD/VM_TAP
 * reply, or unknown type) / -EMSGSIZE (buffer too small).  Decoders return 0 or
 * -EBADMSG (malformed), -EPROTO (another protocol version); the output is
 * not written on failure. */
int vmnet_request_encode(const struct vmnet_request *req, uint8_t *buf, size_t size);
int vmnet_request_decode(const uint8_t *buf, size_t len, struct vmnet_request *ret);
int vmnet_reply_encode(const struct vmnet_reply *rep, uint8_t *buf, size_t size);
int vmnet_reply_decode(const uint8_t *buf, size_t len, struct vmnet_reply *ret);

bool vmnet_msg_type_is_known(uint8_t type);
/* Whether a request of this type carries a file descriptor (req.fd). */
bool vmnet_msg_request_has_fd(uint8_t type);
/* "OPEN", "STATUS"...; NULL for an unknown type. */
const char *vmnet_msg_type_name(uint8_t type);

/* A short English sentence for a status, for logs and the vmnet command. */
const char *vmnet_status_string(uint16_t status);
const char *vmnet_uplink_string(uint8_t uplink);
const char *vmnet_tap_kind_string(uint8_t kind);
