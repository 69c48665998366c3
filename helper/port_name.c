/* Numbered port names (see port_name.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>

#include "port_name.h"

int port_name_take(const char *prefix, unsigned *next_number, int (*try)(const char *name, void *userdata),
                   void *userdata, char ret[IFNAMSIZ]) {
        int r = -EEXIST;

        for (unsigned tries = 0; tries < 100000 && r == -EEXIST; tries++) {
                snprintf(ret, IFNAMSIZ, "%s%u", prefix, (*next_number)++ % 100000000u);
                r = try(ret, userdata);
        }
        return r;
}
