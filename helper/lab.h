/* The lab: the bridge and every student's taps, kept in step with the
 * kernel and with run_dir/state.  Each request handler in requests.c is a
 * thin layer of authorisation over one of these operations. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "students.h"

struct nl_sock;

struct lab {
        struct vmnet_config config;
        struct nl_sock *nl;
        int bridge_ifindex;
        bool bridge_created;
        gid_t allowed_gids[CONFIG_GROUPS_MAX];
        size_t n_allowed_gids;
        struct students students;
        char state_path[PATH_MAX];
        int *dying;              /* ifindexes waiting for the batched deletion */
        size_t n_dying, cap_dying;
        /* called to start (add) or stop watching a session's pidfd */
        void (*watch_pidfd)(void *ctx, int pidfd, bool add);
        void *watch_ctx;
};

/* Opens netlink, makes or adopts the bridge, and adopts what run_dir/state
 * says is alive (login links re-plugged, sessions re-watched); removes the
 * login links and persistent taps of vmnet's on the bridge that no live
 * session owns (never a link vmnet did not make). */
int lab_start(struct lab *lab, const struct vmnet_config *config);
/* Applies a reloaded config: keys that need a restart keep their old value
 * (logged). */
void lab_reload(struct lab *lab, const struct vmnet_config *config);
/* SIGTERM: state saved, the links of live sessions stay and keep working. */
void lab_stop(struct lab *lab);
/* --down: removes every tap and login link vmnet made on the bridge, and
 * the bridge if we made it. */
int lab_down(const struct vmnet_config *config);

/* Each returns an enum vmnet_status. */
int lab_open_session(struct lab *lab, const char *user, pid_t pid, int peer_pidfd, char ret_tap[IFNAMSIZ]);
int lab_close_session(struct lab *lab, const char *user, pid_t pid);
/* want: VMNET_TAP_WANT_* bits; each takes the ones that mean something for it. */
int lab_tap_add(struct lab *lab, const struct user_info *user, uint8_t want, char ret_tap[IFNAMSIZ]);
int lab_tap_del(struct lab *lab, const struct user_info *user, const char *tap);
int lab_vm_tap(struct lab *lab, const struct user_info *user, const char *bridge, uint8_t want,
               char ret_tap[IFNAMSIZ], int *ret_fd);
int lab_status(struct lab *lab, const struct user_info *user, struct vmnet_reply *ret);

/* The process behind a watched pidfd ended. */
void lab_session_died(struct lab *lab, int pidfd);
/* Deletes links waiting for deletion, a batch of them in one kernel
 * operation; call again while lab_has_deletions(). */
void lab_flush_deletions(struct lab *lab);
bool lab_has_deletions(const struct lab *lab);

/* For the hosts snapshot: whose tap the guest with this MAC sits on. */
int lab_owner_of_mac(const uint8_t mac[6], uid_t *ret_uid, char ret_user[VMNET_USER_MAX + 1], void *lab);
