/* The message table (see requests.h). */
#define _GNU_SOURCE
#include <string.h>

#include "log.h"
#include "requests.h"

typedef int (*handler_fn)(struct lab *lab, struct peer *peer, const struct user_info *caller,
                          const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd);

static int handle_open(struct lab *lab, struct peer *peer, const struct user_info *caller,
                       const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        (void)caller, (void)ret_fd;
        int status = lab_open_session(lab, req->user, peer->pid, peer->pidfd, rep->tap);
        if (status == VMNET_OK)
                peer->pidfd = -1; /* the session keeps it */
        return status;
}

static int handle_close(struct lab *lab, struct peer *peer, const struct user_info *caller,
                        const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        (void)caller, (void)rep, (void)ret_fd;
        return lab_close_session(lab, req->user, peer->pid);
}

static int handle_status(struct lab *lab, struct peer *peer, const struct user_info *caller,
                         const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        (void)peer, (void)req, (void)ret_fd;
        return lab_status(lab, caller, rep);
}

static int handle_tap_add(struct lab *lab, struct peer *peer, const struct user_info *caller,
                          const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        (void)peer, (void)ret_fd;
        return lab_tap_add(lab, caller, req->want, rep->tap);
}

static int handle_tap_del(struct lab *lab, struct peer *peer, const struct user_info *caller,
                          const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        (void)peer, (void)rep, (void)ret_fd;
        return lab_tap_del(lab, caller, req->tap);
}

static int handle_vm_tap(struct lab *lab, struct peer *peer, const struct user_info *caller,
                         const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        (void)peer;
        return lab_vm_tap(lab, caller, req->bridge, req->want, rep->tap, ret_fd);
}

static const struct {
        handler_fn handler;
        bool root_only;   /* acts for any user: only uid 0 */
        const char *name;
} handlers[] = {
        [VMNET_MSG_OPEN]    = { handle_open,    true,  "OPEN" },
        [VMNET_MSG_CLOSE]   = { handle_close,   true,  "CLOSE" },
        [VMNET_MSG_STATUS]  = { handle_status,  false, "STATUS" },
        [VMNET_MSG_TAP_ADD] = { handle_tap_add, false, "TAP_ADD" },
        [VMNET_MSG_TAP_DEL] = { handle_tap_del, false, "TAP_DEL" },
        [VMNET_MSG_VM_TAP]  = { handle_vm_tap,  false, "VM_TAP" },
};

void request_handle(struct lab *lab, struct peer *peer, const struct vmnet_request *req,
                    struct vmnet_reply *rep, int *ret_fd) {
        struct user_info caller;

        memset(rep, 0, sizeof *rep);
        rep->type = req->type;
        *ret_fd = -1;
        if (req->type >= sizeof handlers / sizeof handlers[0] || !handlers[req->type].handler) {
                rep->status = VMNET_ERR_BAD_REQUEST;
                return;
        }
        if (handlers[req->type].root_only && peer->uid != 0) {
                log_warn("%s from uid %u (pid %d) refused: only root may do that",
                         handlers[req->type].name, (unsigned)peer->uid, (int)peer->pid);
                rep->status = VMNET_ERR_REFUSED;
                return;
        }
        /* taps are always the caller's own: the kernel says who that is */
        if (user_by_uid(peer->uid, &caller) < 0) {
                log_warn("%s from uid %u refused: no passwd entry", handlers[req->type].name,
                         (unsigned)peer->uid);
                rep->status = VMNET_ERR_REFUSED;
                return;
        }
        rep->status = handlers[req->type].handler(lab, peer, &caller, req, rep, ret_fd);
        if (rep->status != VMNET_OK)
                log_debug("%s from %s: %s", handlers[req->type].name, caller.name,
                          vmnet_status_string(rep->status));
}
