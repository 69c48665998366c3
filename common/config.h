/* /etc/security/vmnet.conf and its drop-ins: the admin's files.
 *
 * Format: one "key = value" per line; blank lines and lines whose first
 * non-blank character is '#' are ignored; spaces around key and value are
 * trimmed; a key given twice in one file is an error.
 *
 * vmnet.conf is read first, then every FILE.d/NAME.conf next to it (for
 * /etc/security/vmnet.conf: /etc/security/vmnet.conf.d/NAME.conf) in byte
 * order of the names; names starting with '.' or not ending in ".conf"
 * (editor backups, dpkg's leftovers) are skipped.  A key set in a later
 * file replaces its value from the earlier ones whole (a list key is not
 * added to), so a room shares one vmnet.conf and each PC keeps its own
 * overrides in a drop-in.  The checks across keys (the DHCP range inside
 * the subnet...) are made once all files are read.
 *
 * Every problem is reported, not only the first, as "FILE:LINE: message"
 * (or "FILE:LINE: warning: message"); any error refuses the whole
 * configuration. */
#pragma once
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/un.h>

#include "protocol.h"
#include "strbuf.h"

#define VMNET_DEFAULT_CONFIG "/etc/security/vmnet.conf"
/* vmnetd's run files, where the NSS module and vmnet find them: fixed, not
 * a setting (tests move it with VMNET_RUN_DIR, see HACKING.md). */
#define VMNET_RUN_DIR        "/run/vmnet"
#define CONFIG_DROPIN_SUFFIX ".d"
#define CONFIG_FILES_MAX     64 /* vmnet.conf and its drop-ins */
#define CONFIG_GROUPS_MAX 32
#define CONFIG_MAX_MACS_MAX 1024
/* Login links made ahead (login_pool): each is a port of the lab bridge,
 * which holds 1023. */
#define CONFIG_LOGIN_POOL_MAX 1000
#define CONFIG_MAX_SEGMENTS_MAX VMNET_SEGMENTS_MAX

enum vmnet_isolation {
        VMNET_ISOLATION_NONE     = 0, /* students' VMs reach each other */
        VMNET_ISOLATION_STUDENTS = 1, /* exam mode: only their own, the host and the uplink */
};

struct vmnet_config {
        /* Not keys of the file: fixed paths every part of vmnet agrees on,
         * which only tests move (vmnetd's environment, HACKING.md). */
        char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* /run/vmnet/vmnetd.sock */
        char run_dir[PATH_MAX];                  /* /run/vmnet */

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
        unsigned n_teacher_groups;               /* teacher_groups = (empty: root alone) see and capture */
        char teacher_groups[CONFIG_GROUPS_MAX][33];/*  every student; names as allow_groups */
        char resolv_file[PATH_MAX];              /* resolv_file = /etc/resolv.conf; "none": VMs get no
                                                  *   upstream DNS (absolute path or none) */
        char dnsmasq[PATH_MAX];                  /* dnsmasq = /usr/sbin/dnsmasq (absolute path) */
        bool guard;                              /* guard = on | off: the lab segment's port guard */
        unsigned max_macs;                       /* max_macs = 16 (1..CONFIG_MAX_MACS_MAX): source MACs,
                                                  *   and as many IPv4 addresses, per student */
        enum vmnet_isolation isolation;          /* isolation = none | students */
        unsigned login_pool;                     /* login_pool = 0 (0..CONFIG_LOGIN_POOL_MAX): login links
                                                  *   made ahead, while no request waits */
        unsigned max_segments;                   /* max_segments = 2 (0..CONFIG_MAX_SEGMENTS_MAX): private
                                                  *   segments per student; 0: none */
};

/* Fills *ret with the defaults above. */
void config_defaults(struct vmnet_config *ret);

/* ---- what was read, and what is wrong with it ---- */

enum config_severity { CONFIG_ERROR, CONFIG_WARNING };

struct config_problem {
        unsigned file;  /* index in config_report.files */
        unsigned line;  /* 0: the file as a whole (or a key left at its default) */
        enum config_severity severity;
        char *message;  /* without "FILE:LINE: " */
};

struct config_report {
        char **files;   /* every file read, in order: vmnet.conf, then its drop-ins */
        size_t n_files;
        struct config_problem *problems; /* in the order of the files and their lines */
        size_t n_problems, allocated_problems;
        unsigned n_errors, n_warnings;
        unsigned *key_file, *key_line; /* per key (config_key_name()): where its value was set; line 0: default */
        int error; /* -ENOMEM if something could not be recorded */
};

void config_report_free(struct config_report *r);
/* Records a problem at file (an index in r->files) and line. */
void config_report_add(struct config_report *r, enum config_severity severity, unsigned file, unsigned line,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Records a problem with key's value, where it was set (the first file,
 * line 0, for a default). */
void config_report_key(struct config_report *r, enum config_severity severity, const char *key,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Problem i as "FILE:LINE: [warning: ]message", NUL-terminated in buf. */
void config_problem_format(const struct config_report *r, size_t i, char *buf, size_t size);
/* Every problem, one line each ending in '\n'. */
void config_report_format(const struct config_report *r, struct strbuf *out);

/* ---- the keys ---- */

unsigned config_key_count(void);
const char *config_key_name(unsigned key);
/* Every key with its value, "key = value\n", in the order of vmnet.conf(5):
 * itself a configuration that gives c again. */
void config_format(const struct vmnet_config *c, struct strbuf *out);

/* ---- reading ---- */

struct config_text {
        const char *name; /* for messages */
        const char *text; /* len bytes, not necessarily NUL-terminated; a NUL byte in it is an error */
        size_t len;
};

/* Parses the texts in order, as a vmnet.conf and its drop-ins.  Returns 0
 * and fills *ret (defaults, then the texts' keys), or -EINVAL when any
 * error was found, leaving *ret untouched; report (zeroed by the caller)
 * gets the file names, every problem and where each key was set. */
int config_parse_texts(const struct config_text *texts, size_t n, struct vmnet_config *ret,
                       struct config_report *report);

/* Reads path (at most 64 KiB) and its drop-ins (see above), as
 * config_parse_texts().  An unreadable file or drop-in directory is an
 * error in the report ("PATH: strerror"); a missing drop-in directory is
 * none.  Returns 0, -EINVAL, or the negative errno of an unreadable path. */
int config_load_report(const char *path, struct vmnet_config *ret, struct config_report *report);

/* The same with every problem, one per line (no final newline), in err
 * (err_size bytes, always NUL-terminated when err_size > 0): for callers
 * that only print it. */
int config_parse(const char *text, size_t len, const char *filename,
                 struct vmnet_config *ret, char *err, size_t err_size);
int config_load(const char *path, struct vmnet_config *ret, char *err, size_t err_size);
