/* Pieces of the vmnet command shared between its files. */
#pragma once
#include <stdbool.h>

#include "protocol.h"

#ifndef VMNET_BRIDGE_HELPER_PATH
#define VMNET_BRIDGE_HELPER_PATH "/usr/lib/vmnet/vmnet-bridge-helper"
#endif

enum {
        EXIT_OK          = 0,
        EXIT_ERROR       = 1, /* refused, or failed */
        EXIT_USAGE       = 2,
        EXIT_UNREACHABLE = 3, /* vmnetd not running or not answering */
};

/* Returned by cli_call() for a refusal when refused is NULL: nothing was
 * printed, the caller explains. */
#define CLI_REFUSED (-1)

/* Sends req to vmnetd and waits for its answer.  Returns EXIT_OK with
 * *ret filled when vmnetd said yes; otherwise prints one line to stderr
 * and returns the exit code.  refused is what a refusal means for this
 * request, in the user's words (NULL: see CLI_REFUSED). */
int cli_call(const struct vmnet_request *req, struct vmnet_reply *ret, const char *refused);

/* STATUS from vmnetd, errors reported as by cli_call(). */
int cli_status(struct vmnet_reply *ret);

/* The user's login tap in a STATUS reply, or NULL. */
const struct vmnet_tap_info *cli_login_tap(const struct vmnet_reply *status);

int cmd_status(int argc, char **argv);
int cmd_hint(int argc, char **argv);
