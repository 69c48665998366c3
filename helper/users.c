/* passwd and group look-ups (see users.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "users.h"

static int user_from_passwd(const struct passwd *pw, struct user_info *ret) {
        if (strlen(pw->pw_name) > VMNET_USER_MAX)
                return -ENOENT;
        strcpy(ret->name, pw->pw_name);
        ret->uid = pw->pw_uid;
        ret->gid = pw->pw_gid;
        return 0;
}

int user_by_name(const char *name, struct user_info *ret) {
        struct passwd pw, *found = NULL;
        char buf[4096];

        if (getpwnam_r(name, &pw, buf, sizeof buf, &found) != 0 || !found)
                return -ENOENT;
        return user_from_passwd(found, ret);
}

int user_by_uid(uid_t uid, struct user_info *ret) {
        struct passwd pw, *found = NULL;
        char buf[4096];

        if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) != 0 || !found)
                return -ENOENT;
        return user_from_passwd(found, ret);
}

void allowed_groups_resolve(const struct vmnet_config *config, gid_t *ret, size_t *ret_n) {
        size_t n = 0;

        for (unsigned i = 0; i < config->n_allow_groups; i++) {
                struct group gr, *found = NULL;
                char buf[8192];
                if (getgrnam_r(config->allow_groups[i], &gr, buf, sizeof buf, &found) != 0 || !found) {
                        log_warn("allow_groups: no group named %s", config->allow_groups[i]);
                        continue;
                }
                ret[n++] = found->gr_gid;
        }
        *ret_n = n;
}

bool user_is_allowed(const struct vmnet_config *config, const gid_t *allowed, size_t n_allowed,
                     const struct user_info *user) {
        gid_t groups[256];
        int n = 256;

        if (config->n_allow_groups == 0)
                return true;
        if (getgrouplist(user->name, user->gid, groups, &n) < 0)
                return false; /* more than 256 groups: refuse rather than guess */
        for (int i = 0; i < n; i++)
                for (size_t j = 0; j < n_allowed; j++)
                        if (groups[i] == allowed[j])
                                return true;
        return false;
}
