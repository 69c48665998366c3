/* The lab's bridge and taps (see lab.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>

#include "bridge.h"
#include "fdb.h"
#include "sysfs.h"
#include "lab.h"
#include "log.h"
#include "process.h"
#include "state.h"
#include "tap.h"
#include "tap_name.h"

static void save_state(struct lab *lab) {
        int r = state_save(lab->state_path, lab->config.bridge, lab->bridge_created, &lab->students);
        if (r < 0)
                log_error("cannot write %s: %s", lab->state_path, strerror(-r));
}

static void queue_deletion(struct lab *lab, int ifindex) {
        if (lab->n_dying == lab->cap_dying) {
                size_t cap = lab->cap_dying ? lab->cap_dying * 2 : 64;
                int *v = realloc(lab->dying, cap * sizeof *v);
                if (!v) {
                        /* out of memory: delete now rather than forget it */
                        links_delete(lab->nl, &ifindex, 1);
                        return;
                }
                lab->dying = v;
                lab->cap_dying = cap;
        }
        lab->dying[lab->n_dying++] = ifindex;
}

/* Takes ifindex off the deletion queue; true if it was on it. */
static bool unqueue_deletion(struct lab *lab, int ifindex) {
        for (size_t i = 0; i < lab->n_dying; i++)
                if (lab->dying[i] == ifindex) {
                        lab->dying[i] = lab->dying[--lab->n_dying];
                        return true;
                }
        return false;
}

bool lab_has_deletions(const struct lab *lab) {
        return lab->n_dying > 0;
}

/* One kernel operation deletes at most this many links: a mass logout is
 * worked off between requests, never making one request wait for all. */
#define DELETE_BATCH_MAX 64

void lab_flush_deletions(struct lab *lab) {
        size_t n = lab->n_dying < DELETE_BATCH_MAX ? lab->n_dying : DELETE_BATCH_MAX;

        if (n == 0)
                return;
        int r = links_delete(lab->nl, lab->dying + lab->n_dying - n, n);
        if (r >= 0)
                log_debug("deleted %d links", r);
        lab->n_dying -= n;
}

/* The tap `name` exists, is a tap and belongs to uid. */
static bool tap_is_owned_by(const char *name, uid_t uid, bool *ret_persistent) {
        uid_t owner;
        bool persistent;

        if (tap_info(name, &owner, &persistent) < 0 || owner != uid)
                return false;
        if (ret_persistent)
                *ret_persistent = persistent;
        return true;
}

/* Plugs an existing tap into the lab bridge, with the bridge's MTU: a
 * bridge of jumbo frames (an external uplink) keeps them, and a port with
 * a smaller MTU would silently drop the guests' big frames. */
static int plug(struct lab *lab, const char *name) {
        int ifindex = (int)if_nametoindex(name), mtu = 0;
        if (ifindex <= 0)
                return -ENODEV;
        if (sysfs_read_int(lab->config.bridge, "mtu", &mtu) < 0 || mtu <= 0)
                mtu = 0; /* the kernel's default then */
        return link_plug(lab->nl, ifindex, lab->bridge_ifindex, (unsigned)mtu);
}

/* The login link of st, made if needed: a veth pair, the student's end
 * named st->login_tap, the other end on the bridge.  VirtualBox and VMware
 * hook the student's end in the kernel; what they send "to the wire" is
 * what that end transmits, so it crosses into the bridge whatever its
 * destination.  (A tap would hand those frames to whoever holds its queue,
 * and only broadcasts and frames for its own MAC would reach the lab.)
 * Nothing needs to hold it open: both ends up means carrier. */
static int ensure_login_link(struct lab *lab, struct student *st) {
        int ifindex = (int)if_nametoindex(st->login_tap), r;

        if (ifindex > 0) {
                /* left by a previous vmnetd, or still waiting for deletion */
                r = login_link_plug(lab->nl, st->login_tap, lab->bridge_ifindex);
                if (r < 0) {
                        log_error("%s exists but is not a login link of vmnet: not touching it", st->login_tap);
                        return -EEXIST;
                }
                unqueue_deletion(lab, ifindex);
                return 0;
        }
        r = login_link_create(lab->nl, st->login_tap, lab->bridge_ifindex);
        if (r < 0)
                log_error("cannot make %s for %s: %s", st->login_tap, st->user.name, strerror(-r));
        return r;
}

/* The student with a session whose login link is name, or NULL. */
static struct student *student_of_login_link(struct lab *lab, const char *name) {
        for (size_t i = 0; i < lab->students.n; i++)
                if (strcmp(lab->students.v[i]->login_tap, name) == 0)
                        return lab->students.v[i];
        return NULL;
}

static bool is_live_login_link(struct lab *lab, const char *name) {
        return student_of_login_link(lab, name) != NULL;
}

/* Queues the deletion of every persistent tap of user (login and extra). */
static void retire_taps(struct lab *lab, const struct user_info *user) {
        for (unsigned i = 0; i <= TAP_INDEX_MAX; i++) {
                char name[IFNAMSIZ];
                bool persistent;
                if (tap_name_for_user(lab->config.tap_name, user->name, i, name) < 0)
                        break;
                if (!tap_is_owned_by(name, user->uid, &persistent) || !persistent)
                        continue;
                int ifindex = (int)if_nametoindex(name);
                if (ifindex > 0)
                        queue_deletion(lab, ifindex);
        }
}

/* The last session of st ended: its taps go (batched), the entry too. */
static void retire_student(struct lab *lab, struct student *st) {
        int ifindex = (int)if_nametoindex(st->login_tap);

        if (ifindex > 0 && is_login_link(st->login_tap))
                queue_deletion(lab, ifindex); /* the peer goes with it */
        retire_taps(lab, &st->user);
        log_info("last session of %s ended: %s goes", st->user.name, st->login_tap);
        students_remove(&lab->students, st);
}

int lab_open_session(struct lab *lab, const char *name, pid_t pid, int peer_pidfd, char ret_tap[IFNAMSIZ]) {
        struct user_info user;
        struct student *st;
        unsigned long long start_time = 0;
        char tap[IFNAMSIZ];
        int pidfd = peer_pidfd, r;

        if (user_by_name(name, &user) < 0)
                return VMNET_ERR_NO_USER;
        if (!user_is_allowed(&lab->config, lab->allowed_gids, lab->n_allowed_gids, &user))
                return VMNET_ERR_NOT_ALLOWED;
        st = students_find(&lab->students, user.name);
        if (!st) {
                if (tap_name_for_user(lab->config.tap_name, user.name, 0, tap) < 0)
                        return VMNET_ERR_INTERNAL;
                if (is_live_login_link(lab, tap)) {
                        /* two long names whose 40-bit hashes meet: never share a link */
                        log_error("%s's login link would be %s, which another student has", user.name, tap);
                        return VMNET_ERR_INTERNAL;
                }
                st = students_add(&lab->students, &user, tap);
                if (!st)
                        return VMNET_ERR_INTERNAL;
        }
        r = st->n_sessions > 0 ? 0 : ensure_login_link(lab, st);
        if (r < 0) {
                if (st->n_sessions == 0)
                        students_remove(&lab->students, st);
                return VMNET_ERR_INTERNAL;
        }
        /* the session lives as long as the process that opened it */
        if (pidfd < 0)
                pidfd = process_pidfd(pid, 0, &start_time);
        else if (process_start_time(pid, &start_time) < 0)
                start_time = 0;
        if (pidfd < 0) {
                log_warn("session of %s: cannot watch pid %d: %s", user.name, (int)pid, strerror(-pidfd));
                pidfd = -1;
        }
        if (student_add_session(st, pid, start_time, pidfd) < 0) {
                if (pidfd >= 0 && pidfd != peer_pidfd) /* the caller closes its own */
                        close(pidfd);
                return VMNET_ERR_INTERNAL;
        }
        if (pidfd >= 0 && lab->watch_pidfd)
                lab->watch_pidfd(lab->watch_ctx, pidfd, true);
        save_state(lab);
        log_info("session of %s opened by pid %d (%zu open): %s", user.name, (int)pid, st->n_sessions,
                 st->login_tap);
        strcpy(ret_tap, st->login_tap);
        return VMNET_OK;
}

int lab_close_session(struct lab *lab, const char *name, pid_t pid) {
        struct student *st = students_find(&lab->students, name);
        int pidfd;

        if (!st || student_remove_session(st, pid, &pidfd) < 0)
                return VMNET_OK; /* nothing open: closing is idempotent */
        if (pidfd >= 0) {
                if (lab->watch_pidfd)
                        lab->watch_pidfd(lab->watch_ctx, pidfd, false);
                close(pidfd);
        }
        log_info("session of %s closed by pid %d (%zu open)", name, (int)pid, st->n_sessions);
        if (st->n_sessions == 0)
                retire_student(lab, st);
        save_state(lab);
        return VMNET_OK;
}

void lab_session_died(struct lab *lab, int pidfd) {
        struct student *st = students_find_by_pidfd(&lab->students, pidfd);

        if (lab->watch_pidfd)
                lab->watch_pidfd(lab->watch_ctx, pidfd, false);
        if (!st) {
                close(pidfd);
                return;
        }
        student_remove_session_by_pidfd(st, pidfd);
        close(pidfd);
        log_info("a session process of %s ended without closing (%zu open)", st->user.name, st->n_sessions);
        if (st->n_sessions == 0)
                retire_student(lab, st);
        save_state(lab);
}

/* Counts the user's taps and finds the lowest free extra index. */
static unsigned count_taps(struct lab *lab, const struct user_info *user, unsigned *ret_free_index) {
        unsigned count = 0, free_index = 0;

        for (unsigned i = 0; i <= TAP_INDEX_MAX; i++) {
                char name[IFNAMSIZ];
                if (tap_name_for_user(lab->config.tap_name, user->name, i, name) < 0)
                        break;
                if (if_nametoindex(name) > 0) {
                        if (i == 0 ? is_live_login_link(lab, name) : tap_is_owned_by(name, user->uid, NULL))
                                count++;
                } else if (i > 0 && free_index == 0) {
                        free_index = i;
                }
        }
        if (ret_free_index)
                *ret_free_index = free_index;
        return count;
}

/* Makes a new extra tap for user; persistent ones stay, a VM's goes with its fd. */
static int new_extra_tap(struct lab *lab, const struct user_info *user, bool persistent, uint8_t want,
                         char ret_tap[IFNAMSIZ], int *ret_fd) {
        const struct tap_features features = {
                .vnet_hdr = want & VMNET_TAP_WANT_VNET_HDR,
                .multi_queue = want & VMNET_TAP_WANT_MULTI_QUEUE,
        };
        unsigned index;
        char name[IFNAMSIZ];
        int fd, r;

        if (!user_is_allowed(&lab->config, lab->allowed_gids, lab->n_allowed_gids, user))
                return VMNET_ERR_REFUSED;
        if (count_taps(lab, user, &index) >= lab->config.max_taps)
                return VMNET_ERR_QUOTA;
        if (index == 0 || tap_name_for_user(lab->config.tap_name, user->name, index, name) < 0)
                return VMNET_ERR_QUOTA;
        r = tap_create(name, user->uid, persistent, &features, &fd);
        if (r < 0) {
                log_error("cannot make tap %s for %s: %s", name, user->name, strerror(-r));
                return VMNET_ERR_INTERNAL;
        }
        r = plug(lab, name);
        if (r < 0) {
                log_error("cannot plug %s into %s: %s", name, lab->config.bridge, strerror(-r));
                if (persistent)
                        (void)tap_unpersist(fd);
                close(fd);
                return VMNET_ERR_INTERNAL;
        }
        if (ret_fd)
                *ret_fd = fd;
        else
                close(fd);
        strcpy(ret_tap, name);
        log_info("%s tap %s for %s%s%s", persistent ? "persistent" : "VM", name, user->name,
                 features.vnet_hdr ? ", vnet header" : "", features.multi_queue ? ", multi-queue" : "");
        return VMNET_OK;
}

int lab_tap_add(struct lab *lab, const struct user_info *user, uint8_t want, char ret_tap[IFNAMSIZ]) {
        /* whoever opens a kept tap decides its vnet header: only the queues
         * are fixed at creation */
        return new_extra_tap(lab, user, true, want & VMNET_TAP_WANT_MULTI_QUEUE, ret_tap, NULL);
}

int lab_vm_tap(struct lab *lab, const struct user_info *user, const char *bridge, uint8_t want,
               char ret_tap[IFNAMSIZ], int *ret_fd) {
        if (strcmp(bridge, lab->config.bridge) != 0)
                return VMNET_ERR_REFUSED;
        /* one fd goes back, so one queue: a multi-queue tap would gain nothing */
        return new_extra_tap(lab, user, false, want & VMNET_TAP_WANT_VNET_HDR, ret_tap, ret_fd);
}

int lab_tap_del(struct lab *lab, const struct user_info *user, const char *tap) {
        bool persistent;
        int r;

        /* only an extra persistent tap of the caller's own; any other name
         * gets the same refusal, existing or not */
        if (tap_name_index(lab->config.tap_name, user->name, tap) < 1 ||
            !tap_is_owned_by(tap, user->uid, &persistent) || !persistent)
                return VMNET_ERR_REFUSED;
        r = link_delete_by_name(lab->nl, tap);
        if (r < 0) {
                log_error("cannot delete %s: %s", tap, strerror(-r));
                return VMNET_ERR_INTERNAL;
        }
        log_info("tap %s of %s deleted", tap, user->name);
        return VMNET_OK;
}

int lab_status(struct lab *lab, const struct user_info *user, struct vmnet_reply *ret) {
        char address[INET_ADDRSTRLEN];

        snprintf(ret->user, sizeof ret->user, "%s", user->name);
        snprintf(ret->bridge, sizeof ret->bridge, "%s", lab->config.bridge);
        inet_ntop(AF_INET, &lab->config.address, address, sizeof address);
        snprintf(ret->address, sizeof ret->address, "%s/%u", address, lab->config.prefix_len);
        snprintf(ret->domain, sizeof ret->domain, "%s", lab->config.domain);
        ret->uplink = lab->config.uplink;
        ret->max_taps = lab->config.max_taps;
        ret->n_taps = 0;
        for (unsigned i = 0; i <= TAP_INDEX_MAX && ret->n_taps < VMNET_TAPS_MAX; i++) {
                struct vmnet_tap_info *t = &ret->taps[ret->n_taps];
                bool persistent;
                int carrier = 0, flags = 0;
                if (tap_name_for_user(lab->config.tap_name, user->name, i, t->name) < 0)
                        break;
                if (i == 0 ? !(is_live_login_link(lab, t->name) && if_nametoindex(t->name) > 0)
                           : !tap_is_owned_by(t->name, user->uid, &persistent))
                        continue;
                t->kind = i == 0 ? VMNET_TAP_LOGIN : persistent ? VMNET_TAP_PERSISTENT : VMNET_TAP_VM;
                (void)sysfs_read_int(t->name, "carrier", &carrier);
                (void)sysfs_read_int(t->name, "flags", &flags);
                t->flags = (carrier == 1 ? VMNET_TAP_FLAG_CARRIER : 0) | (flags & 1 ? VMNET_TAP_FLAG_UP : 0);
                ret->n_taps++;
        }
        return VMNET_OK;
}

/* The names of the links plugged into the bridge. */
static size_t bridge_ports(const char *bridge, char (*ret)[IFNAMSIZ], size_t max) {
        char path[128];
        struct dirent *e;
        size_t n = 0;
        DIR *d;

        snprintf(path, sizeof path, "/sys/class/net/%s/brif", bridge);
        d = opendir(path);
        if (!d)
                return 0;
        while ((e = readdir(d)) && n < max)
                if (e->d_name[0] != '.' && strlen(e->d_name) < IFNAMSIZ)
                        strcpy(ret[n++], e->d_name);
        closedir(d);
        return n;
}

/* Did vmnet make this bridge port?  A tap named by tap_name for the user
 * who owns it, or the bridge end of a login link.  Anything else — the
 * admin's uplink and taps, LXC's veths, another hypervisor's — is never
 * ours to delete.  ret_login_link gets a login link's student end. */
static bool made_by_vmnet(const char *pattern, const char *port, bool *ret_persistent,
                          char ret_login_link[IFNAMSIZ]) {
        struct user_info owner;
        uid_t uid;

        ret_login_link[0] = 0;
        *ret_persistent = false;
        if (tap_info(port, &uid, ret_persistent) == 0)
                return uid != (uid_t)-1 && user_by_uid(uid, &owner) == 0 &&
                       tap_name_index(pattern, owner.name, port) >= 0;
        return is_login_peer_name(port) && veth_peer_name(port, ret_login_link) == 0;
}

/* Is name a persistent tap that a live student owns? */
static bool owned_by_live_student(struct lab *lab, const char *name) {
        for (size_t i = 0; i < lab->students.n; i++) {
                const struct student *st = lab->students.v[i];
                if (tap_name_index(lab->config.tap_name, st->user.name, name) >= 1 &&
                    tap_is_owned_by(name, st->user.uid, NULL))
                        return true;
        }
        return false;
}

/* Re-adopts the students of the saved state whose session processes live. */
static void adopt_state(struct lab *lab, struct saved_state *saved) {
        for (size_t i = 0; i < saved->students.n; i++) {
                struct student *old = saved->students.v[i], *st;
                st = students_add(&lab->students, &old->user, old->login_tap);
                if (!st)
                        continue;
                for (size_t j = 0; j < old->n_sessions; j++) {
                        struct session *s = &old->sessions[j];
                        int pidfd = process_pidfd(s->pid, s->start_time, NULL);
                        if (pidfd < 0)
                                continue; /* gone while we were away */
                        if (student_add_session(st, s->pid, s->start_time, pidfd) < 0) {
                                close(pidfd);
                                continue;
                        }
                        if (lab->watch_pidfd)
                                lab->watch_pidfd(lab->watch_ctx, pidfd, true);
                }
                if (st->n_sessions == 0 || ensure_login_link(lab, st) < 0) {
                        log_info("%s has no live session any more", st->user.name);
                        retire_student(lab, st);
                        continue;
                }
                log_info("adopted %s: %s, %zu sessions", st->user.name, st->login_tap, st->n_sessions);
        }
}

static void remove_orphans(struct lab *lab) {
        static char names[4096][IFNAMSIZ];
        size_t n = bridge_ports(lab->config.bridge, names, 4096);

        for (size_t i = 0; i < n; i++) {
                char login_link[IFNAMSIZ];
                bool persistent;
                if (!made_by_vmnet(lab->config.tap_name, names[i], &persistent, login_link))
                        continue;
                if (login_link[0] ? is_live_login_link(lab, login_link)
                                  : !persistent || owned_by_live_student(lab, names[i]))
                        continue; /* a live student's, or a VM's tap that lives with its VM */
                log_info("removing %s, which no session owns", login_link[0] ? login_link : names[i]);
                int ifindex = (int)if_nametoindex(names[i]);
                if (ifindex > 0)
                        queue_deletion(lab, ifindex);
        }
}

int lab_start(struct lab *lab, const struct vmnet_config *config) {
        struct saved_state saved = {};
        bool created = false;
        int r;

        lab->config = *config;
        allowed_groups_resolve(config, lab->allowed_gids, &lab->n_allowed_gids);
        if (snprintf(lab->state_path, sizeof lab->state_path, "%s/state", config->run_dir) >=
            (int)sizeof lab->state_path)
                return -ENAMETOOLONG;
        r = netlink_open(&lab->nl);
        if (r < 0)
                return r;
        r = state_load(lab->state_path, &saved);
        if (r < 0 && r != -ENOENT)
                log_warn("ignoring unreadable %s: %s", lab->state_path, strerror(-r));
        if (config->uplink == VMNET_UPLINK_EXTERNAL) {
                r = bridge_ensure(lab->nl, config->bridge, false, config->address, 0, NULL);
                if (r == -ENODEV)
                        log_error("uplink = external: bridge %s does not exist; the admin makes it "
                                  "(see vmnet.conf(5))", config->bridge);
        } else {
                r = bridge_ensure(lab->nl, config->bridge, true, config->address, config->prefix_len, &created);
        }
        if (r < 0) {
                saved_state_clear(&saved);
                return r;
        }
        lab->bridge_ifindex = r;
        /* a bridge we made before a restart is still ours */
        lab->bridge_created = created ||
                (saved.bridge_created && strcmp(saved.bridge, config->bridge) == 0);
        log_info("bridge %s %s", config->bridge, created ? "created" : "adopted");
        adopt_state(lab, &saved);
        saved_state_clear(&saved);
        remove_orphans(lab);
        while (lab_has_deletions(lab))
                lab_flush_deletions(lab);
        save_state(lab);
        return 0;
}

void lab_reload(struct lab *lab, const struct vmnet_config *config) {
        struct vmnet_config next = *config;

#define KEEP(field, key)                                                                       \
        if (memcmp(&next.field, &lab->config.field, sizeof next.field) != 0) {                \
                log_warn("reload: %s changes take effect when vmnetd restarts", key);         \
                memcpy(&next.field, &lab->config.field, sizeof next.field);                   \
        }
        KEEP(socket_path, "socket");
        KEEP(run_dir, "run_dir");
        KEEP(bridge, "bridge");
        KEEP(address, "address");
        KEEP(prefix_len, "address");
        KEEP(tap_name, "tap_name");
        KEEP(uplink, "uplink");
#undef KEEP
        lab->config = next;
        allowed_groups_resolve(&lab->config, lab->allowed_gids, &lab->n_allowed_gids);
}

void lab_stop(struct lab *lab) {
        while (lab_has_deletions(lab))
                lab_flush_deletions(lab);
        save_state(lab);
        students_clear(&lab->students); /* the links stay for the next vmnetd */
        free(lab->dying);
        lab->dying = NULL;
        lab->n_dying = lab->cap_dying = 0;
        netlink_close(lab->nl);
        lab->nl = NULL;
}

int lab_down(const struct vmnet_config *config) {
        static char names[4096][IFNAMSIZ];
        static int ifindexes[4096];
        struct saved_state saved = {};
        struct nl_sock *nl;
        char path[PATH_MAX];
        size_t n, m = 0;
        int r;

        r = netlink_open(&nl);
        if (r < 0)
                return r;
        if (snprintf(path, sizeof path, "%s/state", config->run_dir) >= (int)sizeof path) {
                netlink_close(nl);
                return -ENAMETOOLONG;
        }
        r = state_load(path, &saved);
        bool created = r == -ENOENT ? config->uplink != VMNET_UPLINK_EXTERNAL
                                    : r >= 0 && saved.bridge_created;
        saved_state_clear(&saved);
        n = bridge_ports(config->bridge, names, 4096);
        for (size_t i = 0; i < n; i++) {
                char login_link[IFNAMSIZ];
                bool persistent;
                int ifindex = (int)if_nametoindex(names[i]);
                if (ifindex > 0 && made_by_vmnet(config->tap_name, names[i], &persistent, login_link))
                        ifindexes[m++] = ifindex;
        }
        if (m > 0)
                log_info("removing %zu taps and login links", m);
        links_delete(nl, ifindexes, m);
        if (created && config->uplink != VMNET_UPLINK_EXTERNAL && bridge_exists(nl, config->bridge)) {
                r = link_delete_by_name(nl, config->bridge);
                if (r < 0)
                        log_error("cannot delete bridge %s: %s", config->bridge, strerror(-r));
                else
                        log_info("bridge %s removed", config->bridge);
        }
        netlink_close(nl);
        return 0;
}

int lab_owner_of_mac(const uint8_t mac[6], uid_t *ret_uid, char ret_user[VMNET_USER_MAX + 1], void *userdata) {
        struct lab *lab = userdata;
        struct user_info user;
        char port[IFNAMSIZ];
        uid_t owner;
        bool persistent;

        char login_link[IFNAMSIZ];

        if (fdb_port_of_mac(lab->config.bridge, mac, port) < 0)
                return -ENOENT;
        if (made_by_vmnet(lab->config.tap_name, port, &persistent, login_link) && login_link[0]) {
                /* behind a login link: its student's */
                const struct student *st = student_of_login_link(lab, login_link);
                if (!st)
                        return -ENOENT;
                *ret_uid = st->user.uid;
                strcpy(ret_user, st->user.name);
                return 0;
        }
        if (tap_info(port, &owner, &persistent) < 0 || owner == (uid_t)-1)
                return -ENOENT;
        if (user_by_uid(owner, &user) < 0)
                return -ENOENT;
        *ret_uid = owner;
        strcpy(ret_user, user.name);
        return 0;
}
