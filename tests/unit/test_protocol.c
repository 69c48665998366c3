/* The wire codec (common/protocol.c): every message type round trips, every
 * malformed form is refused without touching the output, encoders refuse
 * what a decoder would refuse. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "protocol.h"

static const uint8_t all_types[] = {
        VMNET_MSG_OPEN, VMNET_MSG_CLOSE, VMNET_MSG_STATUS,
        VMNET_MSG_TAP_ADD, VMNET_MSG_TAP_DEL, VMNET_MSG_VM_TAP,
        VMNET_MSG_NETNS_ATTACH, VMNET_MSG_LAB_HEALTH, VMNET_MSG_ISOLATION, VMNET_MSG_SEGMENT_ADD,
        VMNET_MSG_SEGMENT_DEL, VMNET_MSG_SEGMENT_LIST,
        VMNET_MSG_LAB_VIEW, VMNET_MSG_SUBSCRIBE, VMNET_MSG_LAB_CHANGED, VMNET_MSG_CAPTURE, VMNET_MSG_OWNER,
};
#define FIRST_UNKNOWN_TYPE 18 /* after OWNER (16) and LAB_HEALTH (17) */
#define N_TYPES (sizeof all_types / sizeof all_types[0])

/* A request of each type with every field it carries at its longest. */
static struct vmnet_request full_request(uint8_t type) {
        struct vmnet_request req = { .type = type };
        switch (type) {
        case VMNET_MSG_OPEN:
        case VMNET_MSG_CLOSE:
                memset(req.user, 'u', VMNET_USER_MAX);
                break;
        case VMNET_MSG_TAP_DEL:
                memset(req.tap, 't', IFNAMSIZ - 1);
                break;
        case VMNET_MSG_VM_TAP:
                memset(req.bridge, 'b', IFNAMSIZ - 1);
                req.want = VMNET_TAP_WANT_ALL;
                break;
        case VMNET_MSG_TAP_ADD:
                req.want = VMNET_TAP_WANT_ALL;
                break;
        case VMNET_MSG_OWNER:
                memcpy(req.mac, (const uint8_t[6]) { 0xff, 0, 0x52, 0x54, 0xa5, 0x01 }, 6);
                break;
        case VMNET_MSG_NETNS_ATTACH:
                memset(req.ifname, 'i', IFNAMSIZ - 1);
                memset(req.segment, 's', IFNAMSIZ - 1);
                break;
        case VMNET_MSG_SEGMENT_ADD:
                memset(req.segment, 's', IFNAMSIZ - 1);
                req.segment_flags = VMNET_SEGMENT_FLAGS_ALL;
                break;
        case VMNET_MSG_SEGMENT_DEL:
                memset(req.segment, 's', IFNAMSIZ - 1);
                break;
        case VMNET_MSG_ISOLATION:
                req.isolation = 1;
                break;
        case VMNET_MSG_LAB_VIEW:
                req.scope = 0xff;
                req.generation = UINT64_C(0xfedcba9876543210);
                req.offset = 0xfffffffe;
                break;
        case VMNET_MSG_SUBSCRIBE:
                req.scope = VMNET_SCOPE_ALL;
                break;
        case VMNET_MSG_CAPTURE:
                memset(req.target, 'x', VMNET_TARGET_MAX);
                break;
        }
        return req;
}

/* The segments of a SEGMENT_LIST reply at their longest, and n_ports ports. */
static void fill_segments(struct vmnet_reply *rep, uint16_t n_ports) {
        rep->max_segments = 0xfe;
        rep->n_segments = VMNET_SEGMENTS_MAX;
        for (unsigned i = 0; i < VMNET_SEGMENTS_MAX; i++) {
                struct vmnet_segment_info *s = &rep->segments[i];
                memset(s->name, 'n', IFNAMSIZ - 1 - i % 3);
                memset(s->bridge, 'b', IFNAMSIZ - 1);
                memset(s->link, 'l', IFNAMSIZ - 1 - i % 5);
                s->name[0] = (char)('a' + i % 26);
                s->flags = (uint8_t)(i & 1);
        }
        rep->n_segment_ports = n_ports;
        for (unsigned i = 0; i < n_ports; i++) {
                struct vmnet_segment_port *p = &rep->segment_ports[i];
                memset(p->name, 'p', IFNAMSIZ - 1 - i % 4);
                p->segment = (uint8_t)(i % VMNET_SEGMENTS_MAX);
                p->kind = (uint8_t)(3 + i % 2);
                p->flags = (uint8_t)(i & 3);
        }
}

static struct vmnet_reply full_reply(uint8_t type, uint16_t n_taps) {
        struct vmnet_reply rep = { .type = type, .status = VMNET_OK };
        if (type == VMNET_MSG_OPEN || type == VMNET_MSG_TAP_ADD || type == VMNET_MSG_VM_TAP ||
            type == VMNET_MSG_NETNS_ATTACH || type == VMNET_MSG_SEGMENT_ADD)
                memset(rep.tap, 'p', IFNAMSIZ - 1);
        if (type == VMNET_MSG_SEGMENT_ADD)
                memset(rep.bridge, 'b', IFNAMSIZ - 1);
        if (type == VMNET_MSG_SEGMENT_LIST)
                fill_segments(&rep, n_taps);
        if (type == VMNET_MSG_LAB_VIEW) {
                rep.generation = UINT64_MAX;
                rep.total = 0xfffffff0;
                rep.chunk_len = VMNET_CHUNK_MAX;
                for (unsigned i = 0; i < VMNET_CHUNK_MAX; i++)
                        rep.chunk[i] = (uint8_t)i;
        }
        if (type == VMNET_MSG_SUBSCRIBE || type == VMNET_MSG_LAB_CHANGED)
                rep.generation = 0x0102030405060708;
        if (type == VMNET_MSG_CAPTURE) {
                memset(rep.tap, 'p', IFNAMSIZ - 1);
                memset(rep.user, 'u', VMNET_USER_MAX);
                memset(rep.port, 'o', IFNAMSIZ - 1);
                memset(rep.link, 'l', IFNAMSIZ - 1);
        }
        if (type == VMNET_MSG_OWNER) {
                rep.owner_uid = 0xfedcba98;
                memset(rep.user, 'u', VMNET_USER_MAX);
        }
        if (type == VMNET_MSG_STATUS) {
                memset(rep.user, 'u', VMNET_USER_MAX);
                memset(rep.bridge, 'b', IFNAMSIZ - 1);
                strcpy(rep.address, "255.255.255.255/32");
                memset(rep.domain, 'd', VMNET_DOMAIN_MAX);
                rep.uplink = VMNET_UPLINK_EXTERNAL;
                rep.max_taps = 0xfedc;
                rep.n_taps = n_taps;
                for (unsigned i = 0; i < n_taps; i++) {
                        /* distinct names of 11 to 15 bytes */
                        memset(rep.taps[i].name, 'a' + i % 26, IFNAMSIZ - 1 - i % 5);
                        rep.taps[i].name[0] = (char)('0' + i / 10);
                        rep.taps[i].name[1] = (char)('0' + i % 10);
                        rep.taps[i].kind = (uint8_t)(1 + i % 3);
                        rep.taps[i].flags = (uint8_t)(i & 3);
                }
                rep.guard = VMNET_GUARD_ON | VMNET_GUARD_EXAM;
                rep.n_drops = VMNET_DROPS_MAX;
                for (unsigned i = 0; i < VMNET_DROPS_MAX; i++) {
                        memset(rep.drops[i].mac, (int)(0xa0 + i), 6);
                        rep.drops[i].kind = (uint8_t)(1 + i);
                        rep.drops[i].frames = 0xfffffff0u + i % 16;
                }
        }
        if (type == VMNET_MSG_LAB_HEALTH) {
                rep.health.dnsmasq = VMNET_DNSMASQ_DOWN;
                rep.health.dnsmasq_failures = 0xfedc;
                rep.health.retry_seconds = 0xba98;
                rep.health.firewall_missing = 1;
                memset(rep.health.problem, 'e', VMNET_PROBLEM_MAX);
        }
        return rep;
}

static void assert_request_eq(const struct vmnet_request *a, const struct vmnet_request *b) {
        assert_int_equal(a->type, b->type);
        assert_string_equal(a->user, b->user);
        assert_string_equal(a->tap, b->tap);
        assert_string_equal(a->bridge, b->bridge);
        assert_int_equal(a->want, b->want);
        assert_string_equal(a->ifname, b->ifname);
        assert_int_equal(a->isolation, b->isolation);
        assert_string_equal(a->segment, b->segment);
        assert_int_equal(a->segment_flags, b->segment_flags);
        assert_int_equal(a->scope, b->scope);
        assert_int_equal(a->generation, b->generation);
        assert_int_equal(a->offset, b->offset);
        assert_string_equal(a->target, b->target);
        assert_memory_equal(a->mac, b->mac, sizeof a->mac);
}

static void assert_reply_eq(const struct vmnet_reply *a, const struct vmnet_reply *b) {
        assert_int_equal(a->type, b->type);
        assert_int_equal(a->status, b->status);
        assert_string_equal(a->tap, b->tap);
        assert_string_equal(a->user, b->user);
        assert_string_equal(a->bridge, b->bridge);
        assert_string_equal(a->address, b->address);
        assert_string_equal(a->domain, b->domain);
        assert_int_equal(a->uplink, b->uplink);
        assert_int_equal(a->max_taps, b->max_taps);
        assert_int_equal(a->n_taps, b->n_taps);
        assert_int_equal(a->health.dnsmasq, b->health.dnsmasq);
        assert_int_equal(a->health.dnsmasq_failures, b->health.dnsmasq_failures);
        assert_int_equal(a->health.retry_seconds, b->health.retry_seconds);
        assert_int_equal(a->health.firewall_missing, b->health.firewall_missing);
        assert_string_equal(a->health.problem, b->health.problem);
        assert_int_equal(a->owner_uid, b->owner_uid);
        for (unsigned i = 0; i < a->n_taps; i++) {
                assert_string_equal(a->taps[i].name, b->taps[i].name);
                assert_int_equal(a->taps[i].kind, b->taps[i].kind);
                assert_int_equal(a->taps[i].flags, b->taps[i].flags);
        }
        assert_int_equal(a->guard, b->guard);
        assert_int_equal(a->n_drops, b->n_drops);
        for (unsigned i = 0; i < a->n_drops; i++) {
                assert_memory_equal(a->drops[i].mac, b->drops[i].mac, 6);
                assert_int_equal(a->drops[i].kind, b->drops[i].kind);
                assert_int_equal(a->drops[i].frames, b->drops[i].frames);
        }
        assert_int_equal(a->max_segments, b->max_segments);
        assert_int_equal(a->n_segments, b->n_segments);
        for (unsigned i = 0; i < a->n_segments; i++) {
                assert_string_equal(a->segments[i].name, b->segments[i].name);
                assert_string_equal(a->segments[i].bridge, b->segments[i].bridge);
                assert_string_equal(a->segments[i].link, b->segments[i].link);
                assert_int_equal(a->segments[i].flags, b->segments[i].flags);
        }
        assert_int_equal(a->n_segment_ports, b->n_segment_ports);
        for (unsigned i = 0; i < a->n_segment_ports; i++) {
                assert_string_equal(a->segment_ports[i].name, b->segment_ports[i].name);
                assert_int_equal(a->segment_ports[i].segment, b->segment_ports[i].segment);
                assert_int_equal(a->segment_ports[i].kind, b->segment_ports[i].kind);
                assert_int_equal(a->segment_ports[i].flags, b->segment_ports[i].flags);
        }
        assert_string_equal(a->port, b->port);
        assert_string_equal(a->link, b->link);
        assert_int_equal(a->generation, b->generation);
        assert_int_equal(a->total, b->total);
        assert_int_equal(a->chunk_len, b->chunk_len);
        assert_memory_equal(a->chunk, b->chunk, a->chunk_len);
}

/* Decoding must fail with want and leave the output exactly as it was. */
static void assert_request_refused(const uint8_t *buf, size_t len, int want) {
        struct vmnet_request out, before;
        memset(&out, 0xa5, sizeof out);
        before = out;
        assert_int_equal(vmnet_request_decode(buf, len, &out), want);
        assert_memory_equal(&out, &before, sizeof out);
}

static void assert_reply_refused(const uint8_t *buf, size_t len, int want) {
        static struct vmnet_reply out, before;
        memset(&out, 0xa5, sizeof out);
        before = out;
        assert_int_equal(vmnet_reply_decode(buf, len, &out), want);
        assert_memory_equal(&out, &before, sizeof out);
}

/* ---- requests ---- */

static void test_request_round_trip_every_type(void **state) {
        (void)state;
        for (size_t t = 0; t < N_TYPES; t++) {
                struct vmnet_request req = full_request(all_types[t]), out;
                uint8_t buf[VMNET_MSG_MAX];
                int n = vmnet_request_encode(&req, buf, sizeof buf);
                assert_true(n >= 4);
                assert_int_equal(vmnet_request_decode(buf, n, &out), 0);
                assert_request_eq(&req, &out);

                /* short values too */
                struct vmnet_request small = { .type = all_types[t] };
                strcpy(small.user, "a");
                strcpy(small.tap, "t");
                strcpy(small.bridge, "b");
                strcpy(small.segment, "s");
                strcpy(small.target, "g");
                n = vmnet_request_encode(&small, buf, sizeof buf);
                assert_true(n >= 4);
                assert_int_equal(vmnet_request_decode(buf, n, &out), 0);
                assert_int_equal(out.type, small.type);
        }
}

/* Every type the codec knows is in all_types: a new one gets the tests
 * above without anyone remembering to add it. */
static void test_every_known_type_is_tested(void **state) {
        (void)state;
        for (unsigned type = 0; type < VMNET_REPLY; type++) {
                bool listed = memchr(all_types, (int)type, N_TYPES) != NULL;
                if (vmnet_msg_type_is_known((uint8_t)type) != listed)
                        fail_msg("message type %u (%s) is %s all_types", type,
                                 vmnet_msg_type_name((uint8_t)type) ?: "unknown", listed ? "wrongly in" : "missing from");
        }
}

/* The bytes on the wire are fixed by protocol.h: pin them. */
static void test_request_wire_bytes(void **state) {
        (void)state;
        struct vmnet_request req = { .type = VMNET_MSG_OPEN };
        uint8_t buf[64];
        strcpy(req.user, "alice");
        const uint8_t open[] = { 1, 1, 0, 0, 5, 'a', 'l', 'i', 'c', 'e' };
        assert_int_equal(vmnet_request_encode(&req, buf, sizeof buf), sizeof open);
        assert_memory_equal(buf, open, sizeof open);

        /* fields a type does not carry are not sent */
        struct vmnet_request st = { .type = VMNET_MSG_STATUS };
        strcpy(st.user, "ignored");
        const uint8_t status[] = { 1, 3, 0, 0 };
        assert_int_equal(vmnet_request_encode(&st, buf, sizeof buf), sizeof status);
        assert_memory_equal(buf, status, sizeof status);

        struct vmnet_request del = { .type = VMNET_MSG_TAP_DEL };
        strcpy(del.tap, "tap-a1");
        const uint8_t tapdel[] = { 1, 5, 0, 0, 6, 't', 'a', 'p', '-', 'a', '1' };
        assert_int_equal(vmnet_request_encode(&del, buf, sizeof buf), sizeof tapdel);
        assert_memory_equal(buf, tapdel, sizeof tapdel);

        /* the namespace's fd is not in the bytes; an empty name is eth0's */
        struct vmnet_request attach = { .type = VMNET_MSG_NETNS_ATTACH, .fd = 7 };
        strcpy(attach.ifname, "eth1");
        const uint8_t named[] = { 1, 7, 0, 0, 4, 'e', 't', 'h', '1' };
        assert_int_equal(vmnet_request_encode(&attach, buf, sizeof buf), sizeof named);
        assert_memory_equal(buf, named, sizeof named);
        attach.ifname[0] = '\0';
        const uint8_t unnamed[] = { 1, 7, 0, 0, 0 };
        assert_int_equal(vmnet_request_encode(&attach, buf, sizeof buf), sizeof unnamed);
        assert_memory_equal(buf, unnamed, sizeof unnamed);

        struct vmnet_request owner = { .type = VMNET_MSG_OWNER, .mac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 } };
        const uint8_t owner_bytes[] = { 1, 16, 0, 0, 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
        assert_int_equal(vmnet_request_encode(&owner, buf, sizeof buf), sizeof owner_bytes);
        assert_memory_equal(buf, owner_bytes, sizeof owner_bytes);
}

/* Only NETNS_ATTACH carries an fd; a decoded request never has one yet
 * (the receiver puts the passed one there). */
static void test_request_fd(void **state) {
        (void)state;
        for (size_t t = 0; t < N_TYPES; t++) {
                struct vmnet_request req = full_request(all_types[t]), out;
                uint8_t buf[VMNET_MSG_MAX];
                req.fd = 3;
                int n = vmnet_request_encode(&req, buf, sizeof buf);
                assert_int_equal(vmnet_request_decode(buf, n, &out), 0);
                assert_int_equal(out.fd, -1);
                assert_int_equal(vmnet_msg_request_has_fd(all_types[t]), all_types[t] == VMNET_MSG_NETNS_ATTACH);
        }
        assert_false(vmnet_msg_request_has_fd(0));
        assert_false(vmnet_msg_request_has_fd(0xff));
}

static void test_request_short_header(void **state) {
        (void)state;
        const uint8_t hdr[] = { 1, 3, 0, 0 };
        for (size_t len = 0; len < 4; len++)
                assert_request_refused(hdr, len, -EBADMSG);
        struct vmnet_request out;
        assert_int_equal(vmnet_request_decode(hdr, 4, &out), 0);
        assert_int_equal(out.type, VMNET_MSG_STATUS);
}

static void test_request_wrong_version(void **state) {
        (void)state;
        const uint8_t versions[] = { 0, 2, 0x81, 0xff };
        for (size_t i = 0; i < sizeof versions; i++) {
                uint8_t m[] = { versions[i], VMNET_MSG_STATUS, 0, 0 };
                assert_request_refused(m, sizeof m, -EPROTO);
                uint8_t o[] = { versions[i], VMNET_MSG_OPEN, 0, 0, 1, 'a' };
                assert_request_refused(o, sizeof o, -EPROTO);
        }
}

static void test_request_unknown_type(void **state) {
        (void)state;
        const uint8_t types[] = { 0, 8, 0x7f, 0x80, VMNET_MSG_OPEN | VMNET_REPLY,
                                  VMNET_MSG_STATUS | VMNET_REPLY, 0xff };
        for (size_t i = 0; i < sizeof types; i++) {
                uint8_t m[] = { 1, types[i], 0, 0 };
                assert_request_refused(m, sizeof m, -EBADMSG);
        }
}

static void test_request_with_status(void **state) {
        (void)state;
        const uint8_t status_bytes[][2] = { { 0, 1 }, { 1, 0 }, { 0xff, 0xff } };
        for (size_t i = 0; i < 3; i++) {
                uint8_t m[] = { 1, VMNET_MSG_STATUS, status_bytes[i][0], status_bytes[i][1] };
                assert_request_refused(m, sizeof m, -EBADMSG);
                uint8_t o[] = { 1, VMNET_MSG_OPEN, status_bytes[i][0], status_bytes[i][1], 1, 'a' };
                assert_request_refused(o, sizeof o, -EBADMSG);
        }
}

/* A string field of n bytes after a request header. */
static size_t make_string_request(uint8_t *m, uint8_t type, uint8_t n, char fill) {
        m[0] = 1; m[1] = type; m[2] = 0; m[3] = 0; m[4] = n;
        memset(m + 5, fill, n);
        return 5 + (size_t)n;
}

static void test_request_string_too_long(void **state) {
        (void)state;
        uint8_t m[300];
        struct vmnet_request out;
        /* the longest that fits is accepted, one more is not; a user name
         * may be as long as its length byte can say (directory accounts) */
        _Static_assert(VMNET_USER_MAX == 255, "a user name takes any length the u8 can say");
        assert_int_equal(vmnet_request_decode(m, make_string_request(m, VMNET_MSG_OPEN, VMNET_USER_MAX, 'u'), &out), 0);
        assert_int_equal(strlen(out.user), VMNET_USER_MAX);
        assert_int_equal(vmnet_request_decode(m, make_string_request(m, VMNET_MSG_CLOSE, 255, 'u'), &out), 0);
        assert_int_equal(strlen(out.user), 255);
        size_t n = make_string_request(m, VMNET_MSG_OPEN, 20, 'u');
        memcpy(m + 5, "alice@ad.example.edu", 20);
        assert_int_equal(vmnet_request_decode(m, n, &out), 0);
        assert_string_equal(out.user, "alice@ad.example.edu");
        assert_int_equal(vmnet_request_decode(m, make_string_request(m, VMNET_MSG_TAP_DEL, IFNAMSIZ - 1, 't'), &out), 0);
        assert_request_refused(m, make_string_request(m, VMNET_MSG_TAP_DEL, IFNAMSIZ, 't'), -EBADMSG);
        assert_int_equal(vmnet_request_decode(m, make_string_request(m, VMNET_MSG_VM_TAP, IFNAMSIZ - 1, 'b'), &out), 0);
        assert_request_refused(m, make_string_request(m, VMNET_MSG_VM_TAP, IFNAMSIZ, 'b'), -EBADMSG);
        assert_int_equal(vmnet_request_decode(m, make_string_request(m, VMNET_MSG_NETNS_ATTACH, IFNAMSIZ - 1, 'i'), &out), 0);
        assert_request_refused(m, make_string_request(m, VMNET_MSG_NETNS_ATTACH, IFNAMSIZ, 'i'), -EBADMSG);
}

static void test_request_embedded_nul(void **state) {
        (void)state;
        const uint8_t types[] = { VMNET_MSG_OPEN, VMNET_MSG_CLOSE, VMNET_MSG_TAP_DEL, VMNET_MSG_VM_TAP };
        for (size_t i = 0; i < sizeof types; i++)
                for (size_t at = 0; at < 5; at++) {
                        uint8_t m[16];
                        size_t len = make_string_request(m, types[i], 5, 'x');
                        m[5 + at] = 0;
                        assert_request_refused(m, len, -EBADMSG);
                }
}

static void test_request_empty_user(void **state) {
        (void)state;
        uint8_t m[8];
        assert_request_refused(m, make_string_request(m, VMNET_MSG_OPEN, 0, 'x'), -EBADMSG);
        assert_request_refused(m, make_string_request(m, VMNET_MSG_CLOSE, 0, 'x'), -EBADMSG);
}

static void test_request_trailing_bytes(void **state) {
        (void)state;
        for (size_t t = 0; t < N_TYPES; t++) {
                struct vmnet_request req = full_request(all_types[t]);
                uint8_t buf[VMNET_MSG_MAX];
                int n = vmnet_request_encode(&req, buf, sizeof buf);
                assert_true(n > 0);
                for (size_t extra = 1; extra <= 3; extra++) {
                        memset(buf + n, 0, extra);
                        assert_request_refused(buf, n + extra, -EBADMSG);
                }
        }
}

static void test_request_truncated_everywhere(void **state) {
        (void)state;
        for (size_t t = 0; t < N_TYPES; t++) {
                struct vmnet_request req = full_request(all_types[t]);
                uint8_t buf[VMNET_MSG_MAX];
                int n = vmnet_request_encode(&req, buf, sizeof buf);
                assert_true(n > 0);
                /* the tap and segment wishes are the last byte and may be
                 * absent; so may NETNS_ATTACH's segment, and only whole */
                int optional_tail = req.want || req.segment_flags ? 1 : 0;
                int without_segment = req.type == VMNET_MSG_NETNS_ATTACH ? n - 1 - (int)strlen(req.segment) : -1;
                for (int len = 0; len < n - optional_tail; len++)
                        if (len != without_segment)
                                assert_request_refused(buf, len, -EBADMSG);
        }
}

/* A TAP_ADD or VM_TAP without the wishes byte is an older client's: no
 * wishes.  Each bit round trips, unknown bits are refused both ways. */
static void test_request_tap_wishes(void **state) {
        (void)state;
        uint8_t m[32];
        struct vmnet_request out;

        const uint8_t add_old[] = { 1, VMNET_MSG_TAP_ADD, 0, 0 };
        assert_int_equal(vmnet_request_decode(add_old, sizeof add_old, &out), 0);
        assert_int_equal(out.want, 0);
        size_t len = make_string_request(m, VMNET_MSG_VM_TAP, 6, 'b');
        assert_int_equal(vmnet_request_decode(m, len, &out), 0);
        assert_int_equal(out.want, 0);

        /* pinned: the byte follows the bridge */
        struct vmnet_request vm = { .type = VMNET_MSG_VM_TAP, .want = VMNET_TAP_WANT_VNET_HDR };
        strcpy(vm.bridge, "br");
        const uint8_t vm_bytes[] = { 1, 6, 0, 0, 2, 'b', 'r', VMNET_TAP_WANT_VNET_HDR };
        assert_int_equal(vmnet_request_encode(&vm, m, sizeof m), sizeof vm_bytes);
        assert_memory_equal(m, vm_bytes, sizeof vm_bytes);
        assert_int_equal(vmnet_request_decode(m, sizeof vm_bytes, &out), 0);
        assert_int_equal(out.want, VMNET_TAP_WANT_VNET_HDR);

        /* no wishes: nothing is sent, as an older client does; one spelling,
         * so a 0 byte is malformed */
        vm.want = 0;
        assert_int_equal(vmnet_request_encode(&vm, m, sizeof m), sizeof vm_bytes - 1);
        const uint8_t add_zero[] = { 1, VMNET_MSG_TAP_ADD, 0, 0, 0 };
        assert_request_refused(add_zero, sizeof add_zero, -EBADMSG);

        for (unsigned bit = 0; bit < 8; bit++) {
                uint8_t want = (uint8_t)(1u << bit);
                struct vmnet_request add = { .type = VMNET_MSG_TAP_ADD, .want = want };
                uint8_t a[] = { 1, VMNET_MSG_TAP_ADD, 0, 0, want };
                if (want & VMNET_TAP_WANT_ALL) {
                        assert_int_equal(vmnet_request_encode(&add, m, sizeof m), 5);
                        assert_int_equal(vmnet_request_decode(a, sizeof a, &out), 0);
                        assert_int_equal(out.want, want);
                } else {
                        assert_int_equal(vmnet_request_encode(&add, m, sizeof m), -EINVAL);
                        assert_request_refused(a, sizeof a, -EBADMSG);
                }
        }
}

/* NETNS_ATTACH's segment: absent (an older client's) is the lab, present
 * is a segment's name, present and empty is malformed (one spelling).
 * SEGMENT_ADD and SEGMENT_DEL name one, never an empty one. */
static void test_request_segments(void **state) {
        (void)state;
        uint8_t m[64];
        struct vmnet_request out;

        struct vmnet_request attach = { .type = VMNET_MSG_NETNS_ATTACH, .fd = 7 };
        strcpy(attach.ifname, "eth1");
        strcpy(attach.segment, "lan2");
        const uint8_t on_segment[] = { 1, 7, 0, 0, 4, 'e', 't', 'h', '1', 4, 'l', 'a', 'n', '2' };
        assert_int_equal(vmnet_request_encode(&attach, m, sizeof m), sizeof on_segment);
        assert_memory_equal(m, on_segment, sizeof on_segment);
        assert_int_equal(vmnet_request_decode(on_segment, sizeof on_segment, &out), 0);
        assert_string_equal(out.segment, "lan2");
        assert_int_equal(vmnet_request_decode(on_segment, 9, &out), 0);
        assert_string_equal(out.segment, "");
        const uint8_t empty_segment[] = { 1, 7, 0, 0, 0, 0 };
        assert_request_refused(empty_segment, sizeof empty_segment, -EBADMSG);

        struct vmnet_request add = { .type = VMNET_MSG_SEGMENT_ADD, .segment_flags = VMNET_SEGMENT_KEEP };
        strcpy(add.segment, "lan2");
        const uint8_t add_keep[] = { 1, 13, 0, 0, 4, 'l', 'a', 'n', '2', VMNET_SEGMENT_KEEP };
        assert_int_equal(vmnet_request_encode(&add, m, sizeof m), sizeof add_keep);
        assert_memory_equal(m, add_keep, sizeof add_keep);
        assert_int_equal(vmnet_request_decode(add_keep, sizeof add_keep - 1, &out), 0);
        assert_int_equal(out.segment_flags, 0);
        const uint8_t add_zero[] = { 1, 13, 0, 0, 1, 'x', 0 }, add_unknown[] = { 1, 13, 0, 0, 1, 'x', 2 };
        assert_request_refused(add_zero, sizeof add_zero, -EBADMSG);
        assert_request_refused(add_unknown, sizeof add_unknown, -EBADMSG);
        add.segment_flags = 2;
        assert_int_equal(vmnet_request_encode(&add, m, sizeof m), -EINVAL);
        const uint8_t add_empty[] = { 1, 13, 0, 0, 0 }, del_empty[] = { 1, 14, 0, 0, 0 };
        assert_request_refused(add_empty, sizeof add_empty, -EBADMSG);
        assert_request_refused(del_empty, sizeof del_empty, -EBADMSG);
        struct vmnet_request del = { .type = VMNET_MSG_SEGMENT_DEL };
        assert_int_equal(vmnet_request_encode(&del, m, sizeof m), -EINVAL);
        const uint8_t list[] = { 1, 15, 0, 0 };
        assert_int_equal(vmnet_request_decode(list, sizeof list, &out), 0);
        assert_int_equal(out.type, VMNET_MSG_SEGMENT_LIST);
}

static void test_request_encode_errors(void **state) {
        (void)state;
        uint8_t buf[VMNET_MSG_MAX];

        const uint8_t bad_types[] = { 0, FIRST_UNKNOWN_TYPE, 0xff, VMNET_MSG_OPEN | VMNET_REPLY };
        for (size_t i = 0; i < sizeof bad_types; i++) {
                struct vmnet_request req = { .type = bad_types[i] };
                strcpy(req.user, "alice");
                assert_int_equal(vmnet_request_encode(&req, buf, sizeof buf), -EINVAL);
        }

        /* a field without room for its NUL is too long, and is not read past */
        struct vmnet_request open = { .type = VMNET_MSG_OPEN };
        memset(open.user, 'u', sizeof open.user);
        assert_int_equal(vmnet_request_encode(&open, buf, sizeof buf), -EINVAL);
        struct vmnet_request del = { .type = VMNET_MSG_TAP_DEL };
        memset(del.tap, 't', sizeof del.tap);
        assert_int_equal(vmnet_request_encode(&del, buf, sizeof buf), -EINVAL);
        struct vmnet_request vm = { .type = VMNET_MSG_VM_TAP };
        memset(vm.bridge, 'b', sizeof vm.bridge);
        assert_int_equal(vmnet_request_encode(&vm, buf, sizeof buf), -EINVAL);

        /* every buffer one byte too small, down to none */
        for (size_t t = 0; t < N_TYPES; t++) {
                struct vmnet_request req = full_request(all_types[t]);
                int n = vmnet_request_encode(&req, buf, sizeof buf);
                assert_true(n > 0);
                for (int size = 0; size < n; size++)
                        assert_int_equal(vmnet_request_encode(&req, buf, size), -EMSGSIZE);
                assert_int_equal(vmnet_request_encode(&req, buf, n), n);
        }
}

/* What the encoder accepts, the decoder must accept: an empty user would
 * be sent and then refused by vmnetd as a malformed request. */
static void test_request_encode_empty_user(void **state) {
        (void)state;
        uint8_t buf[64];
        struct vmnet_request open = { .type = VMNET_MSG_OPEN };
        assert_int_equal(vmnet_request_encode(&open, buf, sizeof buf), -EINVAL);
        struct vmnet_request close_ = { .type = VMNET_MSG_CLOSE };
        assert_int_equal(vmnet_request_encode(&close_, buf, sizeof buf), -EINVAL);
}

/* ---- replies ---- */

static void test_reply_round_trip_every_type(void **state) {
        (void)state;
        static const uint16_t statuses[] = {
                VMNET_OK, VMNET_ERR_REFUSED, VMNET_ERR_QUOTA, VMNET_ERR_BAD_REQUEST,
                VMNET_ERR_VERSION, VMNET_ERR_INTERNAL, VMNET_ERR_NO_USER,
                VMNET_ERR_NOT_ALLOWED, VMNET_ERR_BUSY, 0xffff,
        };
        for (size_t t = 0; t < N_TYPES; t++)
                for (size_t s = 0; s < sizeof statuses / sizeof statuses[0]; s++) {
                        static struct vmnet_reply rep, out;
                        uint8_t buf[VMNET_MSG_MAX];
                        rep = full_reply(all_types[t], 3);
                        rep.status = statuses[s];
                        int n = vmnet_reply_encode(&rep, buf, sizeof buf);
                        assert_true(n >= 4);
                        assert_int_equal(buf[1], all_types[t] | VMNET_REPLY);
                        assert_int_equal(vmnet_reply_decode(buf, n, &out), 0);
                        if (statuses[s] == VMNET_OK) {
                                assert_reply_eq(&rep, &out);
                        } else {
                                /* an error carries nothing but the status */
                                assert_int_equal(n, 4);
                                assert_int_equal(out.type, all_types[t]);
                                assert_int_equal(out.status, statuses[s]);
                                assert_string_equal(out.tap, "");
                                assert_int_equal(out.n_taps, 0);
                        }
                }
}

static void test_reply_status_tap_counts(void **state) {
        (void)state;
        const uint16_t counts[] = { 0, 1, 2, VMNET_TAPS_MAX - 1, VMNET_TAPS_MAX };
        for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
                static struct vmnet_reply rep, out;
                uint8_t buf[VMNET_MSG_MAX];
                rep = full_reply(VMNET_MSG_STATUS, counts[i]);
                int n = vmnet_reply_encode(&rep, buf, sizeof buf);
                assert_true(n > 0 && n <= VMNET_MSG_MAX);
                assert_int_equal(vmnet_reply_decode(buf, n, &out), 0);
                assert_reply_eq(&rep, &out);
        }
}

static void test_lab_view_wire_bytes(void **state) {
        (void)state;
        uint8_t buf[64];
        struct vmnet_request req = { .type = VMNET_MSG_LAB_VIEW, .scope = VMNET_SCOPE_ALL,
                                     .generation = 0x0102030405060708, .offset = 0x0a0b0c0d };
        const uint8_t want_req[] = { 1, VMNET_MSG_LAB_VIEW, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 0x0a, 0x0b, 0x0c, 0x0d };
        assert_int_equal(vmnet_request_encode(&req, buf, sizeof buf), sizeof want_req);
        assert_memory_equal(buf, want_req, sizeof want_req);

        static struct vmnet_reply rep, out;
        rep = (struct vmnet_reply){ .type = VMNET_MSG_LAB_VIEW, .generation = 9, .total = 3, .chunk_len = 3,
                                    .chunk = { 'a', 'b', 'c' } };
        const uint8_t want_rep[] = { 1, VMNET_MSG_LAB_VIEW | VMNET_REPLY, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 3, 0, 3, 'a', 'b', 'c' };
        assert_int_equal(vmnet_reply_encode(&rep, buf, sizeof buf), sizeof want_rep);
        assert_memory_equal(buf, want_rep, sizeof want_rep);

        /* a chunk longer than VMNET_CHUNK_MAX: never sent, never taken */
        static uint8_t big[VMNET_MSG_MAX + 8];
        rep.chunk_len = VMNET_CHUNK_MAX + 1;
        assert_int_equal(vmnet_reply_encode(&rep, big, sizeof big), -EINVAL);
        memcpy(big, want_rep, 16);
        big[16] = (VMNET_CHUNK_MAX + 1) >> 8;
        big[17] = (VMNET_CHUNK_MAX + 1) & 0xff;
        assert_reply_refused(big, 18 + VMNET_CHUNK_MAX + 1, -EBADMSG);
        /* a chunk that says more than follows */
        assert_reply_refused(want_rep, sizeof want_rep - 1, -EBADMSG);
        assert_int_equal(vmnet_reply_decode(want_rep, sizeof want_rep, &out), 0);
        assert_memory_equal(out.chunk, "abc", 3);

        /* CAPTURE: a target is required */
        struct vmnet_request cap = { .type = VMNET_MSG_CAPTURE };
        assert_int_equal(vmnet_request_encode(&cap, buf, sizeof buf), -EINVAL);
        const uint8_t empty_target[] = { 1, VMNET_MSG_CAPTURE, 0, 0, 0 };
        assert_request_refused(empty_target, sizeof empty_target, -EBADMSG);
}

static void test_reply_wire_bytes(void **state) {
        (void)state;
        uint8_t buf[64];
        struct vmnet_reply rep = { .type = VMNET_MSG_OPEN, .status = VMNET_OK };
        strcpy(rep.tap, "tap-bob");
        const uint8_t open[] = { 1, 0x81, 0, 0, 7, 't', 'a', 'p', '-', 'b', 'o', 'b' };
        assert_int_equal(vmnet_reply_encode(&rep, buf, sizeof buf), sizeof open);
        assert_memory_equal(buf, open, sizeof open);

        struct vmnet_reply err = { .type = VMNET_MSG_CLOSE, .status = 0x0107 };
        const uint8_t close_[] = { 1, 0x82, 1, 7 };
        assert_int_equal(vmnet_reply_encode(&err, buf, sizeof buf), sizeof close_);
        assert_memory_equal(buf, close_, sizeof close_);

        struct vmnet_reply owner = { .type = VMNET_MSG_OWNER, .status = VMNET_OK, .owner_uid = 61001 };
        strcpy(owner.user, "stu1");
        const uint8_t owner_bytes[] = { 1, 0x90, 0, 0, 0, 0, 0xee, 0x49, 4, 's', 't', 'u', '1' };
        assert_int_equal(vmnet_reply_encode(&owner, buf, sizeof buf), sizeof owner_bytes);
        assert_memory_equal(buf, owner_bytes, sizeof owner_bytes);
}

/* LAB_HEALTH's answer on the wire, and a last error too long for it refused. */
static void test_reply_lab_health(void **state) {
        (void)state;
        static struct vmnet_reply rep, out;
        uint8_t buf[VMNET_MSG_MAX];

        rep = (struct vmnet_reply) { .type = VMNET_MSG_LAB_HEALTH, .status = VMNET_OK,
                                     .health = { VMNET_DNSMASQ_DOWN, 3, 8, 0, "down" } };
        int n = vmnet_reply_encode(&rep, buf, sizeof buf);
        static const uint8_t want[] = { 1, VMNET_MSG_LAB_HEALTH | VMNET_REPLY, 0, 0, 2, 0, 3, 0, 8, 0,
                                        4, 'd', 'o', 'w', 'n' };
        assert_int_equal(n, sizeof want);
        assert_memory_equal(buf, want, sizeof want);
        assert_int_equal(vmnet_reply_decode(buf, (size_t)n, &out), 0);
        assert_reply_eq(&rep, &out);

        uint8_t longer[sizeof want + VMNET_PROBLEM_MAX + 1];
        memcpy(longer, want, 10);
        longer[10] = VMNET_PROBLEM_MAX + 1;
        memset(longer + 11, 'e', VMNET_PROBLEM_MAX + 1);
        assert_reply_refused(longer, 11 + VMNET_PROBLEM_MAX + 1, -EBADMSG);
}

static void test_reply_short_header_and_version(void **state) {
        (void)state;
        const uint8_t hdr[] = { 1, 0x82, 0, 0 };
        for (size_t len = 0; len < 4; len++)
                assert_reply_refused(hdr, len, -EBADMSG);
        const uint8_t v2[] = { 2, 0x82, 0, 0 };
        assert_reply_refused(v2, sizeof v2, -EPROTO);
        const uint8_t v0[] = { 0, 0x82, 0, 4 };
        assert_reply_refused(v0, sizeof v0, -EPROTO);
}

static void test_reply_unknown_type(void **state) {
        (void)state;
        /* without the reply bit, or not a known type with it */
        const uint8_t types[] = { VMNET_MSG_CLOSE, VMNET_MSG_STATUS, 0, 0x80, 0x87, 0xff };
        for (size_t i = 0; i < sizeof types; i++) {
                uint8_t m[] = { 1, types[i], 0, 0 };
                assert_reply_refused(m, sizeof m, -EBADMSG);
        }
}

static void test_reply_bad_strings(void **state) {
        (void)state;
        struct vmnet_reply out;
        /* OPEN reply: tap of IFNAMSIZ bytes, embedded NUL, empty */
        uint8_t m[32] = { 1, 0x81, 0, 0, IFNAMSIZ };
        memset(m + 5, 't', IFNAMSIZ);
        assert_reply_refused(m, 5 + IFNAMSIZ, -EBADMSG);
        m[4] = IFNAMSIZ - 1;
        assert_int_equal(vmnet_reply_decode(m, 5 + IFNAMSIZ - 1, &out), 0);
        assert_int_equal(strlen(out.tap), IFNAMSIZ - 1);
        m[7] = 0;
        assert_reply_refused(m, 5 + IFNAMSIZ - 1, -EBADMSG);
        m[4] = 0;
        assert_reply_refused(m, 5, -EBADMSG);

        /* STATUS reply: each string field one byte too long */
        static struct vmnet_reply rep;
        rep = full_reply(VMNET_MSG_STATUS, 1);
        uint8_t buf[VMNET_MSG_MAX], bad[VMNET_MSG_MAX];
        int n = vmnet_reply_encode(&rep, buf, sizeof buf);
        assert_true(n > 0);
        size_t pos = 4;
        for (int field = 0; field < 4; field++) {
                size_t flen = buf[pos];
                /* insert one more byte of the same letter into this field */
                memcpy(bad, buf, pos);
                bad[pos] = (uint8_t)(flen + 1);
                memcpy(bad + pos + 1, buf + pos + 1, flen);
                bad[pos + 1 + flen] = buf[pos + 1];
                memcpy(bad + pos + 2 + flen, buf + pos + 1 + flen, n - (pos + 1 + flen));
                assert_reply_refused(bad, n + 1, -EBADMSG);
                /* and a NUL in it */
                memcpy(bad, buf, n);
                bad[pos + 1] = 0;
                assert_reply_refused(bad, n, -EBADMSG);
                pos += 1 + flen;
        }
}

static void test_reply_too_many_taps(void **state) {
        (void)state;
        static struct vmnet_reply rep;
        uint8_t buf[VMNET_MSG_MAX];
        rep = full_reply(VMNET_MSG_STATUS, VMNET_TAPS_MAX);
        int n = vmnet_reply_encode(&rep, buf, sizeof buf);
        assert_true(n > 0);
        /* n_taps sits before the tap list, the guard's byte and drops after it:
         * find it from the end */
        size_t tail = 1 + 2 + (size_t)rep.n_drops * 11, list = (size_t)n - tail;
        for (unsigned i = 0; i < VMNET_TAPS_MAX; i++)
                list -= 1 + strlen(rep.taps[i].name) + 2;
        assert_int_equal(buf[list - 2] << 8 | buf[list - 1], VMNET_TAPS_MAX);
        /* one more tap, complete on the wire, is still refused */
        buf[list - 1] = VMNET_TAPS_MAX + 1;
        const uint8_t more[] = { 3, 'x', 'y', 'z', 1, 0 };
        memmove(buf + n - tail + sizeof more, buf + n - tail, tail);
        memcpy(buf + n - tail, more, sizeof more);
        assert_reply_refused(buf, n + sizeof more, -EBADMSG);
        buf[list - 2] = 0xff;
        buf[list - 1] = 0xff;
        assert_reply_refused(buf, n, -EBADMSG);
}

static void test_reply_drop_counts(void **state) {
        (void)state;
        static struct vmnet_reply rep, out;
        uint8_t buf[VMNET_MSG_MAX];
        rep = full_reply(VMNET_MSG_STATUS, 0);
        rep.n_drops = 0;
        int n = vmnet_reply_encode(&rep, buf, sizeof buf);
        assert_true(n > 3);
        assert_int_equal(vmnet_reply_decode(buf, n, &out), 0);
        assert_reply_eq(&rep, &out);
        /* guard byte, then n_drops 0 last */
        assert_int_equal(buf[n - 3], VMNET_GUARD_ON | VMNET_GUARD_EXAM);
        assert_int_equal(buf[n - 1], 0);
        /* a count above VMNET_DROPS_MAX, even with its counters there, is refused */
        buf[n - 2] = 0;
        buf[n - 1] = VMNET_DROPS_MAX + 1;
        uint8_t more[(VMNET_DROPS_MAX + 1) * 11] = {};
        memcpy(buf + n, more, sizeof more);
        assert_reply_refused(buf, n + sizeof more, -EBADMSG);
        rep.n_drops = VMNET_DROPS_MAX + 1;
        assert_int_equal(vmnet_reply_encode(&rep, buf, sizeof buf), -EINVAL);
}

/* SEGMENT_LIST: pinned bytes; a port naming no segment, or more segments
 * or ports than a reply holds, is refused both ways. */
static void test_reply_segments(void **state) {
        (void)state;
        static struct vmnet_reply rep, out;
        uint8_t buf[VMNET_MSG_MAX];

        rep = (struct vmnet_reply) { .type = VMNET_MSG_SEGMENT_LIST, .max_segments = 2, .n_segments = 1,
                                     .n_segment_ports = 1 };
        strcpy(rep.segments[0].name, "lan2");
        strcpy(rep.segments[0].bridge, "b~x");
        strcpy(rep.segments[0].link, "a=lan2");
        rep.segments[0].flags = VMNET_SEGMENT_KEEP;
        strcpy(rep.segment_ports[0].name, "vmns3");
        rep.segment_ports[0].kind = VMNET_TAP_VM;
        rep.segment_ports[0].flags = VMNET_TAP_FLAG_UP;
        const uint8_t bytes[] = { 1, 0x8f, 0, 0, 2, 1, 4, 'l', 'a', 'n', '2', 3, 'b', '~', 'x',
                                  6, 'a', '=', 'l', 'a', 'n', '2', 1, 0, 1, 5, 'v', 'm', 'n', 's', '3', 0,
                                  VMNET_TAP_VM, VMNET_TAP_FLAG_UP };
        assert_int_equal(vmnet_reply_encode(&rep, buf, sizeof buf), sizeof bytes);
        assert_memory_equal(buf, bytes, sizeof bytes);
        assert_int_equal(vmnet_reply_decode(bytes, sizeof bytes, &out), 0);
        assert_reply_eq(&rep, &out);

        uint8_t bad[sizeof bytes];
        memcpy(bad, bytes, sizeof bytes);
        bad[31] = 1; /* the port on segment 1 of 1 */
        assert_reply_refused(bad, sizeof bad, -EBADMSG);
        rep.segment_ports[0].segment = 1;
        assert_int_equal(vmnet_reply_encode(&rep, buf, sizeof buf), -EINVAL);
        rep.segment_ports[0].segment = 0;
        rep.n_segments = VMNET_SEGMENTS_MAX + 1;
        assert_int_equal(vmnet_reply_encode(&rep, buf, sizeof buf), -EINVAL);
        rep.n_segments = 1;
        rep.n_segment_ports = VMNET_TAPS_MAX + 1;
        assert_int_equal(vmnet_reply_encode(&rep, buf, sizeof buf), -EINVAL);
        memcpy(bad, bytes, sizeof bytes);
        bad[5] = VMNET_SEGMENTS_MAX + 1;
        assert_reply_refused(bad, sizeof bad, -EBADMSG);
        memcpy(bad, bytes, sizeof bytes);
        bad[23] = 0;
        bad[24] = VMNET_TAPS_MAX + 1;
        assert_reply_refused(bad, sizeof bad, -EBADMSG);

        /* the longest reply fits in one datagram */
        rep = (struct vmnet_reply) { .type = VMNET_MSG_SEGMENT_LIST };
        fill_segments(&rep, VMNET_TAPS_MAX);
        int n = vmnet_reply_encode(&rep, buf, sizeof buf);
        assert_true(n > 0 && n <= VMNET_MSG_MAX);
        assert_int_equal(vmnet_reply_decode(buf, (size_t)n, &out), 0);
        assert_reply_eq(&rep, &out);
}

static void test_reply_trailing_bytes(void **state) {
        (void)state;
        for (size_t t = 0; t < N_TYPES; t++) {
                static struct vmnet_reply rep;
                uint8_t buf[VMNET_MSG_MAX];
                rep = full_reply(all_types[t], 2);
                int n = vmnet_reply_encode(&rep, buf, sizeof buf);
                assert_true(n > 0);
                buf[n] = 0;
                assert_reply_refused(buf, n + 1, -EBADMSG);
                /* an error reply carries no body */
                rep.status = VMNET_ERR_INTERNAL;
                n = vmnet_reply_encode(&rep, buf, sizeof buf);
                assert_int_equal(n, 4);
                buf[4] = 5;
                assert_reply_refused(buf, 5, -EBADMSG);
        }
}

static void test_reply_truncated_everywhere(void **state) {
        (void)state;
        for (size_t t = 0; t < N_TYPES; t++) {
                static struct vmnet_reply rep;
                uint8_t buf[VMNET_MSG_MAX];
                rep = full_reply(all_types[t], VMNET_TAPS_MAX);
                int n = vmnet_reply_encode(&rep, buf, sizeof buf);
                assert_true(n > 0);
                for (int len = 0; len < n; len++)
                        assert_reply_refused(buf, len, -EBADMSG);
        }
}

static void test_reply_encode_errors(void **state) {
        (void)state;
        static struct vmnet_reply rep;
        uint8_t buf[VMNET_MSG_MAX];

        rep = full_reply(VMNET_MSG_STATUS, 0);
        rep.n_taps = VMNET_TAPS_MAX + 1;
        assert_int_equal(vmnet_reply_encode(&rep, buf, sizeof buf), -EINVAL);

        const uint8_t bad_types[] = { 0, FIRST_UNKNOWN_TYPE, VMNET_MSG_OPEN | VMNET_REPLY, 0xff };
        for (size_t i = 0; i < sizeof bad_types; i++) {
                rep = full_reply(VMNET_MSG_CLOSE, 0);
                rep.type = bad_types[i];
                assert_int_equal(vmnet_reply_encode(&rep, buf, sizeof buf), -EINVAL);
        }

        /* each string field of a STATUS reply without room for its NUL */
        size_t offsets[] = {
                offsetof(struct vmnet_reply, user), offsetof(struct vmnet_reply, bridge),
                offsetof(struct vmnet_reply, address), offsetof(struct vmnet_reply, domain),
        };
        size_t sizes[] = {
                sizeof rep.user, sizeof rep.bridge, sizeof rep.address, sizeof rep.domain,
        };
        for (size_t i = 0; i < 4; i++) {
                rep = full_reply(VMNET_MSG_STATUS, 1);
                memset((char *)&rep + offsets[i], 'x', sizes[i]);
                assert_int_equal(vmnet_reply_encode(&rep, buf, sizeof buf), -EINVAL);
        }
        rep = full_reply(VMNET_MSG_STATUS, 2);
        memset(rep.taps[1].name, 'n', sizeof rep.taps[1].name);
        assert_int_equal(vmnet_reply_encode(&rep, buf, sizeof buf), -EINVAL);
        rep = full_reply(VMNET_MSG_VM_TAP, 0);
        memset(rep.tap, 'n', sizeof rep.tap);
        assert_int_equal(vmnet_reply_encode(&rep, buf, sizeof buf), -EINVAL);

        /* every buffer too small */
        for (size_t t = 0; t < N_TYPES; t++) {
                rep = full_reply(all_types[t], VMNET_TAPS_MAX);
                int n = vmnet_reply_encode(&rep, buf, sizeof buf);
                assert_true(n > 0);
                for (int size = 0; size < n; size++)
                        assert_int_equal(vmnet_reply_encode(&rep, buf, size), -EMSGSIZE);
        }
}

/* A successful reply that carries a tap must name one: the decoder refuses
 * an empty name, so the encoder must not produce it. */
static void test_reply_encode_empty_tap(void **state) {
        (void)state;
        uint8_t buf[64];
        const uint8_t types[] = { VMNET_MSG_OPEN, VMNET_MSG_TAP_ADD, VMNET_MSG_VM_TAP, VMNET_MSG_NETNS_ATTACH };
        for (size_t i = 0; i < sizeof types; i++) {
                struct vmnet_reply rep = { .type = types[i], .status = VMNET_OK };
                assert_int_equal(vmnet_reply_encode(&rep, buf, sizeof buf), -EINVAL);
                rep.status = VMNET_ERR_REFUSED;
                assert_int_equal(vmnet_reply_encode(&rep, buf, sizeof buf), 4);
        }
}

static void test_strings(void **state) {
        (void)state;
        for (uint16_t s = VMNET_OK; s <= VMNET_ERR_LIMIT; s++)
                assert_string_not_equal(vmnet_status_string(s), "unknown status");
        assert_string_equal(vmnet_status_string(VMNET_ERR_LIMIT + 1), "unknown status");
        for (uint16_t s = VMNET_ERR_SEGMENT_QUOTA; s <= VMNET_ERR_SEGMENT_IN_USE; s++)
                assert_string_not_equal(vmnet_status_string(s), "unknown status");
        assert_string_equal(vmnet_status_string(VMNET_ERR_SEGMENT_IN_USE + 1), "unknown status");
        assert_string_equal(vmnet_status_string(0xffff), "unknown status");
        assert_string_equal(vmnet_uplink_string(VMNET_UPLINK_NAT), "nat");
        assert_string_equal(vmnet_uplink_string(VMNET_UPLINK_ISOLATED), "isolated");
        assert_string_equal(vmnet_uplink_string(VMNET_UPLINK_EXTERNAL + 1), "unknown");
        assert_string_equal(vmnet_tap_kind_string(VMNET_TAP_VM), "vm");
        assert_string_equal(vmnet_tap_kind_string(VMNET_TAP_NETNS), "netns");
        assert_string_equal(vmnet_tap_kind_string(0), "unknown");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_request_round_trip_every_type),
                cmocka_unit_test(test_request_fd),
                cmocka_unit_test(test_request_wire_bytes),
                cmocka_unit_test(test_request_short_header),
                cmocka_unit_test(test_request_wrong_version),
                cmocka_unit_test(test_every_known_type_is_tested),
                cmocka_unit_test(test_request_unknown_type),
                cmocka_unit_test(test_request_with_status),
                cmocka_unit_test(test_request_string_too_long),
                cmocka_unit_test(test_request_embedded_nul),
                cmocka_unit_test(test_request_empty_user),
                cmocka_unit_test(test_request_trailing_bytes),
                cmocka_unit_test(test_request_truncated_everywhere),
                cmocka_unit_test(test_request_encode_errors),
                cmocka_unit_test(test_request_tap_wishes),
                cmocka_unit_test(test_request_encode_empty_user),
                cmocka_unit_test(test_request_segments),
                cmocka_unit_test(test_reply_round_trip_every_type),
                cmocka_unit_test(test_reply_status_tap_counts),
                cmocka_unit_test(test_reply_wire_bytes),
                cmocka_unit_test(test_reply_lab_health),
                cmocka_unit_test(test_lab_view_wire_bytes),
                cmocka_unit_test(test_reply_short_header_and_version),
                cmocka_unit_test(test_reply_unknown_type),
                cmocka_unit_test(test_reply_bad_strings),
                cmocka_unit_test(test_reply_too_many_taps),
                cmocka_unit_test(test_reply_drop_counts),
                cmocka_unit_test(test_reply_segments),
                cmocka_unit_test(test_reply_trailing_bytes),
                cmocka_unit_test(test_reply_truncated_everywhere),
                cmocka_unit_test(test_reply_encode_errors),
                cmocka_unit_test(test_reply_encode_empty_tap),
                cmocka_unit_test(test_strings),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
