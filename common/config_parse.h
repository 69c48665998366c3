/* The machinery vmnet.conf's parser shares between its files: config.c
 * knows the keys and reads a file line by line; config_values.c parses
 * each kind of value; config_files.c reads vmnet.conf and its drop-ins
 * and keeps the report.  Every problem is one "FILE:LINE: message". */
#pragma once
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>

#include "config.h"

enum key {
        KEY_SOCKET,   /* for tests only (HACKING.md): clients keep the fixed paths */
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
        KEY_TEACHER_GROUPS,
        KEY_RESOLV_FILE,
        KEY_DNSMASQ,
        KEY_GUARD,
        KEY_MAX_MACS,
        KEY_ISOLATION,
        KEY_LOGIN_POOL,
        KEY_MAX_SEGMENTS,
        _KEY_COUNT,
};

/* One file being read into a configuration. */
struct parser {
        const char *filename;         /* for messages */
        unsigned file;                /* its index in report->files */
        struct config_report *report;
        unsigned line_of[_KEY_COUNT]; /* where this file set each key; 0: not in it */
};

/* Records an error at line of the file being read; always -EINVAL, so
 * callers can "return config_fail(...)". */
int config_fail(struct parser *p, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* config_report_add() with a va_list. */
void config_report_vadd(struct config_report *r, enum config_severity severity, unsigned file, unsigned line,
                        const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* Text from the file as it may go into a message: at most 48 bytes, control
 * and non-ASCII bytes as '?' (the message ends up in logs and terminals). */
struct shown { char s[52]; };
struct shown config_show(const char *text);
#define SHOW(text) (config_show(text).s)

/* s without the blanks around it (cut in place). */
char *config_trim(char *s);

uint32_t netmask(unsigned prefix_len);

/* Each parses value for key into its outputs, or fails with a message. */
int parse_unsigned(struct parser *p, unsigned line, const char *key, const char *value,
                   unsigned min, unsigned max, unsigned *ret);
int parse_path(struct parser *p, unsigned line, const char *key, const char *value, char *ret, size_t size);
int parse_ifname(struct parser *p, unsigned line, const char *key, const char *value, char ret[IFNAMSIZ]);
int parse_address(struct parser *p, unsigned line, const char *value, struct in_addr *ret_address,
                  unsigned *ret_prefix_len);
int parse_dhcp_range(struct parser *p, unsigned line, char *value, struct in_addr *ret_start,
                     struct in_addr *ret_end);
int parse_domain(struct parser *p, unsigned line, const char *value, char *ret, size_t size);
/* value is one of the n words (a key like guard = on | off): *ret gets its index. */
int parse_word(struct parser *p, unsigned line, const char *key, const char *value,
               const char *const *words, unsigned n, unsigned *ret);
int parse_tap_name(struct parser *p, unsigned line, const char *value, char ret[IFNAMSIZ]);
/* A list of group names for key (allow_groups, teacher_groups); when_empty
 * ends the message for a list that names none ("to allow everyone"). */
int parse_groups(struct parser *p, unsigned line, const char *key, const char *value, const char *when_empty,
                 char ret[CONFIG_GROUPS_MAX][33], unsigned *ret_n);

/* Several files read into one configuration (config.c), for config_files.c. */
struct config_merge {
        struct vmnet_config c;
        struct config_report *report;
        bool bad[_KEY_COUNT]; /* a value of the key was refused: checks that need it are skipped */
};

/* Starts from the defaults; report->key_file/key_line must hold _KEY_COUNT. */
void config_merge_init(struct config_merge *m, struct config_report *report);
/* One more file (report->files[file]): its keys replace the earlier files'. */
void config_merge_text(struct config_merge *m, unsigned file, const char *text, size_t len);
/* The checks across keys, once every file is in. */
void config_merge_finish(struct config_merge *m);
