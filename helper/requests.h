/* What each message may do and for whom: authorisation by the kernel's
 * word on the peer (SO_PEERCRED), then one lab operation. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#include "lab.h"
#include "protocol.h"

#define PEER_GROUPS_MAX 256

struct peer {
        uid_t uid;
        pid_t pid;
        int pidfd; /* from SO_PEERPIDFD where the kernel has it, else -1 */
        /* the peer's gid and supplementary groups when it connected
         * (SO_PEERCRED, SO_PEERGROUPS): who is a teacher; a peer in more
         * groups than this is taken as in none of them */
        gid_t groups[PEER_GROUPS_MAX];
        size_t n_groups;
        /* SUBSCRIBE: the connection stays, and hears of each new lab view */
        bool subscribed;
};

/* Fills *rep (type and status always); *ret_fd gets an fd to pass with the
 * reply (VM_TAP, CAPTURE), else -1. */
void request_handle(struct lab *lab, struct peer *peer, const struct vmnet_request *req,
                    struct vmnet_reply *rep, int *ret_fd);

/* The status a lab operation's result r (0 or -errno) is told as; a peer
 * other than root hears the one refusal where root would hear why. */
uint16_t request_status_of(int r, bool to_root);
