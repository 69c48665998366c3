/* Talking to vmnetd from a client: connect with a deadline, one request,
 * one reply (and, for VM_TAP, one fd).  Used by pam_vmnet, vmnet and
 * vmnet-bridge-helper.  Never prints, never leaks an fd. */
#pragma once
#include "protocol.h"

#define VMNET_DEFAULT_SOCKET "/run/vmnet/vmnetd.sock"
/* Root's own socket (0600), which pam_vmnet uses: students cannot fill it. */
#define VMNET_ROOT_SOCKET    "/run/vmnet/vmnetd-root.sock"

/* Connects to the SOCK_SEQPACKET socket at path within timeout_ms.
 * Returns a CLOEXEC fd or a negative errno (-ENOENT, -ECONNREFUSED:
 * vmnetd is not running; -ETIMEDOUT). */
int vmnet_client_connect(const char *path, int timeout_ms);

/* Sends req (with req->fd beside it for a type that carries one, which
 * must then be an open fd: the caller keeps it) and waits at most
 * timeout_ms for the reply.  When ret_fd is
 * not NULL, an fd passed with the reply is stored there (else -1); an fd
 * that arrives unasked is closed.  Returns 0 (the reply's own status is in
 * ret->status) or a negative errno (-ETIMEDOUT, -ECONNRESET, -EBADMSG). */
int vmnet_client_call(int fd, const struct vmnet_request *req,
                      struct vmnet_reply *ret, int *ret_fd, int timeout_ms);

/* connect + call + close in one go. */
int vmnet_client_request(const char *path, const struct vmnet_request *req,
                         struct vmnet_reply *ret, int *ret_fd, int timeout_ms);
