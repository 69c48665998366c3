// fuzz-sources:
/* libFuzzer target for the vmnet.conf parser: any bytes either fail with a
 * terminated "fuzz.conf:LINE: ..." message for a line that exists, leaving
 * the output untouched, or give a configuration that keeps every promise of
 * config.h (terminated strings, valid names, ranges, a DHCP range inside
 * the subnet that leaves the bridge out). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ifname.h"
#include "tap_name.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static void check_string(const char *s, size_t size) {
        CHECK(memchr(s, '\0', size));
}

static void check_config(const struct vmnet_config *c) {
        check_string(c->socket_path, sizeof c->socket_path);
        check_string(c->run_dir, sizeof c->run_dir);
        check_string(c->domain, sizeof c->domain);
        check_string(c->resolv_file, sizeof c->resolv_file);
        check_string(c->dnsmasq, sizeof c->dnsmasq);
        CHECK(c->socket_path[0] == '/' && c->run_dir[0] == '/' && c->dnsmasq[0] == '/');
        CHECK(c->resolv_file[0] == '/' || strcmp(c->resolv_file, "none") == 0);
        CHECK(c->domain[0] != '\0');
        CHECK(ifname_is_valid(c->bridge));
        CHECK(c->uplink_interface[0] == '\0' || ifname_is_valid(c->uplink_interface));
        CHECK(strcmp(c->uplink_interface, c->bridge) != 0);
        CHECK(tap_name_pattern_is_valid(c->tap_name));
        CHECK(c->uplink <= VMNET_UPLINK_EXTERNAL);
        CHECK(c->lease_seconds >= 120 && c->lease_seconds <= 604800);
        CHECK(c->max_taps >= 1 && c->max_taps <= TAP_INDEX_MAX + 1);
        CHECK(c->n_allow_groups <= CONFIG_GROUPS_MAX);
        for (unsigned i = 0; i < c->n_allow_groups; i++) {
                check_string(c->allow_groups[i], sizeof c->allow_groups[i]);
                CHECK(c->allow_groups[i][0] != '\0');
        }

        CHECK(c->prefix_len >= 1 && c->prefix_len <= 30);
        uint32_t mask = UINT32_MAX << (32 - c->prefix_len), a = ntohl(c->address.s_addr),
                 s = ntohl(c->dhcp_start.s_addr), e = ntohl(c->dhcp_end.s_addr);
        CHECK((a & ~mask) != 0 && (a & ~mask) != ~mask);
        CHECK((s & mask) == (a & mask) && (e & mask) == (a & mask));
        CHECK((s & ~mask) != 0 && (e & ~mask) != ~mask);
        CHECK(s <= e && (a < s || a > e));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct vmnet_config c, before;
        char err[256];
        unsigned lines = 1;

        for (size_t i = 0; i + 1 < size; i++)
                lines += data[i] == '\n';

        memset(&c, 0x5a, sizeof c);
        before = c;
        memset(err, 'x', sizeof err);
        int r = config_parse((const char *)data, size, "fuzz.conf", &c, err, sizeof err);
        if (r == 0) {
                CHECK(err[0] == '\0');
                check_config(&c);
        } else {
                CHECK(r == -EINVAL);
                CHECK(memcmp(&c, &before, sizeof c) == 0);
                check_string(err, sizeof err);
                CHECK(strncmp(err, "fuzz.conf:", 10) == 0);
                char *end;
                unsigned long line = strtoul(err + 10, &end, 10);
                CHECK(line >= 1 && line <= lines && strncmp(end, ": ", 2) == 0 && end[2] != '\0');
        }

        /* a short error buffer is cut but stays terminated; the verdict holds */
        char small[8];
        memset(small, 'x', sizeof small);
        size_t small_size = size % sizeof small;
        CHECK(config_parse((const char *)data, size, "fuzz.conf", &before, small, small_size) == r);
        if (small_size > 0)
                check_string(small, small_size);
        if (small_size < sizeof small)
                CHECK(small[small_size] == 'x');
        return 0;
}
