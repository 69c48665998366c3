// fuzz-sources:
/* libFuzzer target for the wire codec: any bytes given to either decoder
 * either fail without touching the output, or decode to a message whose
 * strings are terminated and in range and that encodes back to exactly the
 * same bytes (the format has one spelling per message). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

static void check_string(const char *s, size_t size) {
        if (!memchr(s, 0, size))
                abort();
}

static void check_request(const uint8_t *data, size_t size) {
        struct vmnet_request req, before;
        uint8_t buf[VMNET_MSG_MAX];

        memset(&req, 0x5a, sizeof req);
        before = req;
        if (vmnet_request_decode(data, size, &req) < 0) {
                if (memcmp(&req, &before, sizeof req) != 0)
                        abort();
                return;
        }
        check_string(req.user, sizeof req.user);
        check_string(req.tap, sizeof req.tap);
        check_string(req.bridge, sizeof req.bridge);
        check_string(req.ifname, sizeof req.ifname);
        check_string(req.segment, sizeof req.segment);
        /* an fd comes beside the bytes, never out of them */
        if (req.fd != -1)
                abort();
        check_string(req.target, sizeof req.target);
        int n = vmnet_request_encode(&req, buf, sizeof buf);
        if (n < 0 || (size_t)n != size || memcmp(buf, data, size) != 0)
                abort();
}

static void check_reply(const uint8_t *data, size_t size) {
        static struct vmnet_reply rep, before;
        static uint8_t buf[VMNET_MSG_MAX];

        memset(&rep, 0x5a, sizeof rep);
        before = rep;
        if (vmnet_reply_decode(data, size, &rep) < 0) {
                if (memcmp(&rep, &before, sizeof rep) != 0)
                        abort();
                return;
        }
        check_string(rep.tap, sizeof rep.tap);
        check_string(rep.user, sizeof rep.user);
        check_string(rep.bridge, sizeof rep.bridge);
        check_string(rep.address, sizeof rep.address);
        check_string(rep.health.problem, sizeof rep.health.problem);
        check_string(rep.domain, sizeof rep.domain);
        check_string(rep.port, sizeof rep.port);
        check_string(rep.link, sizeof rep.link);
        if (rep.n_taps > VMNET_TAPS_MAX || rep.chunk_len > VMNET_CHUNK_MAX)
                abort();
        for (unsigned i = 0; i < rep.n_taps; i++)
                check_string(rep.taps[i].name, sizeof rep.taps[i].name);
        if (rep.n_segments > VMNET_SEGMENTS_MAX || rep.n_segment_ports > VMNET_TAPS_MAX)
                abort();
        for (unsigned i = 0; i < rep.n_segments; i++) {
                check_string(rep.segments[i].name, sizeof rep.segments[i].name);
                check_string(rep.segments[i].bridge, sizeof rep.segments[i].bridge);
                check_string(rep.segments[i].link, sizeof rep.segments[i].link);
        }
        for (unsigned i = 0; i < rep.n_segment_ports; i++) {
                check_string(rep.segment_ports[i].name, sizeof rep.segment_ports[i].name);
                if (rep.segment_ports[i].segment >= rep.n_segments)
                        abort();
        }
        /* the status strings must cope with whatever arrived */
        if (!vmnet_status_string(rep.status) || !vmnet_uplink_string(rep.uplink))
                abort();
        int n = vmnet_reply_encode(&rep, buf, sizeof buf);
        if (n < 0 || (size_t)n != size || memcmp(buf, data, size) != 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* a seqpacket datagram longer than this is cut by the receiver */
        if (size > VMNET_MSG_MAX)
                return 0;
        check_request(data, size);
        check_reply(data, size);
        return 0;
}
