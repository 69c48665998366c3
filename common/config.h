/* /etc/security/vmnet.conf: the admin's only file.
 *
 * Format: one "key = value" per line; blank lines and lines whose first
 * non-blank character is '#' are ignored; spaces around key and value are
 * trimmed; a key given twice is an error.  Every error is reported as
 * "FILE:LINE: message" and the whole file is refused. */
#pragma once
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/un.h>

#include "protocol.h"

#define VMNET_DEFAULT_CONFIG "/etc/security/vmnet.conf"
#define CONFIG_GROUPS_MAX 32
#define CONFIG_MAX_MACS_MAX 1024

enum vmnet_isolation {
        VMNET_ISOLATION_NONE     = 0, /* students' VMs reach each other */
        VMNET_ISOLATION_STUDENTS = 1, /* exam mode: only their own, the host and the uplink */
};

struct vmnet_config {
        char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* socket = /run/vmnet/vmnetd.sock */
        char run_dir[PATH_MAX];                  /* run_dir = /run/vmnet (absolute) */
        char bridge[IFNAMSIZ];                   /* bridge = vmnet0 */
        struct in_addr address;                  /* address = 10.77.0.1/24: the bridge's address */
        unsigned prefix_len;                     /*   (1..30) */
        struct in_addr dhcp_start, dhcp_end;     /* dhcp_range = 10.77.0.100,10.77.0.250 (both inside
                                                  *   the subnet, start <= end, neither the bridge
                                                  *   address); default: .100-.250 of the subnet, or
                                                  *   the subnet's hosts above the address if smaller */
        unsigned lease_seconds;                  /* lease_time = 3600 (seconds, 120..604800) */
        char domain[VMNET_DOMAIN_MAX + 1];       /* domain = lab (DNS labels [a-z0-9-], dots between) */
        enum vmnet_uplink uplink;                /* uplink = nat | routed | isolated | external */
        char uplink_interface[IFNAMSIZ];         /* uplink_interface = (empty: the default route's) */
        char tap_name[IFNAMSIZ];                 /* tap_name = tap-%u (tap_name_pattern_is_valid) */
        unsigned max_taps;                       /* max_taps = 4 (1..TAP_INDEX_MAX+1), login tap included */
        unsigned n_allow_groups;                 /* allow_groups = (empty: everyone) names, comma and/or */
        char allow_groups[CONFIG_GROUPS_MAX][33];/*   space separated, each [a-z_][a-z0-9_-]* <= 32 */
        char resolv_file[PATH_MAX];              /* resolv_file = /etc/resolv.conf; "none": VMs get no
                                                  *   upstream DNS (absolute path or none) */
        char dnsmasq[PATH_MAX];                  /* dnsmasq = /usr/sbin/dnsmasq (absolute path) */
        bool guard;                              /* guard = on | off: the lab segment's port guard */
        unsigned max_macs;                       /* max_macs = 16 (1..CONFIG_MAX_MACS_MAX): source MACs,
                                                  *   and as many IPv4 addresses, per student */
        enum vmnet_isolation isolation;          /* isolation = none | students */
};

/* Fills *ret with the defaults above. */
void config_defaults(struct vmnet_config *ret);

/* Parses text (len bytes, not necessarily NUL-terminated; a NUL byte in it
 * is an error) named filename in messages.  On success returns 0 and
 * fills *ret (defaults, then the file's keys).  On failure returns -EINVAL,
 * leaves *ret untouched and writes "FILENAME:LINE: message" into err
 * (err_size bytes, always NUL-terminated when err_size > 0). */
int config_parse(const char *text, size_t len, const char *filename,
                 struct vmnet_config *ret, char *err, size_t err_size);

/* Reads and parses the file at path (at most 64 KiB).  Errors as above;
 * an unreadable file gives "PATH: strerror" and the negative errno. */
int config_load(const char *path, struct vmnet_config *ret, char *err, size_t err_size);
