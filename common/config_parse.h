/* The machinery vmnet.conf's parser shares between its files: config.c
 * reads the file line by line and knows the keys; config_values.c parses
 * each kind of value.  Every error is one "FILE:LINE: message". */
#pragma once
#include <netinet/in.h>
#include <stdint.h>

#include "config.h"

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

struct parser {
        const char *filename;
        char *err;
        size_t err_size;
        unsigned line_of[_KEY_COUNT]; /* 0: not in the file */
};

/* Writes "FILE:LINE: message" into p->err; always -EINVAL, so callers can
 * "return config_fail(...)". */
int config_fail(struct parser *p, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

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
int parse_allow_groups(struct parser *p, unsigned line, const char *value,
                       char ret[CONFIG_GROUPS_MAX][33], unsigned *ret_n);
