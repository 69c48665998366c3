/* vmnet.conf: its keys (parsed and printed), a file read line by line into
 * a configuration, and the checks that need more than one key (see
 * config.h; the values are config_values.c's, the files config_files.c's). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "client.h"
#include "config.h"
#include "config_parse.h"
#include "tap_name.h"

/* room for "key = " and a path of PATH_MAX-1 bytes, so a too long path is
 * reported as such rather than as a too long line */
#define CONFIG_LINE_MAX 8192

static const char *const key_names[_KEY_COUNT] = {
        [KEY_SOCKET]           = "socket",
        [KEY_RUN_DIR]          = "run_dir",
        [KEY_BRIDGE]           = "bridge",
        [KEY_ADDRESS]          = "address",
        [KEY_DHCP_RANGE]       = "dhcp_range",
        [KEY_LEASE_TIME]       = "lease_time",
        [KEY_DOMAIN]           = "domain",
        [KEY_UPLINK]           = "uplink",
        [KEY_UPLINK_INTERFACE] = "uplink_interface",
        [KEY_TAP_NAME]         = "tap_name",
        [KEY_MAX_TAPS]         = "max_taps",
        [KEY_ALLOW_GROUPS]     = "allow_groups",
        [KEY_TEACHER_GROUPS]   = "teacher_groups",
        [KEY_RESOLV_FILE]      = "resolv_file",
        [KEY_DNSMASQ]          = "dnsmasq",
        [KEY_GUARD]            = "guard",
        [KEY_MAX_MACS]         = "max_macs",
        [KEY_LOGIN_POOL]       = "login_pool",
        [KEY_ISOLATION]        = "isolation",
        [KEY_MAX_SEGMENTS]     = "max_segments",
};

/* socket and run_dir move vmnetd's files for tests; the clients keep the
 * fixed paths (the NSS module runs in set-user-ID programs and reads no
 * configuration), so an admin who moves them is warned. */
static const char *const test_key_clients[] = {
        [KEY_SOCKET] = "pam_vmnet, vmnet and the bridge helper keep using " VMNET_DEFAULT_SOCKET
                       " (under systemd, vmnetd.socket decides)",
        [KEY_RUN_DIR] = "the NSS module and vmnet keep reading " VMNET_RUN_DIR "/hosts",
};

static const char *const uplink_words[] = {
        [VMNET_UPLINK_NAT] = "nat", [VMNET_UPLINK_ROUTED] = "routed",
        [VMNET_UPLINK_ISOLATED] = "isolated", [VMNET_UPLINK_EXTERNAL] = "external",
};
static const char *const off_on[] = { "off", "on" };
static const char *const isolation_words[] = {
        [VMNET_ISOLATION_NONE] = "none",
        [VMNET_ISOLATION_STUDENTS] = "students",
};

/* A key whose value is one of words, as an enum or bool field. */
#define PARSE_WORD(key, words, field)                                                           \
        ({                                                                                      \
                unsigned i_;                                                                    \
                int r_ = parse_word(p, line, key, value, words, ELEMENTSOF(words), &i_);        \
                if (r_ >= 0)                                                                    \
                        field = (__typeof__(field))i_;                                          \
                r_;                                                                             \
        })

/* A path only tests should move: taken, with a warning when it moves. */
static int parse_test_path(struct parser *p, unsigned line, enum key key, const char *value, char *field,
                           size_t size, const char *default_value) {
        int r = parse_path(p, line, key_names[key], value, field, size);
        if (r >= 0 && strcmp(field, default_value) != 0)
                config_report_add(p->report, CONFIG_WARNING, p->file, line,
                                  "%s: a key for tests only (see HACKING.md): vmnetd uses %s, but %s", key_names[key],
                                  SHOW(field), test_key_clients[key]);
        return r;
}

static int parse_value(struct parser *p, unsigned line, enum key key, char *value, struct vmnet_config *c) {
        switch (key) {
        case KEY_SOCKET:
                return parse_test_path(p, line, key, value, c->socket_path, sizeof c->socket_path, VMNET_DEFAULT_SOCKET);
        case KEY_RUN_DIR:
                return parse_test_path(p, line, key, value, c->run_dir, sizeof c->run_dir, VMNET_RUN_DIR);
        case KEY_BRIDGE:
                return parse_ifname(p, line, "bridge", value, c->bridge);
        case KEY_ADDRESS:
                return parse_address(p, line, value, &c->address, &c->prefix_len);
        case KEY_DHCP_RANGE:
                return parse_dhcp_range(p, line, value, &c->dhcp_start, &c->dhcp_end);
        case KEY_LEASE_TIME:
                return parse_unsigned(p, line, "lease_time", value, 120, 604800, &c->lease_seconds);
        case KEY_DOMAIN:
                return parse_domain(p, line, value, c->domain, sizeof c->domain);
        case KEY_UPLINK:
                return PARSE_WORD("uplink", uplink_words, c->uplink);
        case KEY_UPLINK_INTERFACE:
                c->uplink_interface[0] = '\0';
                return value[0] ? parse_ifname(p, line, "uplink_interface", value, c->uplink_interface) : 0;
        case KEY_TAP_NAME:
                return parse_tap_name(p, line, value, c->tap_name);
        case KEY_MAX_TAPS:
                return parse_unsigned(p, line, "max_taps", value, 1, TAP_INDEX_MAX + 1, &c->max_taps);
        case KEY_ALLOW_GROUPS:
                c->n_allow_groups = 0;
                return value[0] ? parse_groups(p, line, "allow_groups", value, "to allow everyone",
                                               c->allow_groups, &c->n_allow_groups) : 0;
        case KEY_TEACHER_GROUPS:
                c->n_teacher_groups = 0;
                return value[0] ? parse_groups(p, line, "teacher_groups", value, "for root alone",
                                               c->teacher_groups, &c->n_teacher_groups) : 0;
        case KEY_RESOLV_FILE:
                if (strcmp(value, "none") == 0) {
                        strcpy(c->resolv_file, "none");
                        return 0;
                }
                return parse_path(p, line, "resolv_file", value, c->resolv_file, sizeof c->resolv_file);
        case KEY_DNSMASQ:
                return parse_path(p, line, "dnsmasq", value, c->dnsmasq, sizeof c->dnsmasq);
        case KEY_GUARD:
                return PARSE_WORD("guard", off_on, c->guard);
        case KEY_MAX_MACS:
                return parse_unsigned(p, line, "max_macs", value, 1, CONFIG_MAX_MACS_MAX, &c->max_macs);
        case KEY_ISOLATION:
                return PARSE_WORD("isolation", isolation_words, c->isolation);
        case KEY_LOGIN_POOL:
                return parse_unsigned(p, line, "login_pool", value, 0, CONFIG_LOGIN_POOL_MAX, &c->login_pool);
        case KEY_MAX_SEGMENTS:
                return parse_unsigned(p, line, "max_segments", value, 0, CONFIG_MAX_SEGMENTS_MAX, &c->max_segments);
        case _KEY_COUNT:
                break;
        }
        return -EINVAL;
}

static const char *word(const char *const *words, size_t n, unsigned i) {
        return i < n ? words[i] : "?";
}

/* The value of key as the file would spell it. */
static void format_value(struct strbuf *b, enum key key, const struct vmnet_config *c) {
        char a[INET_ADDRSTRLEN], e[INET_ADDRSTRLEN];

        switch (key) {
        case KEY_SOCKET:
                strbuf_puts(b, c->socket_path);
                return;
        case KEY_RUN_DIR:
                strbuf_puts(b, c->run_dir);
                return;
        case KEY_BRIDGE:
                strbuf_puts(b, c->bridge);
                return;
        case KEY_ADDRESS:
                strbuf_printf(b, "%s/%u", inet_ntop(AF_INET, &c->address, a, sizeof a), c->prefix_len);
                return;
        case KEY_DHCP_RANGE:
                strbuf_printf(b, "%s,%s", inet_ntop(AF_INET, &c->dhcp_start, a, sizeof a),
                              inet_ntop(AF_INET, &c->dhcp_end, e, sizeof e));
                return;
        case KEY_LEASE_TIME:
                strbuf_printf(b, "%u", c->lease_seconds);
                return;
        case KEY_DOMAIN:
                strbuf_puts(b, c->domain);
                return;
        case KEY_UPLINK:
                strbuf_puts(b, word(uplink_words, ELEMENTSOF(uplink_words), c->uplink));
                return;
        case KEY_UPLINK_INTERFACE:
                strbuf_puts(b, c->uplink_interface);
                return;
        case KEY_TAP_NAME:
                strbuf_puts(b, c->tap_name);
                return;
        case KEY_MAX_TAPS:
                strbuf_printf(b, "%u", c->max_taps);
                return;
        case KEY_ALLOW_GROUPS:
                for (unsigned i = 0; i < c->n_allow_groups; i++)
                        strbuf_printf(b, "%s%s", i ? " " : "", c->allow_groups[i]);
                return;
        case KEY_TEACHER_GROUPS:
                for (unsigned i = 0; i < c->n_teacher_groups; i++)
                        strbuf_printf(b, "%s%s", i ? " " : "", c->teacher_groups[i]);
                return;
        case KEY_RESOLV_FILE:
                strbuf_puts(b, c->resolv_file);
                return;
        case KEY_DNSMASQ:
                strbuf_puts(b, c->dnsmasq);
                return;
        case KEY_GUARD:
                strbuf_puts(b, word(off_on, ELEMENTSOF(off_on), c->guard));
                return;
        case KEY_MAX_MACS:
                strbuf_printf(b, "%u", c->max_macs);
                return;
        case KEY_ISOLATION:
                strbuf_puts(b, word(isolation_words, ELEMENTSOF(isolation_words), c->isolation));
                return;
        case KEY_LOGIN_POOL:
                strbuf_printf(b, "%u", c->login_pool);
                return;
        case KEY_MAX_SEGMENTS:
                strbuf_printf(b, "%u", c->max_segments);
                return;
        case _KEY_COUNT:
                break;
        }
}

static bool key_may_be_empty(enum key key) {
        return key == KEY_UPLINK_INTERFACE || key == KEY_ALLOW_GROUPS || key == KEY_TEACHER_GROUPS;
}

static void parse_line(struct parser *p, struct config_merge *m, unsigned line, char *text) {
        char *s = config_trim(text);

        if (s[0] == '\0' || s[0] == '#')
                return;
        char *eq = strchr(s, '=');
        if (!eq) {
                config_fail(p, line, "missing '=' in '%s' (expected key = value)", SHOW(s));
                return;
        }
        *eq = '\0';
        char *name = config_trim(s), *value = config_trim(eq + 1);
        if (name[0] == '\0') {
                config_fail(p, line, "missing key before '='");
                return;
        }
        enum key key = 0;
        while (key < _KEY_COUNT && strcmp(name, key_names[key]) != 0)
                key++;
        if (key == _KEY_COUNT) {
                config_fail(p, line, "unknown key '%s'", SHOW(name));
                return;
        }
        if (p->line_of[key]) {
                config_fail(p, line, "duplicate key '%s' (first set on line %u)", name, p->line_of[key]);
                return;
        }
        p->line_of[key] = line;
        m->report->key_file[key] = p->file;
        m->report->key_line[key] = line;
        /* parsed into a copy: a refused value leaves the one before it whole */
        struct vmnet_config next = m->c;
        if (value[0] == '\0' && !key_may_be_empty(key))
                config_fail(p, line, "%s: empty value", name);
        else if (parse_value(p, line, key, value, &next) >= 0) {
                m->c = next;
                return;
        }
        m->bad[key] = true;
}

static bool in_subnet(struct in_addr a, uint32_t net, uint32_t mask) {
        return (ntohl(a.s_addr) & mask) == net;
}

/* An error about key's value, where it was set. */
static void fail_at(struct config_merge *m, enum key key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail_at(struct config_merge *m, enum key key, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        config_report_vadd(m->report, CONFIG_ERROR, m->report->key_file[key], m->report->key_line[key], fmt, ap);
        va_end(ap);
}

static bool is_set(const struct config_merge *m, enum key key) {
        return m->report->key_line[key] > 0;
}

/* The DHCP range: the default one from the address, or the one given
 * checked against the address's subnet. */
static void check_dhcp_range(struct config_merge *m) {
        struct vmnet_config *c = &m->c;
        uint32_t mask = netmask(c->prefix_len), addr = ntohl(c->address.s_addr),
                 net = addr & mask, bcast = net | ~mask;
        char a[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];
        struct in_addr net_addr = { htonl(net) };

        if (m->bad[KEY_ADDRESS] || m->bad[KEY_DHCP_RANGE])
                return;
        inet_ntop(AF_INET, &c->address, a, sizeof a);
        inet_ntop(AF_INET, &net_addr, n, sizeof n);
        if (!is_set(m, KEY_DHCP_RANGE)) {
                /* .100-.250 of the subnet when it has them and they leave the
                 * bridge out, else every host above the bridge's address */
                if (bcast - net > 250 && (addr < net + 100 || addr > net + 250)) {
                        c->dhcp_start.s_addr = htonl(net + 100);
                        c->dhcp_end.s_addr = htonl(net + 250);
                } else if (addr + 1 < bcast) {
                        c->dhcp_start.s_addr = htonl(addr + 1);
                        c->dhcp_end.s_addr = htonl(bcast - 1);
                } else
                        fail_at(m, KEY_ADDRESS, "address: no host above %s in %s/%u for the default dhcp_range; set dhcp_range",
                                a, n, c->prefix_len);
                return;
        }
        uint32_t start = ntohl(c->dhcp_start.s_addr), end = ntohl(c->dhcp_end.s_addr);
        struct in_addr ends[2] = { c->dhcp_start, c->dhcp_end };

        for (unsigned i = 0; i < 2; i++) {
                char e[INET_ADDRSTRLEN];
                uint32_t h = ntohl(ends[i].s_addr);
                inet_ntop(AF_INET, &ends[i], e, sizeof e);
                if (!in_subnet(ends[i], net, mask)) {
                        fail_at(m, KEY_DHCP_RANGE, "dhcp_range: %s is outside the subnet %s/%u of address %s", e, n,
                                c->prefix_len, a);
                        return;
                }
                if (h == net || h == bcast) {
                        fail_at(m, KEY_DHCP_RANGE, "dhcp_range: %s is the %s address of the subnet %s/%u", e,
                                h == net ? "network" : "broadcast", n, c->prefix_len);
                        return;
                }
        }
        if (start > end)
                fail_at(m, KEY_DHCP_RANGE, "dhcp_range: reversed (start after end)");
        else if (start <= addr && addr <= end)
                fail_at(m, KEY_DHCP_RANGE, "dhcp_range: contains the bridge's address %s", a);
}

/* Checks that need more than one key, reported where the key the admin
 * most likely has to change was set. */
void config_merge_finish(struct config_merge *m) {
        struct vmnet_config *c = &m->c;

        check_dhcp_range(m);
        if (!m->bad[KEY_UPLINK_INTERFACE] && !m->bad[KEY_BRIDGE] && c->uplink_interface[0] &&
            strcmp(c->uplink_interface, c->bridge) == 0)
                fail_at(m, KEY_UPLINK_INTERFACE, "uplink_interface: '%s' is the lab bridge itself", c->bridge);
}

void config_defaults(struct vmnet_config *ret) {
        *ret = (struct vmnet_config) {
                .socket_path = VMNET_DEFAULT_SOCKET,
                .run_dir = VMNET_RUN_DIR,
                .bridge = "vmnet0",
                .address = { htonl(0x0a4d0001) },      /* 10.77.0.1 */
                .prefix_len = 24,
                .dhcp_start = { htonl(0x0a4d0064) },   /* 10.77.0.100 */
                .dhcp_end = { htonl(0x0a4d00fa) },     /* 10.77.0.250 */
                .lease_seconds = 3600,
                .domain = "lab",
                .uplink = VMNET_UPLINK_NAT,
                .tap_name = "tap-%u",
                .max_taps = 4,
                .resolv_file = "/etc/resolv.conf",
                .dnsmasq = "/usr/sbin/dnsmasq",
                .guard = true,
                .max_macs = 16,
                .isolation = VMNET_ISOLATION_NONE,
                .max_segments = 2,
        };
}

unsigned config_key_count(void) {
        return _KEY_COUNT;
}

const char *config_key_name(unsigned key) {
        return key < _KEY_COUNT ? key_names[key] : NULL;
}

void config_format(const struct vmnet_config *c, struct strbuf *out) {
        for (enum key k = 0; k < _KEY_COUNT; k++) {
                strbuf_printf(out, "%s = ", key_names[k]);
                format_value(out, k, c);
                strbuf_puts(out, "\n");
        }
}

void config_merge_init(struct config_merge *m, struct config_report *report) {
        *m = (struct config_merge) { .report = report };
        config_defaults(&m->c);
}

void config_merge_text(struct config_merge *m, unsigned file, const char *text, size_t len) {
        struct parser p = { .filename = m->report->files[file], .file = file, .report = m->report };
        char line[CONFIG_LINE_MAX + 1];
        unsigned n = 0;

        for (size_t pos = 0; pos < len;) {
                const char *start = text + pos, *nl = memchr(start, '\n', len - pos);
                size_t line_len = nl ? (size_t)(nl - start) : len - pos;

                n++;
                pos += line_len + 1;
                if (line_len > CONFIG_LINE_MAX) {
                        config_fail(&p, n, "line is longer than %d bytes", CONFIG_LINE_MAX);
                        continue;
                }
                if (memchr(start, '\0', line_len)) {
                        config_fail(&p, n, "NUL byte in line");
                        continue;
                }
                memcpy(line, start, line_len);
                line[line_len] = '\0';
                parse_line(&p, m, n, line);
        }
}
