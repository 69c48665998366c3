#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ifname.h"
#include "tap_name.h"

#define CONFIG_FILE_MAX (64 * 1024)
/* room for "key = " and a path of PATH_MAX-1 bytes, so a too long path is
 * reported as such rather than as a too long line */
#define CONFIG_LINE_MAX 8192

enum key {
        KEY_SOCKET,
        KEY_RUN_DIR,
        KEY_BRIDGE,
        KEY_ADDRESS,
        KEY_DHCP_RANGE,
        KEY_LEASE_TIME,
        KEY_DOMAIN,
        KEY_UPLINK,
        KEY_UPLINK_INTERFACE,
        KEY_TAP_NAME,
        KEY_MAX_TAPS,
        KEY_ALLOW_GROUPS,
        KEY_RESOLV_FILE,
        KEY_DNSMASQ,
        KEY_GUARD,
        KEY_MAX_MACS,
        KEY_ISOLATION,
        _KEY_COUNT,
};

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

struct parser {
        const char *filename;
        char *err;
        size_t err_size;
        unsigned line_of[_KEY_COUNT]; /* 0: not in the file */
};

/* Always -EINVAL, so callers can "return fail(...)". */
static int fail(struct parser *p, unsigned line, const char *fmt, ...) {
        if (p->err_size == 0)
                return -EINVAL;
        int n = snprintf(p->err, p->err_size, "%s:%u: ", p->filename, line);
        if (n >= 0 && (size_t)n < p->err_size) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(p->err + n, p->err_size - (size_t)n, fmt, ap);
                va_end(ap);
        }
        return -EINVAL;
}

/* Text from the file as it may go into a message: at most 48 bytes, control
 * and non-ASCII bytes as '?' (the message ends up in logs and terminals). */
struct shown { char s[52]; };
static struct shown show(const char *text) {
        struct shown r;
        size_t i = 0;
        for (; i < 48 && text[i]; i++)
                r.s[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
        if (text[i])
                r.s[i++] = '.', r.s[i++] = '.', r.s[i++] = '.';
        r.s[i] = '\0';
        return r;
}
#define SHOW(text) (show(text).s)

static char *trim(char *s) {
        while (*s == ' ' || *s == '\t')
                s++;
        char *e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
                *--e = '\0';
        return s;
}

static int parse_unsigned(struct parser *p, unsigned line, const char *key, const char *value,
                          unsigned min, unsigned max, unsigned *ret) {
        char *end;
        unsigned long v;

        /* strtoul would also take " 5", "+5" and "-5" (the last as a huge number) */
        if (value[0] < '0' || value[0] > '9')
                return fail(p, line, "%s: '%s' is not a number (expected %u..%u)", key, SHOW(value), min, max);
        errno = 0;
        v = strtoul(value, &end, 10);
        if (*end != '\0')
                return fail(p, line, "%s: '%s' is not a number (expected %u..%u)", key, SHOW(value), min, max);
        if (errno == ERANGE || v < min || v > max)
                return fail(p, line, "%s: %s is out of range (expected %u..%u)", key, SHOW(value), min, max);
        *ret = (unsigned)v;
        return 0;
}

static int parse_path(struct parser *p, unsigned line, const char *key, const char *value,
                      char *ret, size_t size) {
        if (value[0] != '/')
                return fail(p, line, "%s: '%s' is not an absolute path", key, SHOW(value));
        if (strlen(value) >= size)
                return fail(p, line, "%s: path is too long (at most %zu bytes)", key, size - 1);
        strcpy(ret, value);
        return 0;
}

static int parse_ifname(struct parser *p, unsigned line, const char *key, const char *value,
                        char ret[IFNAMSIZ]) {
        const char *problem = ifname_problem(value);
        if (problem)
                return fail(p, line, "%s: bad interface name '%s': it %s", key, SHOW(value), problem);
        strcpy(ret, value);
        return 0;
}

static int parse_ipv4(const char *s, struct in_addr *ret) {
        return inet_pton(AF_INET, s, ret) == 1 ? 0 : -EINVAL;
}

static uint32_t netmask(unsigned prefix_len) {
        return prefix_len == 0 ? 0 : UINT32_MAX << (32 - prefix_len);
}

static int parse_address(struct parser *p, unsigned line, const char *value,
                         struct in_addr *ret_address, unsigned *ret_prefix_len) {
        char buf[INET_ADDRSTRLEN + 4];
        struct in_addr a;
        unsigned prefix_len;
        const char *slash = strchr(value, '/');

        if (!slash || (size_t)(slash - value) >= INET_ADDRSTRLEN)
                return fail(p, line, "address: '%s' is not an IPv4 address with a prefix length, like 10.77.0.1/24",
                            SHOW(value));
        memcpy(buf, value, (size_t)(slash - value));
        buf[slash - value] = '\0';
        if (parse_ipv4(buf, &a) < 0)
                return fail(p, line, "address: '%s' is not an IPv4 address with a prefix length, like 10.77.0.1/24",
                            SHOW(value));
        int r = parse_unsigned(p, line, "address: prefix length", slash + 1, 1, 30, &prefix_len);
        if (r < 0)
                return r;

        uint32_t h = ntohl(a.s_addr), mask = netmask(prefix_len);
        if ((h >> 24) == 0 || (h >> 24) == 127 || (h >> 28) >= 14)
                return fail(p, line, "address: %s is not a usable unicast address", SHOW(buf));
        if ((h & ~mask) == 0)
                return fail(p, line, "address: %s is the network address of its subnet; give the bridge a host address",
                            SHOW(value));
        if ((h & ~mask) == ~mask)
                return fail(p, line, "address: %s is the broadcast address of its subnet; give the bridge a host address",
                            SHOW(value));
        *ret_address = a;
        *ret_prefix_len = prefix_len;
        return 0;
}

/* Only the syntax here: whether the range fits the subnet is checked once
 * the whole file is read, as address may come after dhcp_range. */
static int parse_dhcp_range(struct parser *p, unsigned line, char *value,
                            struct in_addr *ret_start, struct in_addr *ret_end) {
        struct shown shown = show(value); /* value is cut in two below */
        struct in_addr s, e;
        char *comma = strchr(value, ',');

        if (comma)
                *comma = '\0';
        if (!comma || parse_ipv4(trim(value), &s) < 0 || parse_ipv4(trim(comma + 1), &e) < 0)
                return fail(p, line, "dhcp_range: '%s' is not START,END (like 10.77.0.100,10.77.0.250)",
                            shown.s);
        *ret_start = s;
        *ret_end = e;
        return 0;
}

static int parse_domain(struct parser *p, unsigned line, const char *value, char *ret, size_t size) {
        size_t len = strlen(value), label = 0;

        if (len >= size)
                return fail(p, line, "domain: '%s' is too long (at most %zu bytes)", SHOW(value), size - 1);
        for (size_t i = 0; i <= len; i++) {
                char c = value[i];
                if (c == '.' || c == '\0') {
                        if (label == 0)
                                return fail(p, line, "domain: '%s' has an empty label", SHOW(value));
                        if (value[i - 1] == '-')
                                return fail(p, line, "domain: '%s' has a label ending in '-'", SHOW(value));
                        label = 0;
                } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
                        if (c == '-' && label == 0)
                                return fail(p, line, "domain: '%s' has a label starting with '-'", SHOW(value));
                        label++;
                } else
                        return fail(p, line, "domain: '%s' has a character other than a-z 0-9 - and '.' between labels",
                                    SHOW(value));
        }
        strcpy(ret, value);
        return 0;
}

/* value is one of the n words (a key like guard = on | off): *ret gets
 * its index. */
static int parse_word(struct parser *p, unsigned line, const char *key, const char *value,
                      const char *const *words, unsigned n, unsigned *ret) {
        char list[64] = "";

        for (unsigned i = 0; i < n; i++) {
                if (strcmp(value, words[i]) == 0) {
                        *ret = i;
                        return 0;
                }
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", words[i]);
        }
        return fail(p, line, "%s: '%s' is not one of %s", key, SHOW(value), list);
}

static int parse_tap_name(struct parser *p, unsigned line, const char *value, char ret[IFNAMSIZ]) {
        const char *problem = tap_name_pattern_problem(value);
        if (problem)
                return fail(p, line, "tap_name: '%s' %s", SHOW(value), problem);
        if (strlen(value) >= IFNAMSIZ) /* a valid pattern always fits; checked all the same */
                return fail(p, line, "tap_name: '%s' is longer than %d bytes", SHOW(value), IFNAMSIZ - 1);
        strcpy(ret, value);
        return 0;
}

static bool is_group_char(char c, bool first) {
        return (c >= 'a' && c <= 'z') || c == '_' || (!first && ((c >= '0' && c <= '9') || c == '-'));
}

/* Fills the outputs only when the whole list is good. */
static int parse_allow_groups(struct parser *p, unsigned line, const char *value,
                              char ret[CONFIG_GROUPS_MAX][33], unsigned *ret_n) {
        char groups[CONFIG_GROUPS_MAX][33];
        unsigned n = 0;

        for (const char *s = value; *s;) {
                size_t len = strcspn(s, ", \t");
                if (len == 0) {
                        s++;
                        continue;
                }
                if (n == CONFIG_GROUPS_MAX)
                        return fail(p, line, "allow_groups: more than %d groups", CONFIG_GROUPS_MAX);
                if (len > 32) {
                        memcpy(groups[n], s, 32);
                        groups[n][32] = '\0';
                        return fail(p, line, "allow_groups: group name '%s...' is longer than 32 bytes",
                                    SHOW(groups[n]));
                }
                memcpy(groups[n], s, len);
                groups[n][len] = '\0';
                for (size_t i = 0; i < len; i++)
                        if (!is_group_char(s[i], i == 0))
                                return fail(p, line, "allow_groups: bad group name '%s' (expected [a-z_][a-z0-9_-]*)",
                                            SHOW(groups[n]));
                n++;
                s += len;
        }
        if (n == 0)
                return fail(p, line, "allow_groups: '%s' names no group (leave it empty to allow everyone)",
                            SHOW(value));
        memcpy(ret, groups, sizeof groups);
        *ret_n = n;
        return 0;
}

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
        char *s = trim(text);

        if (s[0] == '\0' || s[0] == '#')
                return 0;
        char *eq = strchr(s, '=');
        if (!eq)
                return fail(p, line, "missing '=' in '%s' (expected key = value)", SHOW(s));
        *eq = '\0';
        char *name = trim(s), *value = trim(eq + 1);
        if (name[0] == '\0')
                return fail(p, line, "missing key before '='");

        enum key key = 0;
        while (key < _KEY_COUNT && strcmp(name, key_names[key]) != 0)
                key++;
        if (key == _KEY_COUNT)
                return fail(p, line, "unknown key '%s'", SHOW(name));
        if (p->line_of[key])
                return fail(p, line, "duplicate key '%s' (first set on line %u)", name, p->line_of[key]);
        p->line_of[key] = line;
        if (value[0] == '\0' && !key_may_be_empty(key))
                return fail(p, line, "%s: empty value", name);
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
                        return fail(p, p->line_of[KEY_ADDRESS],
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
                                return fail(p, line, "dhcp_range: %s is outside the subnet %s/%u of address %s",
                                            e, n, c->prefix_len, a);
                        if (h == net || h == bcast)
                                return fail(p, line, "dhcp_range: %s is the %s address of the subnet %s/%u",
                                            e, h == net ? "network" : "broadcast", n, c->prefix_len);
                }
                if (start > end)
                        return fail(p, line, "dhcp_range: reversed (start after end)");
                if (start <= addr && addr <= end)
                        return fail(p, line, "dhcp_range: contains the bridge's address %s", a);
        }

        if (c->uplink_interface[0] && strcmp(c->uplink_interface, c->bridge) == 0)
                return fail(p, p->line_of[KEY_UPLINK_INTERFACE],
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
                        return fail(&p, n, "line is longer than %d bytes", CONFIG_LINE_MAX);
                if (memchr(text + pos, '\0', line_len))
                        return fail(&p, n, "NUL byte in line");
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
        char *buf = NULL;
        size_t len = 0;
        int fd, r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                r = -errno;
                goto fail_errno;
        }
        /* one byte more than allowed, to tell a full file from a too big one */
        buf = malloc(CONFIG_FILE_MAX + 1);
        if (!buf) {
                r = -ENOMEM;
                goto fail_errno;
        }
        while (len <= CONFIG_FILE_MAX) {
                ssize_t k = read(fd, buf + len, CONFIG_FILE_MAX + 1 - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        r = -errno;
                        goto fail_errno;
                }
                if (k == 0)
                        break;
                len += (size_t)k;
        }
        if (len > CONFIG_FILE_MAX) {
                r = -EFBIG;
                if (err_size > 0)
                        snprintf(err, err_size, "%s: larger than %d bytes", path, CONFIG_FILE_MAX);
                goto out;
        }
        r = config_parse(buf, len, path, ret, err, err_size);
        goto out;

fail_errno:
        if (err_size > 0)
                snprintf(err, err_size, "%s: %s", path, strerrordesc_np(-r) ?: "unknown error");
out:
        free(buf);
        if (fd >= 0)
                close(fd);
        return r;
}
