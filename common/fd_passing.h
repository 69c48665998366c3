/* One datagram with at most one file descriptor beside it (SCM_RIGHTS):
 * how vmnetd hands a VM its tap and a student hands vmnetd a network
 * namespace.  Both sides of the socket use these, so an fd is never
 * leaked, duplicated or taken from a datagram that carried several. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* sendmsg() of len bytes, with fd (when >= 0) beside them; flags as for
 * sendmsg().  Returns the bytes sent or -errno. */
ssize_t fd_send(int sock, const void *buf, size_t len, int fd, int flags);

/* recvmsg() of one datagram into buf, passed fds received CLOEXEC.  The
 * first passed fd goes to *ret_fd (-1 when none came); any further ones are
 * closed at once, and *ret_fd is then closed too and the datagram reported
 * as truncated: a sender that passes several fds is not trusted with one.
 * Returns the datagram's length (with MSG_TRUNC in flags, its whole length
 * even past size) or -errno; *ret_truncated says whether bytes or fds were
 * cut off. */
ssize_t fd_receive(int sock, void *buf, size_t size, int flags, int *ret_fd, bool *ret_truncated);
