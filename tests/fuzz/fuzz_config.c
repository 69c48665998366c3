// fuzz-sources:
/* libFuzzer target for the vmnet.conf parser.  The input is up to four
 * files (vmnet.conf and drop-ins), split at form feeds.  Any bytes either
 * fail with problems that each name a file and a line that exist, leaving
 * the output untouched, or give a configuration that keeps every promise of
 * config.h (terminated strings, valid names, ranges, a DHCP range inside
 * the subnet that leaves the bridge out), which --print-config's text
 * gives again. */
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
        check_string(c->domain, sizeof c->domain);
        check_string(c->resolv_file, sizeof c->resolv_file);
        check_string(c->dnsmasq, sizeof c->dnsmasq);
        CHECK(c->dnsmasq[0] == '/');
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

/* Lines in len bytes of text (a last line without newline counts). */
static unsigned count_lines(const char *text, size_t len) {
        unsigned n = 0;
        for (size_t i = 0; i < len; i++)
                n += text[i] == '\n' || i + 1 == len;
        return n;
}

/* format(c) parses again to a configuration that formats the same. */
static void check_round_trip(const struct vmnet_config *c) {
        struct strbuf one = {}, two = {};
        struct vmnet_config again;
        char err[64];

        config_format(c, &one);
        CHECK(one.error == 0);
        CHECK(config_parse(strbuf_str(&one), one.len, "printed", &again, err, sizeof err) == 0);
        config_format(&again, &two);
        CHECK(strcmp(strbuf_str(&one), strbuf_str(&two)) == 0);
        strbuf_free(&one);
        strbuf_free(&two);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const names[] = { "vmnet.conf", "a.conf", "b.conf", "c.conf" };
        struct config_text texts[4];
        struct config_report report = {};
        struct vmnet_config c, before;
        size_t n = 0;

        for (const char *p = (const char *)data, *end = p + size; n < 4;) {
                const char *ff = n < 3 ? memchr(p, '\f', (size_t)(end - p)) : NULL;
                texts[n] = (struct config_text) { names[n], p, (size_t)((ff ? ff : end) - p) };
                n++;
                if (!ff)
                        break;
                p = ff + 1;
        }
        memset(&c, 0x5a, sizeof c);
        before = c;
        int r = config_parse_texts(texts, n, &c, &report);
        CHECK(report.n_files == n);
        CHECK(report.n_problems == report.n_errors + report.n_warnings);
        for (size_t i = 0; i < report.n_problems; i++) {
                const struct config_problem *p = &report.problems[i];
                CHECK(p->file < n && p->line <= count_lines(texts[p->file].text, texts[p->file].len));
                CHECK(p->message && p->message[0]);
                CHECK(i == 0 || p->file > p[-1].file || (p->file == p[-1].file && p->line >= p[-1].line));
        }
        if (r == 0) {
                CHECK(report.n_errors == 0);
                check_config(&c);
                check_round_trip(&c);
        } else {
                CHECK(r == -EINVAL && report.n_errors > 0);
                CHECK(memcmp(&c, &before, sizeof c) == 0);
        }
        config_report_free(&report);

        /* the one-text form: a short error buffer is cut but stays terminated */
        char small[8];
        memset(small, 'x', sizeof small);
        size_t small_size = size % sizeof small;
        r = config_parse(texts[0].text, texts[0].len, "fuzz.conf", &before, small, small_size);
        CHECK(r == 0 || r == -EINVAL);
        if (small_size > 0)
                check_string(small, small_size);
        if (small_size < sizeof small)
                CHECK(small[small_size] == 'x');
        return 0;
}
