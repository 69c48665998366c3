/* Encoding and decoding of vmnetd's messages (see protocol.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "byte_buffer.h"
#include "protocol.h"
#include "protocol_lists.h"

/* The message's fields, big endian, go into the caller's buffer through
 * byte_buffer.h (a writer whose cap is its max never grows; a full one is
 * -E2BIG there and -EMSGSIZE here). */

static int reader_finish(struct byte_reader *r) {
        if (r->error)
                return r->error;
        return br_left(r) == 0 ? 0 : -EBADMSG;
}

static int writer_finish(struct byte_writer *w) {
        if (w->error)
                return w->error == -E2BIG ? -EMSGSIZE : w->error;
        return (int)w->size;
}

static void put_header(struct byte_writer *w, uint8_t type, uint16_t status) {
        bw_u8(w, VMNET_PROTOCOL_VERSION);
        bw_u8(w, type);
        bw_u16(w, status);
}

static int get_header(struct byte_reader *r, uint8_t *ret_type, uint16_t *ret_status) {
        if (r->size < 4)
                return -EBADMSG;
        if (br_u8(r) != VMNET_PROTOCOL_VERSION)
                return -EPROTO;
        *ret_type = br_u8(r);
        *ret_status = br_u16(r);
        return 0;
}

/* ---- the message table ----
 * Each type lists the fields of its request and of its successful reply, in
 * wire order; encoder and decoder walk these lists.  Adding a message type:
 * its value in enum vmnet_msg_type, any new field in struct vmnet_request or
 * vmnet_reply, and one row below (then its handler in helper/requests.c). */

enum field_type {
        FIELD_STRING, /* u8 length + bytes; at most the buffer's size - 1 */
        FIELD_U8,
        FIELD_U16,
        FIELD_U32,
        FIELD_U64,
        FIELD_CHUNK,  /* u16 chunk_len, then that many bytes of chunk (at most VMNET_CHUNK_MAX) */
        FIELD_BYTES,  /* size raw bytes (a MAC address) */
        FIELD_TAPS,   /* u16 n_taps, then per tap: string name, u8 kind, u8 flags */
        FIELD_DROPS,  /* u16 n_drops, then per counter: 6 bytes MAC, u8 kind, u32 frames */
        FIELD_FLAGS,  /* a u8 of bits in mask, last: sent only when not 0, so that a message
                       * without it is what an older client sends, and has one spelling
                       * (a present 0 is malformed); unknown bits are refused both ways */
        FIELD_OPTIONAL_STRING, /* a string, last, sent only when not empty (the same
                                * reasons: a present empty one is malformed) */
        FIELD_SEGMENTS, /* u8 n_segments, then per segment: string name, bridge, link, u8 flags;
                         * u16 n_segment_ports, then per port: string name, u8 segment (an
                         * index below n_segments), u8 kind, u8 flags */
};

struct field {
        enum field_type type;
        size_t offset, size; /* where it sits in the struct, and how big it is there */
        bool required;       /* a string that may not be empty */
        uint8_t mask;        /* FIELD_FLAGS: the bits it may hold */
};

#define REQ_STRING(f, req) { .type = FIELD_STRING, .offset = offsetof(struct vmnet_request, f), \
                             .size = sizeof(((struct vmnet_request *)0)->f), .required = req }
#define REP_STRING(f, req) { .type = FIELD_STRING, .offset = offsetof(struct vmnet_reply, f), \
                             .size = sizeof(((struct vmnet_reply *)0)->f), .required = req }
#define REP_U8(f)          { .type = FIELD_U8, .offset = offsetof(struct vmnet_reply, f), .size = 1 }
#define REP_U16(f)         { .type = FIELD_U16, .offset = offsetof(struct vmnet_reply, f), .size = 2 }
#define REP_U32(f)         { .type = FIELD_U32, .offset = offsetof(struct vmnet_reply, f), .size = 4 }
#define REP_U64(f)         { .type = FIELD_U64, .offset = offsetof(struct vmnet_reply, f), .size = 8 }
#define REP_CHUNK          { .type = FIELD_CHUNK }
#define REQ_U8(f)          { .type = FIELD_U8, .offset = offsetof(struct vmnet_request, f), .size = 1 }
#define REQ_U32(f)         { .type = FIELD_U32, .offset = offsetof(struct vmnet_request, f), .size = 4 }
#define REQ_U64(f)         { .type = FIELD_U64, .offset = offsetof(struct vmnet_request, f), .size = 8 }
#define REQ_BYTES(f)       { .type = FIELD_BYTES, .offset = offsetof(struct vmnet_request, f), \
                             .size = sizeof(((struct vmnet_request *)0)->f) }
#define REP_TAPS           { .type = FIELD_TAPS }
#define REP_DROPS          { .type = FIELD_DROPS }
#define REQ_U8(f)          { .type = FIELD_U8, .offset = offsetof(struct vmnet_request, f), .size = 1 }
#define REQ_FLAGS(f, m)    { .type = FIELD_FLAGS, .offset = offsetof(struct vmnet_request, f), .size = 1, .mask = m }
#define REQ_OPTIONAL_STRING(f) { .type = FIELD_OPTIONAL_STRING, .offset = offsetof(struct vmnet_request, f), \
                                 .size = sizeof(((struct vmnet_request *)0)->f) }
#define REP_SEGMENTS       { .type = FIELD_SEGMENTS }

static const struct field user_field[] = { REQ_STRING(user, true) };
static const struct field tap_field[] = { REQ_STRING(tap, false) };
static const struct field vm_tap_fields[] = { REQ_STRING(bridge, false), REQ_FLAGS(want, VMNET_TAP_WANT_ALL) };
static const struct field tap_add_fields[] = { REQ_FLAGS(want, VMNET_TAP_WANT_ALL) };
static const struct field netns_attach_fields[] = { REQ_STRING(ifname, false), REQ_OPTIONAL_STRING(segment) };
static const struct field isolation_fields[] = { REQ_U8(isolation) };
static const struct field segment_add_fields[] = { REQ_STRING(segment, true),
                                                   REQ_FLAGS(segment_flags, VMNET_SEGMENT_FLAGS_ALL) };
static const struct field segment_field[] = { REQ_STRING(segment, true) };
static const struct field reply_tap[] = { REP_STRING(tap, true) };
static const struct field reply_lab_health[] = {
        REP_U8(health.dnsmasq), REP_U16(health.dnsmasq_failures), REP_U16(health.retry_seconds),
        REP_U8(health.firewall_missing), REP_STRING(health.problem, false),
};
static const struct field reply_segment_add[] = { REP_STRING(tap, true), REP_STRING(bridge, true) };
static const struct field reply_segment_list[] = { REP_U8(max_segments), REP_SEGMENTS };
static const struct field mac_field[] = { REQ_BYTES(mac) };
static const struct field reply_owner[] = { REP_U32(owner_uid), REP_STRING(user, false) };
static const struct field reply_status[] = {
        REP_STRING(user, false), REP_STRING(bridge, false), REP_STRING(address, false), REP_STRING(domain, false),
        REP_U8(uplink), REP_U16(max_taps), REP_TAPS, REP_U8(guard), REP_DROPS,
};

static const struct field lab_view_fields[] = { REQ_U8(scope), REQ_U64(generation), REQ_U32(offset) };
static const struct field reply_lab_view[] = { REP_U64(generation), REP_U32(total), REP_CHUNK };
static const struct field scope_field[] = { REQ_U8(scope) };
static const struct field reply_generation[] = { REP_U64(generation) };
static const struct field target_field[] = { REQ_STRING(target, true) };
static const struct field reply_capture[] = {
        REP_STRING(tap, true), REP_STRING(user, false), REP_STRING(port, false), REP_STRING(link, false),
};

struct message {
        const char *name;
        const struct field *request, *reply; /* reply: on success */
        size_t n_request, n_reply;
        bool request_fd; /* the request carries an fd beside its bytes */
};

#define MESSAGE(n, req, rep) { .name = n, .request = req, .n_request = sizeof req / sizeof((req)[0]), \
                               .reply = rep, .n_reply = sizeof rep / sizeof((rep)[0]) }
/* a request that carries an fd beside its bytes */
#define MESSAGE_FD(n, req, rep) { .name = n, .request = req, .n_request = sizeof req / sizeof((req)[0]), \
                                  .reply = rep, .n_reply = sizeof rep / sizeof((rep)[0]), .request_fd = true }
#define MESSAGE_REQ(n, req)  { .name = n, .request = req, .n_request = sizeof req / sizeof((req)[0]) }
#define MESSAGE_REP(n, rep)  { .name = n, .reply = rep, .n_reply = sizeof rep / sizeof((rep)[0]) }

static const struct message messages[] = {
        [VMNET_MSG_OPEN]    = MESSAGE("OPEN", user_field, reply_tap),
        [VMNET_MSG_CLOSE]   = MESSAGE_REQ("CLOSE", user_field),
        [VMNET_MSG_STATUS]  = MESSAGE_REP("STATUS", reply_status),
        [VMNET_MSG_TAP_ADD] = MESSAGE("TAP_ADD", tap_add_fields, reply_tap),
        [VMNET_MSG_TAP_DEL] = MESSAGE_REQ("TAP_DEL", tap_field),
        [VMNET_MSG_VM_TAP]  = MESSAGE("VM_TAP", vm_tap_fields, reply_tap),
        [VMNET_MSG_NETNS_ATTACH] = MESSAGE_FD("NETNS_ATTACH", netns_attach_fields, reply_tap),
        [VMNET_MSG_LAB_HEALTH] = MESSAGE_REP("LAB_HEALTH", reply_lab_health),
        [VMNET_MSG_ISOLATION] = MESSAGE_REQ("ISOLATION", isolation_fields),
        [VMNET_MSG_SEGMENT_ADD]  = MESSAGE("SEGMENT_ADD", segment_add_fields, reply_segment_add),
        [VMNET_MSG_SEGMENT_DEL]  = MESSAGE_REQ("SEGMENT_DEL", segment_field),
        [VMNET_MSG_SEGMENT_LIST] = MESSAGE_REP("SEGMENT_LIST", reply_segment_list),
        [VMNET_MSG_LAB_VIEW] = MESSAGE("LAB_VIEW", lab_view_fields, reply_lab_view),
        [VMNET_MSG_SUBSCRIBE] = MESSAGE("SUBSCRIBE", scope_field, reply_generation),
        [VMNET_MSG_LAB_CHANGED] = MESSAGE_REP("LAB_CHANGED", reply_generation),
        [VMNET_MSG_CAPTURE] = MESSAGE("CAPTURE", target_field, reply_capture),
        [VMNET_MSG_OWNER]   = MESSAGE("OWNER", mac_field, reply_owner),
};

static const struct message *message_of(uint8_t type) {
        if (type >= sizeof messages / sizeof messages[0] || !messages[type].name)
                return NULL;
        return &messages[type];
}

bool vmnet_msg_type_is_known(uint8_t type) {
        return message_of(type) != NULL;
}

bool vmnet_msg_request_has_fd(uint8_t type) {
        const struct message *m = message_of(type);
        return m && m->request_fd;
}

const char *vmnet_msg_type_name(uint8_t type) {
        const struct message *m = message_of(type);
        return m ? m->name : NULL;
}

static void put_fields(struct byte_writer *w, const struct field *fields, size_t n, const void *base) {
        for (size_t i = 0; i < n; i++) {
                const struct field *f = &fields[i];
                const uint8_t *p = (const uint8_t *)base + f->offset;
                switch (f->type) {
                case FIELD_STRING:
                        /* the decoder refuses an empty required string: never send one */
                        if (f->required && !p[0] && !w->error)
                                w->error = -EINVAL;
                        bw_str(w, (const char *)p, f->size - 1);
                        break;
                case FIELD_U8:
                        bw_u8(w, *p);
                        break;
                case FIELD_U16: {
                        uint16_t v;
                        memcpy(&v, p, sizeof v);
                        bw_u16(w, v);
                        break;
                }
                case FIELD_U32: {
                        uint32_t v;
                        memcpy(&v, p, sizeof v);
                        bw_u32(w, v);
                        break;
                }
                case FIELD_U64: {
                        uint64_t v;
                        memcpy(&v, p, sizeof v);
                        bw_u64(w, v);
                        break;
                }
                case FIELD_CHUNK: {
                        const struct vmnet_reply *rep = base;
                        if (rep->chunk_len > VMNET_CHUNK_MAX) {
                                if (!w->error)
                                        w->error = -EINVAL;
                                break;
                        }
                        bw_u16(w, rep->chunk_len);
                        bw_put(w, rep->chunk, rep->chunk_len);
                        break;
                }
                case FIELD_BYTES:
                        bw_put(w, p, f->size);
                        break;
                case FIELD_TAPS:
                        protocol_put_taps(w, base);
                        break;
                case FIELD_DROPS:
                        protocol_put_drops(w, base);
                        break;
                case FIELD_FLAGS:
                        if (*p & ~f->mask) {
                                if (!w->error)
                                        w->error = -EINVAL;
                        } else if (*p)
                                bw_u8(w, *p);
                        break;
                case FIELD_OPTIONAL_STRING:
                        if (p[0])
                                bw_str(w, (const char *)p, f->size - 1);
                        break;
                case FIELD_SEGMENTS:
                        protocol_put_segments(w, base);
                        break;
                }
        }
}

static void get_fields(struct byte_reader *r, const struct field *fields, size_t n, void *base) {
        for (size_t i = 0; i < n && !r->error; i++) {
                const struct field *f = &fields[i];
                uint8_t *p = (uint8_t *)base + f->offset;
                switch (f->type) {
                case FIELD_STRING:
                        br_str(r, (char *)p, f->size);
                        if (!r->error && f->required && !p[0])
                                r->error = -EBADMSG;
                        break;
                case FIELD_U8:
                        *p = br_u8(r);
                        break;
                case FIELD_U16: {
                        uint16_t v = br_u16(r);
                        memcpy(p, &v, sizeof v);
                        break;
                }
                case FIELD_U32: {
                        uint32_t v = br_u32(r);
                        memcpy(p, &v, sizeof v);
                        break;
                }
                case FIELD_U64: {
                        uint64_t v = br_u64(r);
                        memcpy(p, &v, sizeof v);
                        break;
                }
                case FIELD_CHUNK: {
                        struct vmnet_reply *rep = base;
                        rep->chunk_len = br_u16(r);
                        const uint8_t *data = rep->chunk_len <= VMNET_CHUNK_MAX ? br_get(r, rep->chunk_len) : NULL;
                        if (data)
                                memcpy(rep->chunk, data, rep->chunk_len);
                        else if (!r->error)
                                r->error = -EBADMSG;
                        break;
                }
                case FIELD_BYTES: {
                        const uint8_t *b = br_get(r, f->size);
                        if (b)
                                memcpy(p, b, f->size);
                        break;
                }
                case FIELD_TAPS:
                        protocol_get_taps(r, base);
                        break;
                case FIELD_DROPS:
                        protocol_get_drops(r, base);
                        break;
                case FIELD_FLAGS:
                        if (br_left(r) == 0)
                                break; /* absent: none */
                        *p = br_u8(r);
                        if (!r->error && (*p == 0 || *p & ~f->mask))
                                r->error = -EBADMSG;
                        break;
                case FIELD_OPTIONAL_STRING:
                        if (br_left(r) == 0)
                                break; /* absent: empty */
                        br_str(r, (char *)p, f->size);
                        if (!r->error && !p[0])
                                r->error = -EBADMSG;
                        break;
                case FIELD_SEGMENTS:
                        protocol_get_segments(r, base);
                        break;
                }
        }
}

int vmnet_request_encode(const struct vmnet_request *req, uint8_t *buf, size_t size) {
        const struct message *m = message_of(req->type);
        struct byte_writer w = { .data = buf, .cap = size, .max = size };

        if (!m)
                return -EINVAL;
        put_header(&w, req->type, 0);
        put_fields(&w, m->request, m->n_request, req);
        return writer_finish(&w);
}

int vmnet_request_decode(const uint8_t *buf, size_t len, struct vmnet_request *ret) {
        struct byte_reader r = { .data = buf, .size = len };
        struct vmnet_request req = { .fd = -1 };
        const struct message *m;
        uint16_t status;
        int e;

        e = get_header(&r, &req.type, &status);
        if (e < 0)
                return e;
        m = message_of(req.type);
        if (!m || status != 0)
                return -EBADMSG;
        get_fields(&r, m->request, m->n_request, &req);
        e = reader_finish(&r);
        if (e < 0)
                return e;
        *ret = req;
        return 0;
}

int vmnet_reply_encode(const struct vmnet_reply *rep, uint8_t *buf, size_t size) {
        const struct message *m = message_of(rep->type);
        struct byte_writer w = { .data = buf, .cap = size, .max = size };

        if (!m || rep->n_taps > VMNET_TAPS_MAX || rep->n_drops > VMNET_DROPS_MAX ||
            rep->n_segments > VMNET_SEGMENTS_MAX || rep->n_segment_ports > VMNET_TAPS_MAX)
                return -EINVAL;
        put_header(&w, rep->type | VMNET_REPLY, rep->status);
        if (rep->status == VMNET_OK)
                put_fields(&w, m->reply, m->n_reply, rep);
        return writer_finish(&w);
}

int vmnet_reply_decode(const uint8_t *buf, size_t len, struct vmnet_reply *ret) {
        struct byte_reader r = { .data = buf, .size = len };
        /* decoded aside, then copied: the output is untouched on error */
        struct vmnet_reply rep;
        const struct message *m;
        uint8_t type;
        int e;

        memset(&rep, 0, sizeof rep);
        e = get_header(&r, &type, &rep.status);
        if (e < 0)
                return e;
        m = message_of(type & ~VMNET_REPLY);
        if (!(type & VMNET_REPLY) || !m)
                return -EBADMSG;
        rep.type = type & ~VMNET_REPLY;
        if (rep.status == VMNET_OK)
                get_fields(&r, m->reply, m->n_reply, &rep);
        e = reader_finish(&r);
        if (e < 0)
                return e;
        *ret = rep;
        return 0;
}

const char *vmnet_status_string(uint16_t status) {
        switch (status) {
        case VMNET_OK:              return "success";
        case VMNET_ERR_REFUSED:     return "refused by vmnetd";
        case VMNET_ERR_QUOTA:       return "tap quota reached (max_taps)";
        case VMNET_ERR_BAD_REQUEST: return "malformed request";
        case VMNET_ERR_VERSION:     return "protocol version not supported by vmnetd";
        case VMNET_ERR_INTERNAL:    return "vmnetd failed (see its log)";
        case VMNET_ERR_NO_USER:     return "no such user";
        case VMNET_ERR_NOT_ALLOWED: return "user not in allow_groups";
        case VMNET_ERR_BUSY:        return "vmnetd is busy, try again";
        case VMNET_ERR_NAME_TAKEN:  return "the namespace already has a link of that name";
        case VMNET_ERR_NO_GUARD:    return "the lab's guard is off (guard = off in vmnet.conf), so there is no exam mode";
        case VMNET_ERR_SEGMENT_QUOTA:  return "segment quota reached (max_segments)";
        case VMNET_ERR_SEGMENT_EXISTS: return "you have a segment of that name already";
        case VMNET_ERR_SEGMENT_IN_USE: return "VMs or containers are attached to the segment";
        case VMNET_ERR_CHANGED:     return "the lab changed while it was read; read it again";
        case VMNET_ERR_LIMIT:       return "too many captures at once (8 of one user, 16 of one port)";
        default:                    return "unknown status";
        }
}

const char *vmnet_uplink_string(uint8_t uplink) {
        switch (uplink) {
        case VMNET_UPLINK_NAT:      return "nat";
        case VMNET_UPLINK_ROUTED:   return "routed";
        case VMNET_UPLINK_ISOLATED: return "isolated";
        case VMNET_UPLINK_EXTERNAL: return "external";
        default:                    return "unknown";
        }
}

const char *vmnet_tap_kind_string(uint8_t kind) {
        switch (kind) {
        case VMNET_TAP_LOGIN:      return "login";
        case VMNET_TAP_PERSISTENT: return "persistent";
        case VMNET_TAP_VM:         return "vm";
        case VMNET_TAP_NETNS:      return "netns";
        default:                   return "unknown";
        }
}
