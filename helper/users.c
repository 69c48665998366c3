/* passwd and group look-ups (see users.h).  Directory accounts (LDAP, AD
 * through sssd or winbind) bring entries of any size: every buffer grows
 * on ERANGE, and a group's member list is never what membership is
 * decided by (a group of 10,000 members is one large entry; the user's own
 * groups are a short list). */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "users.h"

/* No entry is larger: a bound on what a broken directory can make us allocate. */
#define NSS_BUFFER_MAX (64u << 20)
#define GROUPS_MAX     (1u << 20)

static size_t first_size(int sysconf_name) {
        long n = sysconf(sysconf_name);
        return n > 0 && n <= 1 << 20 ? (size_t)n : 16384;
}

/* The errnos with which the _r functions say "no such entry" (getpwnam_r(3)). */
static bool means_not_found(int e) {
        return e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM;
}

/* One getpw*_r or getgr*_r call, and what it needs. */
struct lookup {
        const char *name;
        uid_t uid;
        struct passwd pw;
        struct group gr;
        void *found;
        int (*call)(struct lookup *l, char *buf, size_t size);
};

static int pw_by_name(struct lookup *l, char *buf, size_t size) {
        return getpwnam_r(l->name, &l->pw, buf, size, (struct passwd **)&l->found);
}

static int pw_by_uid(struct lookup *l, char *buf, size_t size) {
        return getpwuid_r(l->uid, &l->pw, buf, size, (struct passwd **)&l->found);
}

static int gr_by_name(struct lookup *l, char *buf, size_t size) {
        return getgrnam_r(l->name, &l->gr, buf, size, (struct group **)&l->found);
}

/* Runs l->call with a buffer that doubles while it says ERANGE.  Returns 0
 * with *ret_buf (malloc'ed) holding the entry l->found points into,
 * -ENOENT for none, or -errno when the database could not answer. */
static int lookup(struct lookup *l, size_t size, char **ret_buf) {
        for (; size <= NSS_BUFFER_MAX; size *= 2) {
                char *buf = malloc(size);
                if (!buf)
                        return -ENOMEM;
                l->found = NULL;
                int e = l->call(l, buf, size);
                if (e == ERANGE) {
                        free(buf);
                        continue;
                }
                if (l->found) {
                        *ret_buf = buf;
                        return 0;
                }
                free(buf);
                return means_not_found(e) ? -ENOENT : -e;
        }
        return -ERANGE;
}

static int user_from_passwd(const struct passwd *pw, struct user_info *ret) {
        if (strlen(pw->pw_name) > VMNET_USER_MAX)
                return -ENOENT;
        strcpy(ret->name, pw->pw_name);
        ret->uid = pw->pw_uid;
        ret->gid = pw->pw_gid;
        return 0;
}

static int user_lookup(struct lookup *l, struct user_info *ret) {
        _cleanup_free_ char *buf = NULL;
        int r = lookup(l, first_size(_SC_GETPW_R_SIZE_MAX), &buf);

        return r < 0 ? r : user_from_passwd(l->found, ret);
}

int user_by_name(const char *name, struct user_info *ret) {
        return user_lookup(&(struct lookup) { .name = name, .call = pw_by_name }, ret);
}

int user_by_uid(uid_t uid, struct user_info *ret) {
        return user_lookup(&(struct lookup) { .uid = uid, .call = pw_by_uid }, ret);
}

int group_by_name(const char *name, gid_t *ret_gid) {
        _cleanup_free_ char *buf = NULL;
        struct lookup l = { .name = name, .call = gr_by_name };
        int r = lookup(&l, first_size(_SC_GETGR_R_SIZE_MAX), &buf);

        if (r < 0)
                return r;
        *ret_gid = ((struct group *)l.found)->gr_gid;
        return 0;
}

void groups_resolve(const char *key, const char (*names)[33], unsigned n_names, gid_t *ret, size_t *ret_n) {
        size_t n = 0;

        for (unsigned i = 0; i < n_names; i++) {
                int r = group_by_name(names[i], &ret[n]);
                if (r == -ENOENT)
                        log_warn("%s: no group named %s; its members are not admitted until it exists and "
                                 "vmnetd is reloaded", key, names[i]);
                else if (r < 0)
                        log_warn_errno(r, "%s: cannot look up group %s (%m); vmnetd tries again at the next reload",
                                       key, names[i]);
                else
                        n++;
        }
        *ret_n = n;
}

void allowed_groups_resolve(const struct vmnet_config *config, gid_t *ret, size_t *ret_n) {
        groups_resolve("allow_groups", (const char (*)[33])config->allow_groups, config->n_allow_groups, ret, ret_n);
}

int user_groups(const struct user_info *user, gid_t **ret, size_t *ret_n) {
        int n = 64;

        /* glibc's getgrouplist says how many there are when they do not fit */
        for (unsigned tries = 0; tries < 8; tries++) {
                gid_t *groups = malloc((size_t)n * sizeof *groups);
                int want = n;
                if (!groups)
                        return -ENOMEM;
                if (getgrouplist(user->name, user->gid, groups, &want) >= 0) {
                        *ret = groups;
                        *ret_n = (size_t)want;
                        return 0;
                }
                free(groups);
                if (want <= n) /* no count given back: grow ourselves */
                        want = n * 2;
                if ((unsigned)want > GROUPS_MAX)
                        return -E2BIG;
                n = want;
        }
        return -EAGAIN; /* the list kept growing under us */
}

/* Whether a group of one list is in the other (both a few dozen at most). */
static bool groups_meet(const gid_t *a, size_t n_a, const gid_t *b, size_t n_b) {
        for (size_t i = 0; i < n_a; i++)
                for (size_t j = 0; j < n_b; j++)
                        if (a[i] == b[j])
                                return true;
        return false;
}

bool caller_is_teacher(uid_t uid, const gid_t *groups, size_t n_groups, const gid_t *teachers, size_t n_teachers) {
        return uid == 0 || groups_meet(groups, n_groups, teachers, n_teachers);
}

bool user_is_allowed(const struct vmnet_config *config, const gid_t *allowed, size_t n_allowed,
                     const struct user_info *user) {
        _cleanup_free_ gid_t *groups = NULL;
        size_t n;

        if (config->n_allow_groups == 0)
                return true;
        /* the primary group first: no group database needed for it */
        if (groups_meet(&user->gid, 1, allowed, n_allowed))
                return true;
        int r = user_groups(user, &groups, &n);
        if (r < 0) {
                log_warn_errno(r, "cannot list the groups of %s (%m): not admitted", user->name);
                return false;
        }
        return groups_meet(groups, n, allowed, n_allowed);
}
