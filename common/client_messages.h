/* What a client tells its user (or its log) about reaching vmnetd.
 * pam_vmnet shares the wording but never vmnet_client_socket_path(): it
 * runs inside privileged processes and takes its socket from its options,
 * never from the environment. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The socket to talk to: $VMNET_SOCKET when set and not empty (for tests;
 * safe because these clients are never setuid, and secure_getenv ignores
 * it if one ever is), else VMNET_DEFAULT_SOCKET. */
const char *vmnet_client_socket_path(void);

/* True when r, a negative errno from vmnet_client_connect/_request, means
 * vmnetd cannot be reached at all (not running, no permission, no answer),
 * as opposed to a conversation that went wrong. */
bool vmnet_client_error_is_unreachable(int r);

/* One line (no newline) for r at path, e.g. "vmnetd is not running (no
 * /run/vmnet/vmnetd.sock)", into buf (always NUL-terminated if size > 0). */
void vmnet_client_error_message(int r, const char *path, char *buf, size_t size);

/* One line (no newline) for a reply status other than VMNET_OK and
 * VMNET_ERR_REFUSED (whose meaning depends on the request: the caller
 * words it), e.g. the quota with what to do about it. */
void vmnet_client_status_message(uint16_t status, char *buf, size_t size);
