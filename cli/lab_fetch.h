/* The lab view from vmnetd: fetched whole, chunk by chunk (VMNET_MSG_
 * LAB_VIEW), and followed (VMNET_MSG_SUBSCRIBE: vmnetd says when it
 * changed).  Errors are printed as cli_call() does. */
#pragma once
#include <stdint.h>

#include "lab_view.h"

/* The refusal a caller outside teacher_groups gets for the whole lab. */
#define CLI_LAB_REFUSED "vmnetd refused: the whole lab is shown only to root and to members " \
                        "of teacher_groups (see vmnet.conf(5)); 'vmnet status' shows your own"

/* Fetches the view (VMNET_SCOPE_ALL or VMNET_SCOPE_MINE) into *ret.
 * Returns an exit code; *ret is filled on EXIT_OK only. */
int cli_fetch_lab(uint8_t scope, struct lab_view *ret);

/* A connection on which vmnetd announces each new generation of the
 * view; returns an exit code, the connection in *ret_fd. */
int cli_subscribe_lab(uint8_t scope, int *ret_fd);
/* Reads every announcement waiting on fd (non-blocking).  Returns 1 when
 * the view changed, 0 when nothing was waiting, -1 when vmnetd closed the
 * connection. */
int cli_lab_changed(int fd);
