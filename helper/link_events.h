/* The kernel's word when a link appears, changes or goes (rtnetlink's
 * RTNLGRP_LINK), for whoever in vmnetd needs it.  The event loop watches
 * link_events_fd() and calls link_events_process(); each subscriber gets
 * every event.  Today the lab follows its records with it (a VM's tap goes
 * when its VM closes the fd); a feature that needs link events subscribes
 * too, with a function of its own:
 *
 *   link_events_subscribe(events, my_handler, my_state);
 *
 * When the kernel dropped events (the socket overran), each subscriber is
 * called once with link == NULL and must read back what it needs. */
#pragma once
#include <stdbool.h>

#include "bridge.h"

typedef void (*link_event_fn)(void *userdata, const struct kernel_link *link, bool deleted);

struct link_events;

int link_events_open(struct link_events **ret);
void link_events_close(struct link_events *e);
int link_events_fd(const struct link_events *e);
int link_events_subscribe(struct link_events *e, link_event_fn fn, void *userdata);
/* Reads and dispatches every pending event.  Returns 0 or -errno. */
int link_events_process(struct link_events *e);
