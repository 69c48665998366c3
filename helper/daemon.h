/* vmnetd's event loop: the control socket, its clients, session pidfds,
 * signals (HUP reload, TERM/INT stop, CHLD), the batched tap deletions,
 * and dnsmasq's supervision (dnsmasq runs the names program, which
 * publishes the hosts snapshot). */
#pragma once
#include <stdbool.h>

#include "config.h"

/* Runs until SIGTERM/SIGINT.  Returns the exit status. */
int daemon_run(const char *config_path, const struct vmnet_config *config);
