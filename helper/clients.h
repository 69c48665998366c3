/* The clients connected to vmnetd, and who gets in.  The rules, in one
 * place (pure: the event loop does the accepting and the epoll work):
 *
 *   - the root socket (0600) admits uid 0 only;
 *   - root is never turned away while there is room (its logins must not
 *     wait behind students);
 *   - a user with CLIENTS_PER_UID connections open, or any user while the
 *     room left is root's reserve, is admitted "busy": its request is
 *     answered VMNET_ERR_BUSY and the connection closed;
 *   - beyond CLIENTS_BUSY_MAX busy ones, new ones are closed at once. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "server.h"

#define CLIENTS_MAX        1024
#define CLIENTS_PER_UID    16   /* one student cannot crowd out the others' logins */
#define CLIENTS_ROOT_RESERVE 64 /* of CLIENTS_MAX, kept for root */
#define CLIENTS_BUSY_MAX   64   /* connections waiting for their BUSY answer */

enum admission {
        ADMIT,      /* served */
        ADMIT_BUSY, /* answered VMNET_ERR_BUSY */
        REFUSE,     /* closed at once */
};

struct clients {
        struct client *v[CLIENTS_MAX + CLIENTS_BUSY_MAX];
        size_t n;
        size_t n_busy;
};

/* What a new connection of uid gets (on the root socket or the public one). */
enum admission clients_admission(const struct clients *cs, uid_t uid, bool root_socket);
/* Whether any connection could be admitted now; when not, the listeners
 * stop being watched and the kernel's backlog holds the rest. */
bool clients_have_room(const struct clients *cs);

/* Takes c (malloc'ed) into the table; false if there is no slot. */
bool clients_add(struct clients *cs, struct client *c);
/* The client with this id, or NULL (one dropped earlier in the batch). */
struct client *clients_by_id(const struct clients *cs, uint64_t id, size_t *ret_index);
/* Takes the client at index out of the table (not closed, not freed). */
struct client *clients_remove(struct clients *cs, size_t index);
