/* vmnetd's user and capabilities (see privilege.h), through libcap-ng. */
#define _GNU_SOURCE
#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "privilege.h"

/* The capabilities vmnetd keeps: see privilege.h for what each is for. */
static const int kept[] = { CAP_NET_ADMIN, CAP_NET_BIND_SERVICE };

static int user_ids(const char *user, uid_t *ret_uid, gid_t *ret_gid) {
        struct passwd pw, *found = NULL;
        char buf[4096];
        int r = getpwnam_r(user, &pw, buf, sizeof buf, &found);

        if (r != 0)
                return log_error_errno(r, "cannot look up the user %s: %m", user);
        if (!found) {
                log_error("there is no user %s for vmnetd to run as: the vmnet package makes it; "
                          "without the package, add it: adduser --system --group --no-create-home %s", user, user);
                return -ESRCH;
        }
        if (pw.pw_uid == 0)
                return log_error_errno(EINVAL, "the user %s is root: vmnetd needs a user of its own", user);
        *ret_uid = pw.pw_uid;
        *ret_gid = pw.pw_gid;
        return 0;
}

int privilege_prepare_run_dir(const char *run_dir, const char *user) {
        _cleanup_close_ int fd = -1;
        uid_t uid;
        gid_t gid;
        int r;

        if (geteuid() != 0)
                return 0; /* systemd's RuntimeDirectory= made it ours */
        r = user_ids(user, &uid, &gid);
        if (r < 0)
                return r;
        if (mkdir(run_dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "cannot make %s: %m", run_dir);
        fd = open(run_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "cannot open %s: %m", run_dir);
        if (fchown(fd, uid, gid) < 0)
                return log_error_errno(errno, "cannot give %s to %s: %m", run_dir, user);
        /* what a vmnetd of old (root) or a crash left: files and sockets, never
         * following a link */
        DIR *d = fdopendir(dup(fd));
        if (!d)
                return log_error_errno(errno, "cannot read %s: %m", run_dir);
        for (struct dirent *e; (e = readdir(d));) {
                struct stat st;
                if (e->d_name[0] == '.' || fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if ((S_ISREG(st.st_mode) || S_ISSOCK(st.st_mode)) && st.st_uid != uid &&
                    fchownat(fd, e->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                        log_warn("cannot give %s/%s to %s: %m", run_dir, e->d_name, user);
        }
        closedir(d);
        return 0;
}

static void want_kept(capng_type_t sets) {
        for (size_t i = 0; i < ELEMENTSOF(kept); i++)
                (void)capng_update(CAPNG_ADD, sets, (unsigned)kept[i]);
}

/* Capabilities other than the kept ones in this process's effective,
 * permitted or inheritable set (libcap-ng's view is fresh). */
static bool holds_others(void) {
        for (unsigned c = 0; c <= CAP_LAST_CAP; c++) {
                bool is_kept = false;
                for (size_t i = 0; i < ELEMENTSOF(kept); i++)
                        is_kept |= (int)c == kept[i];
                if (!is_kept && capng_have_capability(CAPNG_PERMITTED, c))
                        return true;
        }
        return false;
}

static int become_user(const char *user) {
        uid_t uid;
        gid_t gid;
        int r = user_ids(user, &uid, &gid);

        if (r < 0)
                return r;
        capng_clear(CAPNG_SELECT_BOTH);
        want_kept(CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE);
        r = capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
        if (r < 0)
                return log_error_errno(EPERM, "cannot become the user %s (libcap-ng: %d): %m", user, r);
        return 0;
}

/* Started with capabilities but not as root (systemd's User= and
 * AmbientCapabilities=): keep the two, drop any other. */
static int keep_only_network(void) {
        if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN)) {
                log_error("vmnetd lacks CAP_NET_ADMIN: start it as root (it then runs as the user %s with the "
                          "two capabilities it needs) or as vmnetd.service, which gives them", VMNETD_USER);
                return -EPERM;
        }
        if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_BIND_SERVICE))
                log_warn("vmnetd lacks CAP_NET_BIND_SERVICE: its dnsmasq cannot bind the DNS and DHCP ports");
        /* capset only when something must go: the unit's system call
         * filter has no need to allow it otherwise */
        if (!holds_others() && capng_have_capability(CAPNG_INHERITABLE, CAP_NET_ADMIN))
                return 0;
        capng_clear(CAPNG_SELECT_CAPS);
        want_kept(CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE);
        if (capng_apply(CAPNG_SELECT_CAPS) < 0)
                return log_error_errno(EPERM, "cannot drop the capabilities vmnetd does not need: %m");
        return 0;
}

int privilege_drop(const char *user) {
        int r;

        capng_get_caps_process();
        r = geteuid() == 0 ? become_user(user) : keep_only_network();
        if (r < 0)
                return r;
        /* children get capabilities only when spawned for them */
        capng_get_caps_process();
        capng_clear(CAPNG_SELECT_AMBIENT);
        if (capng_apply(CAPNG_SELECT_AMBIENT) < 0)
                return log_error_errno(EPERM, "cannot clear the ambient capabilities: %m");
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return log_error_errno(errno, "cannot set no_new_privs: %m");
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return log_error_errno(errno, "cannot make vmnetd undumpable: %m");
        return 0;
}

int privilege_child_keep_network(void) {
        capng_get_caps_process();
        want_kept(CAPNG_AMBIENT);
        return capng_apply(CAPNG_SELECT_AMBIENT) < 0 ? -EPERM : 0;
}
