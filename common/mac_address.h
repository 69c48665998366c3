/* Ethernet addresses as people write them: "52:55:00:ef:29:01". */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define MAC_ADDRESS_STRLEN 18  /* with the NUL */

void mac_address_format(const uint8_t mac[6], char ret[MAC_ADDRESS_STRLEN]);
/* The len bytes at s: six two-digit hex bytes separated by ':' (either
 * case), nothing else.  Returns 0, or -EINVAL with ret untouched. */
int mac_address_parse(const char *s, size_t len, uint8_t ret[6]);

/* A fresh address of vmnet's own links: 02:76:6d ("vm", locally
 * administered unicast) and three random bytes. */
void mac_address_random(uint8_t ret[6]);
