/* What vmnet can tell without vmnetd, from vmnet.conf and its drop-ins:
 * the lab's bridge, address, domain and uplink, and the name the caller's
 * login tap will have.  For vmnet hint, which then still gives the exact
 * settings while vmnetd is down. */
#pragma once
#include "protocol.h"

/* A STATUS-like reply for the calling user from the configuration at
 * path: the login tap listed with no flags (it exists only while vmnetd
 * runs and the user is logged in).  0, or -errno (the file unreadable or
 * refused, no passwd entry). */
int offline_status(const char *path, struct vmnet_reply *ret);
