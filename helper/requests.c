/* The message table (see requests.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "lab_ops.h"
#include "log.h"
#include "requests.h"

/* Root, or a member of teacher_groups by the groups the kernel gave the
 * peer when it connected. */
static bool is_teacher(const struct lab *lab, const struct peer *peer) {
        return caller_is_teacher(peer->uid, peer->groups, peer->n_groups, lab->teacher_gids, lab->n_teacher_gids);
}

typedef int (*handler_fn)(struct lab *lab, struct peer *peer, const struct user_info *caller,
                          const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd);

static int handle_open(struct lab *lab, struct peer *peer, const struct user_info *caller,
                       const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        (void)caller, (void)ret_fd;
        int r = lab_open_session(lab, req->user, peer->pid, peer->pidfd, rep->tap);
        if (r >= 0)
                peer->pidfd = -1; /* the session keeps it */
        return r;
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

static int handle_lab_health(struct lab *lab, struct peer *peer, const struct user_info *caller,
                             const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        (void)peer, (void)caller, (void)req, (void)ret_fd;
        return lab_health(lab, rep);
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

static int handle_netns_attach(struct lab *lab, struct peer *peer, const struct user_info *caller,
                               const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        (void)peer, (void)ret_fd;
        int r = lab_netns_attach(lab, caller, req->fd, req->ifname, req->segment, rep->tap);
        /* Over quota is told as the one refusal too: every reason an attach
         * is refused for gets the same answer (the client's text names them all). */
        return r == -EDQUOT ? -EPERM : r;
}

/* Exam mode, for root and the teachers. */
static int handle_isolation(struct lab *lab, struct peer *peer, const struct user_info *caller,
                            const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        (void)rep, (void)ret_fd;
        if (req->isolation > 1)
                return -EBADMSG;
        if (!is_teacher(lab, peer)) {
                log_warn("exam mode %s by %s refused: neither root nor in teacher_groups",
                         req->isolation ? "on" : "off", caller->name);
                return -EPERM;
        }
        return lab_set_isolation(lab, caller, req->isolation);
}

static int handle_segment_add(struct lab *lab, struct peer *peer, const struct user_info *caller,
                              const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        (void)peer, (void)ret_fd;
        return lab_segment_add(lab, caller, req->segment, req->segment_flags & VMNET_SEGMENT_KEEP, rep->tap,
                               rep->bridge);
}

static int handle_segment_del(struct lab *lab, struct peer *peer, const struct user_info *caller,
                              const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        (void)peer, (void)rep, (void)ret_fd;
        return lab_segment_del(lab, caller, req->segment);
}

static int handle_segment_list(struct lab *lab, struct peer *peer, const struct user_info *caller,
                               const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        (void)peer, (void)req, (void)ret_fd;
        return lab_segment_list(lab, caller, rep);
}

/* The whole lab for root and teachers; anyone's own part for themselves. */
static int scope_allowed(const struct lab *lab, const struct peer *peer, uint8_t scope) {
        if (scope > VMNET_SCOPE_ALL)
                return -EBADMSG;
        return scope == VMNET_SCOPE_ALL && !is_teacher(lab, peer) ? -EPERM : 0;
}

static int handle_lab_view(struct lab *lab, struct peer *peer, const struct user_info *caller,
                           const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        (void)ret_fd;
        int r = scope_allowed(lab, peer, req->scope);
        if (r < 0)
                return r;
        log_debug("LAB_VIEW from %s: %s, generation %llu, offset %u", caller->name,
                  req->scope == VMNET_SCOPE_ALL ? "all" : "mine", (unsigned long long)req->generation, req->offset);
        return lab_views_read(lab, caller->uid, req->scope == VMNET_SCOPE_ALL, req, rep);
}

static int handle_subscribe(struct lab *lab, struct peer *peer, const struct user_info *caller,
                            const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        (void)caller, (void)ret_fd;
        int r = scope_allowed(lab, peer, req->scope);
        if (r < 0)
                return r;
        peer->subscribed = true;
        rep->generation = lab->views.generation;
        return 0;
}

static int handle_capture(struct lab *lab, struct peer *peer, const struct user_info *caller,
                          const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        return lab_capture(lab, caller, is_teacher(lab, peer), req->target, rep, ret_fd);
}

static int handle_owner(struct lab *lab, struct peer *peer, const struct user_info *caller,
                        const struct vmnet_request *req, struct vmnet_reply *rep, int *ret_fd) {
        uid_t uid;
        (void)peer, (void)caller, (void)ret_fd;
        if (lab_owner_of_mac(req->mac, &uid, rep->user, lab) < 0) {
                rep->owner_uid = VMNET_OWNER_UNKNOWN; /* an answer, not a failure */
                rep->user[0] = '\0';
        } else
                rep->owner_uid = (uint32_t)uid;
        return 0;
}

/* Who may send a message. */
enum callers {
        CALLERS_ANYONE, /* any user with an account but vmnetd's own: the handler acts for the caller alone */
        CALLERS_ROOT,   /* acts for any user: uid 0 only */
        CALLERS_SELF,   /* vmnetd's own user: its names program, which tells guests' names */
};

/* Who may send what.  Adding a message type: a row here (and its fields
 * in common/protocol.c, and its rows in test_lab.c's authorisation matrix). */
static const struct {
        handler_fn handler;
        enum callers callers;
} handlers[] = {
        [VMNET_MSG_OPEN]    = { handle_open,    CALLERS_ROOT },
        [VMNET_MSG_CLOSE]   = { handle_close,   CALLERS_ROOT },
        [VMNET_MSG_STATUS]  = { handle_status,  CALLERS_ANYONE },
        [VMNET_MSG_TAP_ADD] = { handle_tap_add, CALLERS_ANYONE },
        [VMNET_MSG_TAP_DEL] = { handle_tap_del, CALLERS_ANYONE },
        [VMNET_MSG_VM_TAP]  = { handle_vm_tap,  CALLERS_ANYONE },
        [VMNET_MSG_NETNS_ATTACH] = { handle_netns_attach, CALLERS_ANYONE },
        [VMNET_MSG_LAB_HEALTH] = { handle_lab_health, CALLERS_ANYONE },
        [VMNET_MSG_ISOLATION] = { handle_isolation, CALLERS_ANYONE }, /* the handler asks for a teacher */
        [VMNET_MSG_SEGMENT_ADD]  = { handle_segment_add, CALLERS_ANYONE },
        [VMNET_MSG_SEGMENT_DEL]  = { handle_segment_del, CALLERS_ANYONE },
        [VMNET_MSG_SEGMENT_LIST] = { handle_segment_list, CALLERS_ANYONE },
        [VMNET_MSG_LAB_VIEW] = { handle_lab_view, CALLERS_ANYONE }, /* the whole lab: teachers (the handler) */
        [VMNET_MSG_SUBSCRIBE] = { handle_subscribe, CALLERS_ANYONE },
        [VMNET_MSG_CAPTURE] = { handle_capture, CALLERS_ANYONE },
        [VMNET_MSG_OWNER]   = { handle_owner,   CALLERS_SELF },
};

static bool may_send(const struct lab *lab, enum callers callers, uid_t uid) {
        bool self = uid == lab->self_uid && uid != 0;
        switch (callers) {
        /* vmnetd's own user is no student: a names program gone wrong gets
         * no tap, no session, no view of the lab */
        case CALLERS_ANYONE: return !self;
        case CALLERS_ROOT:   return uid == 0;
        case CALLERS_SELF:   return self;
        }
        return false;
}

/* What each errno of a lab operation tells the client (lab.h); any other
 * is vmnetd's own failure, already logged. */
static const struct {
        int error;
        uint16_t status;
        bool root_only; /* a reason only root hears; others get VMNET_ERR_REFUSED */
} statuses[] = {
        { 0,       VMNET_OK,              false },
        { EPERM,   VMNET_ERR_REFUSED,     false },
        { EDQUOT,  VMNET_ERR_QUOTA,       false },
        { EBUSY,   VMNET_ERR_BUSY,        false },
        { EBADMSG, VMNET_ERR_BAD_REQUEST, false },
        { EPROTO,  VMNET_ERR_VERSION,     false },
        { ENOTUNIQ, VMNET_ERR_NAME_TAKEN, false },
        { ENOTCONN, VMNET_ERR_NO_GUARD,   false },
        { ENOSPC,  VMNET_ERR_SEGMENT_QUOTA,  false },
        { EALREADY, VMNET_ERR_SEGMENT_EXISTS, false },
        { ENOTEMPTY, VMNET_ERR_SEGMENT_IN_USE, false },
        { ESTALE,  VMNET_ERR_CHANGED,     false },
        { EUSERS,  VMNET_ERR_LIMIT,       false },
        { ESRCH,   VMNET_ERR_NO_USER,     true },
        { EACCES,  VMNET_ERR_NOT_ALLOWED, true },
};

uint16_t request_status_of(int r, bool to_root) {
        int error = r < 0 ? -r : r;
        for (size_t i = 0; i < ELEMENTSOF(statuses); i++)
                if (statuses[i].error == error)
                        return statuses[i].root_only && !to_root ? VMNET_ERR_REFUSED : statuses[i].status;
        return VMNET_ERR_INTERNAL;
}

void request_handle(struct lab *lab, struct peer *peer, const struct vmnet_request *req,
                    struct vmnet_reply *rep, int *ret_fd) {
        const char *name = vmnet_msg_type_name(req->type);
        struct user_info caller;
        int r;

        memset(rep, 0, sizeof *rep);
        rep->type = req->type;
        *ret_fd = -1;
        if (req->type >= ELEMENTSOF(handlers) || !handlers[req->type].handler || !name) {
                rep->status = VMNET_ERR_BAD_REQUEST;
                return;
        }
        if (!may_send(lab, handlers[req->type].callers, peer->uid)) {
                log_warn("%s from uid %u (pid %d) refused: only %s may do that", name, (unsigned)peer->uid,
                         (int)peer->pid, handlers[req->type].callers == CALLERS_ROOT   ? "root"
                                         : handlers[req->type].callers == CALLERS_SELF ? "vmnetd itself"
                                                                                       : "users");
                rep->status = VMNET_ERR_REFUSED;
                return;
        }
        /* taps are always the caller's own: the kernel says who that is */
        if (lab->ops->user_by_uid(peer->uid, &caller) < 0) {
                log_warn("%s from uid %u refused: no passwd entry", name, (unsigned)peer->uid);
                rep->status = VMNET_ERR_REFUSED;
                return;
        }
        r = handlers[req->type].handler(lab, peer, &caller, req, rep, ret_fd);
        rep->status = request_status_of(r, peer->uid == 0);
        if (rep->status != VMNET_OK)
                log_debug("%s from %s: %s", name, caller.name, vmnet_status_string(rep->status));
}
