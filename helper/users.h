/* Who a user is (passwd/group databases; never the hosts database).
 * Directory accounts welcome: any entry size, any number of members or
 * groups, uids above 65535, names up to VMNET_USER_MAX bytes with '@',
 * capitals or spaces. */
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

/* Returns 0, -ENOENT for no such user (or a name too long for the wire),
 * or -errno when the database could not answer. */
int user_by_name(const char *name, struct user_info *ret);
int user_by_uid(uid_t uid, struct user_info *ret);

/* The gid of the group called name: 0, -ENOENT for no such group, or
 * -errno when the database could not answer. */
int group_by_name(const char *name, gid_t *ret_gid);

/* Every group of the user's (the primary one included), as the group
 * databases' initgroups answer it: *ret malloc'ed.  0 or -errno. */
int user_groups(const struct user_info *user, gid_t **ret, size_t *ret_n);

/* The gids of a list of group names (key names the list in the log);
 * unknown groups are logged and skipped. */
void groups_resolve(const char *key, const char (*names)[33], unsigned n_names, gid_t *ret, size_t *ret_n);

/* Root, or a caller one of whose groups (its gid and supplementary groups
 * as the kernel gave them at connect, SO_PEERCRED/SO_PEERGROUPS) is a
 * teacher group. */
bool caller_is_teacher(uid_t uid, const gid_t *groups, size_t n_groups, const gid_t *teachers, size_t n_teachers);

/* The gids of the config's allow_groups; unknown groups are logged and
 * skipped.  *ret_n == 0 with config->n_allow_groups == 0 means everyone. */
void allowed_groups_resolve(const struct vmnet_config *config, gid_t *ret, size_t *ret_n);

/* True if allow_groups is empty or one of the user's own groups (the
 * primary one, or one user_groups() lists) is among allowed. */
bool user_is_allowed(const struct vmnet_config *config, const gid_t *allowed, size_t n_allowed,
                     const struct user_info *user);
