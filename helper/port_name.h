/* Bridge ports vmnetd names with a prefix and a number taken in turn
 * ("vmnp12", "vmns3"): whose each is, the registry says; the name is for
 * people reading ip link, and for the guard to tell a prefix's ports. */
#pragma once
#include <net/if.h>

/* Calls try(name, userdata) with prefix + N for N = *next_number, the next
 * one, ... (kept below 10^8) while it returns -EEXIST (the name is taken),
 * at most 100000 times.  Taken in turn, so after the first of a run a
 * creation needs no search (the kernel's "%d" would scan every link each
 * time).  Returns what try returned last; the name it was given in ret. */
int port_name_take(const char *prefix, unsigned *next_number, int (*try)(const char *name, void *userdata),
                   void *userdata, char ret[IFNAMSIZ]);
