/* Encoding and decoding of vmnetd's messages (see protocol.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "protocol.h"

struct writer {
        uint8_t *buf;
        size_t size, pos;
        int error;
};

struct reader {
        const uint8_t *buf;
        size_t len, pos;
        int error;
};

static void put_bytes(struct writer *w, const void *p, size_t n) {
        if (w->error)
                return;
        if (n > w->size - w->pos) {
                w->error = -EMSGSIZE;
                return;
        }
        memcpy(w->buf + w->pos, p, n);
        w->pos += n;
}

static void put_u8(struct writer *w, uint8_t v) {
        put_bytes(w, &v, 1);
}

static void put_u16(struct writer *w, uint16_t v) {
        uint8_t b[2] = { v >> 8, v & 0xff };
        put_bytes(w, b, 2);
}

/* max is the longest string the field may hold on the receiving side. */
static void put_string(struct writer *w, const char *s, size_t max) {
        size_t n = strnlen(s, max + 1);
        if (n > max) {
                if (!w->error)
                        w->error = -EINVAL;
                return;
        }
        put_u8(w, n);
        put_bytes(w, s, n);
}

static const uint8_t *get_bytes(struct reader *r, size_t n) {
        if (r->error)
                return NULL;
        if (n > r->len - r->pos) {
                r->error = -EBADMSG;
                return NULL;
        }
        const uint8_t *p = r->buf + r->pos;
        r->pos += n;
        return p;
}

static uint8_t get_u8(struct reader *r) {
        const uint8_t *p = get_bytes(r, 1);
        return p ? p[0] : 0;
}

static uint16_t get_u16(struct reader *r) {
        const uint8_t *p = get_bytes(r, 2);
        return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

/* Reads a string into out (size bytes incl. NUL); an over-long string or an
 * embedded NUL makes the message malformed. */
static void get_string(struct reader *r, char *out, size_t size) {
        size_t n = get_u8(r);
        const uint8_t *p = get_bytes(r, n);
        if (!p)
                return;
        if (n >= size || memchr(p, 0, n)) {
                r->error = -EBADMSG;
                return;
        }
        memcpy(out, p, n);
        out[n] = 0;
}

static int reader_finish(struct reader *r) {
        if (r->error)
                return r->error;
        return r->pos == r->len ? 0 : -EBADMSG;
}

static void put_header(struct writer *w, uint8_t type, uint16_t status) {
        put_u8(w, VMNET_PROTOCOL_VERSION);
        put_u8(w, type);
        put_u16(w, status);
}

static int get_header(struct reader *r, uint8_t *ret_type, uint16_t *ret_status) {
        if (r->len < 4)
                return -EBADMSG;
        if (get_u8(r) != VMNET_PROTOCOL_VERSION)
                return -EPROTO;
        *ret_type = get_u8(r);
        *ret_status = get_u16(r);
        return 0;
}

static int type_is_known(uint8_t type) {
        return type >= VMNET_MSG_OPEN && type <= VMNET_MSG_VM_TAP;
}

/* The tap wishes: sent only when there are any, so that a request without
 * them is what an older client sends, and a message has one spelling (a
 * present byte of 0 is malformed); unknown bits are refused both ways. */
static void put_want(struct writer *w, uint8_t want) {
        if (want & ~VMNET_TAP_WANT_ALL) {
                if (!w->error)
                        w->error = -EINVAL;
                return;
        }
        if (want)
                put_u8(w, want);
}

static uint8_t get_want(struct reader *r) {
        if (r->error || r->pos == r->len)
                return 0;
        uint8_t want = get_u8(r);
        if (want == 0 || want & ~VMNET_TAP_WANT_ALL)
                r->error = -EBADMSG;
        return want;
}

int vmnet_request_encode(const struct vmnet_request *req, uint8_t *buf, size_t size) {
        struct writer w = { .buf = buf, .size = size };

        if (!type_is_known(req->type))
                return -EINVAL;
        put_header(&w, req->type, 0);
        switch (req->type) {
        case VMNET_MSG_OPEN:
        case VMNET_MSG_CLOSE:
                /* the decoder refuses an empty user: never send one */
                if (!req->user[0])
                        return -EINVAL;
                put_string(&w, req->user, VMNET_USER_MAX);
                break;
        case VMNET_MSG_TAP_DEL:
                put_string(&w, req->tap, IFNAMSIZ - 1);
                break;
        case VMNET_MSG_VM_TAP:
                put_string(&w, req->bridge, IFNAMSIZ - 1);
                put_want(&w, req->want);
                break;
        case VMNET_MSG_TAP_ADD:
                put_want(&w, req->want);
                break;
        default:
                break;
        }
        return w.error ? w.error : (int)w.pos;
}

int vmnet_request_decode(const uint8_t *buf, size_t len, struct vmnet_request *ret) {
        struct reader r = { .buf = buf, .len = len };
        struct vmnet_request req = {};
        uint16_t status;
        int e;

        e = get_header(&r, &req.type, &status);
        if (e < 0)
                return e;
        if (!type_is_known(req.type) || status != 0)
                return -EBADMSG;
        switch (req.type) {
        case VMNET_MSG_OPEN:
        case VMNET_MSG_CLOSE:
                get_string(&r, req.user, sizeof req.user);
                if (!r.error && !req.user[0])
                        r.error = -EBADMSG;
                break;
        case VMNET_MSG_TAP_DEL:
                get_string(&r, req.tap, sizeof req.tap);
                break;
        case VMNET_MSG_VM_TAP:
                get_string(&r, req.bridge, sizeof req.bridge);
                req.want = get_want(&r);
                break;
        case VMNET_MSG_TAP_ADD:
                req.want = get_want(&r);
                break;
        default:
                break;
        }
        e = reader_finish(&r);
        if (e < 0)
                return e;
        *ret = req;
        return 0;
}

static int reply_has_tap(uint8_t type) {
        return type == VMNET_MSG_OPEN || type == VMNET_MSG_TAP_ADD || type == VMNET_MSG_VM_TAP;
}

int vmnet_reply_encode(const struct vmnet_reply *rep, uint8_t *buf, size_t size) {
        struct writer w = { .buf = buf, .size = size };

        if (!type_is_known(rep->type) || rep->n_taps > VMNET_TAPS_MAX)
                return -EINVAL;
        /* the decoder refuses a success without a tap name: never send one */
        if (rep->status == VMNET_OK && reply_has_tap(rep->type) && !rep->tap[0])
                return -EINVAL;
        put_header(&w, rep->type | VMNET_REPLY, rep->status);
        if (rep->status == VMNET_OK && reply_has_tap(rep->type))
                put_string(&w, rep->tap, IFNAMSIZ - 1);
        if (rep->status == VMNET_OK && rep->type == VMNET_MSG_STATUS) {
                put_string(&w, rep->user, VMNET_USER_MAX);
                put_string(&w, rep->bridge, IFNAMSIZ - 1);
                put_string(&w, rep->address, VMNET_ADDRESS_MAX);
                put_string(&w, rep->domain, VMNET_DOMAIN_MAX);
                put_u8(&w, rep->uplink);
                put_u16(&w, rep->max_taps);
                put_u16(&w, rep->n_taps);
                for (unsigned i = 0; i < rep->n_taps; i++) {
                        put_string(&w, rep->taps[i].name, IFNAMSIZ - 1);
                        put_u8(&w, rep->taps[i].kind);
                        put_u8(&w, rep->taps[i].flags);
                }
        }
        return w.error ? w.error : (int)w.pos;
}

int vmnet_reply_decode(const uint8_t *buf, size_t len, struct vmnet_reply *ret) {
        struct reader r = { .buf = buf, .len = len };
        /* decoded aside, then copied: the output is untouched on error */
        struct vmnet_reply rep;
        uint8_t type;
        int e;

        memset(&rep, 0, sizeof rep);
        e = get_header(&r, &type, &rep.status);
        if (e < 0)
                return e;
        if (!(type & VMNET_REPLY) || !type_is_known(type & ~VMNET_REPLY))
                return -EBADMSG;
        rep.type = type & ~VMNET_REPLY;
        if (rep.status == VMNET_OK && reply_has_tap(rep.type)) {
                get_string(&r, rep.tap, sizeof rep.tap);
                if (!r.error && !rep.tap[0])
                        r.error = -EBADMSG;
        }
        if (rep.status == VMNET_OK && rep.type == VMNET_MSG_STATUS) {
                get_string(&r, rep.user, sizeof rep.user);
                get_string(&r, rep.bridge, sizeof rep.bridge);
                get_string(&r, rep.address, sizeof rep.address);
                get_string(&r, rep.domain, sizeof rep.domain);
                rep.uplink = get_u8(&r);
                rep.max_taps = get_u16(&r);
                rep.n_taps = get_u16(&r);
                if (rep.n_taps > VMNET_TAPS_MAX)
                        r.error = -EBADMSG;
                for (unsigned i = 0; !r.error && i < rep.n_taps; i++) {
                        get_string(&r, rep.taps[i].name, sizeof rep.taps[i].name);
                        rep.taps[i].kind = get_u8(&r);
                        rep.taps[i].flags = get_u8(&r);
                }
        }
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
        default:                   return "unknown";
        }
}
