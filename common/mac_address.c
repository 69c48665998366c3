/* Ethernet addresses as text (see mac_address.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "hex.h"
#include "mac_address.h"

void mac_address_format(const uint8_t mac[6], char ret[MAC_ADDRESS_STRLEN]) {
        snprintf(ret, MAC_ADDRESS_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
                 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

int mac_address_parse(const char *s, size_t len, uint8_t ret[6]) {
        uint8_t mac[6];

        if (len != MAC_ADDRESS_STRLEN - 1)
                return -EINVAL;
        for (int i = 0; i < 6; i++) {
                int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);
                if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
                        return -EINVAL;
                mac[i] = (uint8_t)(hi << 4 | lo);
        }
        memcpy(ret, mac, 6);
        return 0;
}

void mac_address_random(uint8_t ret[6]) {
        static unsigned fallback; /* no entropy yet (early boot): at least distinct */
        ret[0] = 0x02, ret[1] = 0x76, ret[2] = 0x6d;
        if (getrandom(ret + 3, 3, GRND_NONBLOCK) != 3) {
                unsigned v = ++fallback;
                ret[3] = (uint8_t)(v >> 16), ret[4] = (uint8_t)(v >> 8), ret[5] = (uint8_t)v;
        }
}
