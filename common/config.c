/* vmnet.conf: the file read line by line, its keys, and the checks that
 * need more than one of them (see config.h; the values are config_values.c's). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config.h"
#include "config_parse.h"
#include "files.h"
#include "tap_name.h"

#define CONFIG_FILE_MAX (64 * 1024)
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
        [KEY_RESOLV_FILE]      = "resolv_file",
        [KEY_DNSMASQ]          = "dnsmasq",
        [KEY_GUARD]            = "guard",
        [KEY_MAX_MACS]         = "max_macs",
        [KEY_ISOLATION]        = "isolation",
};

static int parse_value(struct parser *p, unsigned line, enum key key, char *value, struct vmnet_config *c) {
        switch (key) {
        case KEY_SOCKET:
                return parse_path(p, line, "socket", value, c->socket_path, sizeof c->socket_path);
        case KEY_RUN_DIR:
                return parse_path(p, line, "run_dir", value, c->run_dir, sizeof c->run_dir);
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
        case KEY_UPLINK: {
                static const char *const modes[] = {
                        [VMNET_UPLINK_NAT] = "nat", [VMNET_UPLINK_ROUTED] = "routed",
                        [VMNET_UPLINK_ISOLATED] = "isolated", [VMNET_UPLINK_EXTERNAL] = "external",
                };
                unsigned mode;
                int r = parse_word(p, line, "uplink", value, modes, 4, &mode);
                c->uplink = (enum vmnet_uplink)mode;
                return r;
        }
        case KEY_UPLINK_INTERFACE:
                c->uplink_interface[0] = '\0';
                return value[0] ? parse_ifname(p, line, "uplink_interface", value, c->uplink_interface) : 0;
        case KEY_TAP_NAME:
                return parse_tap_name(p, line, value, c->tap_name);
        case KEY_MAX_TAPS:
                return parse_unsigned(p, line, "max_taps", value, 1, TAP_INDEX_MAX + 1, &c->max_taps);
        case KEY_ALLOW_GROUPS:
                c->n_allow_groups = 0;
                return value[0] ? parse_allow_groups(p, line, value, c->allow_groups, &c->n_allow_groups) : 0;
        case KEY_RESOLV_FILE:
                if (strcmp(value, "none") == 0) {
                        strcpy(c->resolv_file, "none");
                        return 0;
                }
                return parse_path(p, line, "resolv_file", value, c->resolv_file, sizeof c->resolv_file);
        case KEY_DNSMASQ:
                return parse_path(p, line, "dnsmasq", value, c->dnsmasq, sizeof c->dnsmasq);
        case KEY_GUARD: {
                static const char *const off_on[] = { "off", "on" };
                unsigned on;
                int r = parse_word(p, line, "guard", value, off_on, 2, &on);
                c->guard = on;
                return r;
        }
        case KEY_MAX_MACS:
                return parse_unsigned(p, line, "max_macs", value, 1, CONFIG_MAX_MACS_MAX, &c->max_macs);
        case KEY_ISOLATION: {
                static const char *const modes[] = {
                        [VMNET_ISOLATION_NONE] = "none",
                        [VMNET_ISOLATION_STUDENTS] = "students",
                };
                unsigned mode;
                int r = parse_word(p, line, "isolation", value, modes, 2, &mode);
                c->isolation = (enum vmnet_isolation)mode;
                return r;
        }
        case _KEY_COUNT:
                break;
        }
        return -EINVAL;
}

static bool key_may_be_empty(enum key key) {
        return key == KEY_UPLINK_INTERFACE || key == KEY_ALLOW_GROUPS;
}

static int parse_line(struct parser *p, unsigned line, char *text, struct vmnet_config *c) {
        char *s = config_trim(text);

        if (s[0] == '\0' || s[0] == '#')
                return 0;
        char *eq = strchr(s, '=');
        if (!eq)
                return config_fail(p, line, "missing '=' in '%s' (expected key = value)", SHOW(s));
        *eq = '\0';
        char *name = config_trim(s), *value = config_trim(eq + 1);
        if (name[0] == '\0')
                return config_fail(p, line, "missing key before '='");

        enum key key = 0;
        while (key < _KEY_COUNT && strcmp(name, key_names[key]) != 0)
                key++;
        if (key == _KEY_COUNT)
                return config_fail(p, line, "unknown key '%s'", SHOW(name));
        if (p->line_of[key])
                return config_fail(p, line, "duplicate key '%s' (first set on line %u)", name, p->line_of[key]);
        p->line_of[key] = line;
        if (value[0] == '\0' && !key_may_be_empty(key))
                return config_fail(p, line, "%s: empty value", name);
        return parse_value(p, line, key, value, c);
}

static bool in_subnet(struct in_addr a, uint32_t net, uint32_t mask) {
        return (ntohl(a.s_addr) & mask) == net;
}

/* Checks that need more than one key, reported on the line of the key the
 * admin most likely has to change. */
static int check_config(struct parser *p, struct vmnet_config *c) {
        uint32_t mask = netmask(c->prefix_len), addr = ntohl(c->address.s_addr),
                 net = addr & mask, bcast = net | ~mask;
        char a[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];
        struct in_addr net_addr = { htonl(net) };

        inet_ntop(AF_INET, &c->address, a, sizeof a);
        inet_ntop(AF_INET, &net_addr, n, sizeof n);

        if (!p->line_of[KEY_DHCP_RANGE]) {
                /* .100-.250 of the subnet when it has them and they leave the
                 * bridge out, else every host above the bridge's address */
                if (bcast - net > 250 && (addr < net + 100 || addr > net + 250)) {
                        c->dhcp_start.s_addr = htonl(net + 100);
                        c->dhcp_end.s_addr = htonl(net + 250);
                } else if (addr + 1 < bcast) {
                        c->dhcp_start.s_addr = htonl(addr + 1);
                        c->dhcp_end.s_addr = htonl(bcast - 1);
                } else
                        return config_fail(p, p->line_of[KEY_ADDRESS],
                                    "address: no host above %s in %s/%u for the default dhcp_range; set dhcp_range",
                                    a, n, c->prefix_len);
        } else {
                unsigned line = p->line_of[KEY_DHCP_RANGE];
                uint32_t start = ntohl(c->dhcp_start.s_addr), end = ntohl(c->dhcp_end.s_addr);
                struct in_addr ends[2] = { c->dhcp_start, c->dhcp_end };

                for (unsigned i = 0; i < 2; i++) {
                        char e[INET_ADDRSTRLEN];
                        uint32_t h = ntohl(ends[i].s_addr);
                        inet_ntop(AF_INET, &ends[i], e, sizeof e);
                        if (!in_subnet(ends[i], net, mask))
                                return config_fail(p, line, "dhcp_range: %s is outside the subnet %s/%u of address %s",
                                            e, n, c->prefix_len, a);
                        if (h == net || h == bcast)
                                return config_fail(p, line, "dhcp_range: %s is the %s address of the subnet %s/%u",
                                            e, h == net ? "network" : "broadcast", n, c->prefix_len);
                }
                if (start > end)
                        return config_fail(p, line, "dhcp_range: reversed (start after end)");
                if (start <= addr && addr <= end)
                        return config_fail(p, line, "dhcp_range: contains the bridge's address %s", a);
        }

        if (c->uplink_interface[0] && strcmp(c->uplink_interface, c->bridge) == 0)
                return config_fail(p, p->line_of[KEY_UPLINK_INTERFACE],
                            "uplink_interface: '%s' is the lab bridge itself", c->bridge);
        return 0;
}

void config_defaults(struct vmnet_config *ret) {
        *ret = (struct vmnet_config) {
                .socket_path = "/run/vmnet/vmnetd.sock",
                .run_dir = "/run/vmnet",
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
        };
}

int config_parse(const char *text, size_t len, const char *filename,
                 struct vmnet_config *ret, char *err, size_t err_size) {
        struct parser p = { .filename = filename ? filename : "(config)", .err = err, .err_size = err_size };
        struct vmnet_config c;
        char line[CONFIG_LINE_MAX + 1];
        unsigned n = 0;
        int r;

        if (err_size > 0)
                err[0] = '\0';
        config_defaults(&c);
        for (size_t pos = 0; pos < len;) {
                const char *nl = memchr(text + pos, '\n', len - pos);
                size_t line_len = (nl ? (size_t)(nl - text) : len) - pos;

                n++;
                if (line_len > CONFIG_LINE_MAX)
                        return config_fail(&p, n, "line is longer than %d bytes", CONFIG_LINE_MAX);
                if (memchr(text + pos, '\0', line_len))
                        return config_fail(&p, n, "NUL byte in line");
                memcpy(line, text + pos, line_len);
                line[line_len] = '\0';
                r = parse_line(&p, n, line, &c);
                if (r < 0)
                        return r;
                pos += line_len + 1;
        }
        r = check_config(&p, &c);
        if (r < 0)
                return r;
        *ret = c;
        return 0;
}

int config_load(const char *path, struct vmnet_config *ret, char *err, size_t err_size) {
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        r = read_file_whole(path, CONFIG_FILE_MAX, &buf, &len);
        if (r == -EFBIG) {
                if (err_size > 0)
                        snprintf(err, err_size, "%s: larger than %d bytes", path, CONFIG_FILE_MAX);
                return r;
        }
        if (r < 0) {
                if (err_size > 0)
                        snprintf(err, err_size, "%s: %s", path, strerrordesc_np(-r) ?: "unknown error");
                return r;
        }
        return config_parse(buf, len, path, ret, err, err_size);
}
