/* Which bridge port a MAC address was last seen on (the bridge's
 * forwarding database), to tell whose tap a guest sits on. */
#pragma once
#include <net/if.h>
#include <stdint.h>

/* Fills ret_port with the name of the port of bridge behind which mac was
 * learned.  Returns 0, or -ENOENT when the bridge has not seen it. */
int fdb_port_of_mac(const char *bridge, const uint8_t mac[6], char ret_port[IFNAMSIZ]);
