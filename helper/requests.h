/* What each message may do and for whom: authorisation by the kernel's
 * word on the peer (SO_PEERCRED), then one lab operation. */
#pragma once
#include <sys/types.h>

#include "lab.h"
#include "protocol.h"

struct peer {
        uid_t uid;
        pid_t pid;
        int pidfd; /* from SO_PEERPIDFD where the kernel has it, else -1 */
};

/* Fills *rep (type and status always); *ret_fd gets an fd to pass with the
 * reply (VM_TAP), else -1. */
void request_handle(struct lab *lab, struct peer *peer, const struct vmnet_request *req,
                    struct vmnet_reply *rep, int *ret_fd);
