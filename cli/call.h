/* Asking vmnetd, for the vmnet command and the bridge helper: one request,
 * its answer, and what to tell the user when it is no. */
#pragma once
#include "exit_codes.h"
#include "protocol.h"

#define VMNETD_TIMEOUT_MS 10000

/* Returned by cli_call() for a refusal when refused is NULL: nothing was
 * printed, the caller explains. */
#define CLI_REFUSED (-1)

/* Sends req to vmnetd and waits for its answer (and, when ret_fd is not
 * NULL, the fd that comes with it).  Returns EXIT_OK with *ret filled when
 * vmnetd said yes; otherwise prints one line "PROG: why" to stderr and
 * returns the exit code.  refused is what a refusal means for this
 * request, in the user's words (NULL: see CLI_REFUSED). */
int cli_call(const char *prog, const struct vmnet_request *req, struct vmnet_reply *ret, int *ret_fd,
             const char *refused);

/* What cli_call() says and returns for r (a vmnet_client_* result) and,
 * when r is 0, the reply's status: for a conversation of several
 * requests on one connection. */
int cli_report(const char *prog, int r, const struct vmnet_reply *rep, const char *refused);

/* STATUS from vmnetd, errors reported as by cli_call(). */
int cli_status(struct vmnet_reply *ret);

/* The user's login tap in a STATUS reply, or NULL. */
const struct vmnet_tap_info *cli_login_tap(const struct vmnet_reply *status);
