/* Who a user is (passwd/group databases; never the hosts database). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "protocol.h"

struct user_info {
        char name[VMNET_USER_MAX + 1];
        uid_t uid;
        gid_t gid;
};

/* Returns 0, -ENOENT for no such user (or a name too long for the wire). */
int user_by_name(const char *name, struct user_info *ret);
int user_by_uid(uid_t uid, struct user_info *ret);

/* The gids of the config's allow_groups; unknown groups are logged and
 * skipped.  *ret_n == 0 with config->n_allow_groups == 0 means everyone. */
void allowed_groups_resolve(const struct vmnet_config *config, gid_t *ret, size_t *ret_n);

/* True if allow_groups is empty or the user is a member of one of them. */
bool user_is_allowed(const struct vmnet_config *config, const gid_t *allowed, size_t n_allowed,
                     const struct user_info *user);
