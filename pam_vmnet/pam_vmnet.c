/* pam_vmnet: asks vmnetd for the user's login tap when a session opens and
 * gives it back when the session closes.
 *
 * It runs inside sshd, login, display managers, su and cron, so it never
 * writes to stdout or stderr, never touches signals, starts no thread,
 * leaves no fd open (client.c makes every fd CLOEXEC and closes it) and
 * keeps no global state.  A login never fails or hangs because of it:
 * every failure is logged and the call returns within timeout=MS. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "client.h"
#include "client_messages.h"

#define PAM_VMNET_EXPORT __attribute__((visibility("default")))

#define TIMEOUT_DEFAULT_MS 1500
/* Longer than this and a stuck vmnetd would be felt as a hung login. */
#define TIMEOUT_MAX_MS     10000
#define TIMEOUT_MIN_MS     1

/* pam_set_data key: set when OPEN succeeded, so that close_session sends
 * CLOSE only for a session vmnetd counted (an unmatched CLOSE would end
 * another login's tap). */
#define DATA_OPENED "pam_vmnet_opened"

struct options {
        const char *socket;
        bool socket_given; /* socket= was set: that one and no other */
        unsigned timeout_ms;
        bool debug;
};

/* The value of "key=value" when arg starts with prefix "key=", else NULL. */
static const char *option_value(const char *arg, const char *prefix) {
        size_t n = strlen(prefix);
        return strncmp(arg, prefix, n) == 0 ? arg + n : NULL;
}

static void parse_args(pam_handle_t *pamh, int argc, const char **argv, struct options *ret) {
        struct options o = {
                .socket = VMNET_ROOT_SOCKET,
                .timeout_ms = TIMEOUT_DEFAULT_MS,
                .debug = false,
        };

        for (int i = 0; i < argc; i++) {
                const char *a = argv[i], *v;

                if (strcmp(a, "debug") == 0)
                        o.debug = true;
                else if ((v = option_value(a, "socket="))) {
                        if (v[0] != '/')
                                pam_syslog(pamh, LOG_ERR, "socket=%s is not an absolute path, using %s",
                                           v, o.socket);
                        else {
                                o.socket = v;
                                o.socket_given = true;
                        }
                } else if ((v = option_value(a, "timeout="))) {
                        char *end;
                        unsigned long ms;

                        errno = 0;
                        ms = strtoul(v, &end, 10);
                        if (!(*v >= '0' && *v <= '9') || *end || errno != 0) {
                                pam_syslog(pamh, LOG_ERR, "timeout=%s is not a number of milliseconds, using %u",
                                           v, o.timeout_ms);
                                continue;
                        }
                        if (ms < TIMEOUT_MIN_MS || ms > TIMEOUT_MAX_MS) {
                                unsigned long bounded = ms < TIMEOUT_MIN_MS ? TIMEOUT_MIN_MS : TIMEOUT_MAX_MS;
                                pam_syslog(pamh, LOG_WARNING, "timeout=%s is outside %u..%u ms, using %lu",
                                           v, TIMEOUT_MIN_MS, TIMEOUT_MAX_MS, bounded);
                                ms = bounded;
                        }
                        o.timeout_ms = (unsigned)ms;
                } else
                        pam_syslog(pamh, LOG_ERR, "unknown option: %s", a);
        }
        *ret = o;
}

/* The user of the session, or NULL (logged).  PAM_USER and not
 * pam_get_user(): a session module must never prompt. */
static const char *session_user(pam_handle_t *pamh) {
        const void *item = NULL;
        const char *user;
        int r;

        r = pam_get_item(pamh, PAM_USER, &item);
        user = item;
        if (r != PAM_SUCCESS || !user || !user[0]) {
                pam_syslog(pamh, LOG_ERR, "no user name in this session, no tap");
                return NULL;
        }
        if (strlen(user) > VMNET_USER_MAX) {
                pam_syslog(pamh, LOG_ERR, "user name longer than %d bytes, no tap", VMNET_USER_MAX);
                return NULL;
        }
        return user;
}

/* A process that is not root cannot open sessions with vmnetd (it checks
 * SO_PEERCRED): its failures are expected, logged only with debug. */
static bool caller_is_root(void) {
        return getuid() == 0 || geteuid() == 0;
}

/* Sends type for user.  Returns 0 with the reply in *ret, or a negative
 * errno after logging why vmnetd could not be asked. */
static int ask_vmnetd(pam_handle_t *pamh, const struct options *o, uint8_t type,
                      const char *user, struct vmnet_reply *ret) {
        struct vmnet_request req = { .type = type };
        const char *path = o->socket;
        char why[256];
        int r;

        strcpy(req.user, user); /* length checked by session_user() */
        r = vmnet_client_request(o->socket, &req, ret, NULL, (int)o->timeout_ms);
        /* a vmnetd from before the root socket: the public one, where root
         * is served too (refused at once, so the time is not spent) */
        if ((r == -ENOENT || r == -ECONNREFUSED) && !o->socket_given) {
                path = VMNET_DEFAULT_SOCKET;
                r = vmnet_client_request(path, &req, ret, NULL, (int)o->timeout_ms);
        }
        if (r >= 0)
                return 0;

        vmnet_client_error_message(r, path, why, sizeof why);
        if (!caller_is_root()) {
                if (o->debug)
                        pam_syslog(pamh, LOG_DEBUG, "not root, no tap for %s: %s", user, why);
        } else if (vmnet_client_error_is_unreachable(r) && r != -ETIMEDOUT)
                pam_syslog(pamh, LOG_WARNING, "no tap for %s: %s", user, why);
        else
                pam_syslog(pamh, LOG_ERR, "no tap for %s: %s (after at most %u ms)",
                           user, why, o->timeout_ms);
        return r;
}

PAM_VMNET_EXPORT int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        struct vmnet_reply rep;
        struct options o;
        const char *user;
        char env[sizeof "VMNET_TAP=" + IFNAMSIZ];
        int r;

        (void)flags;
        parse_args(pamh, argc, argv, &o);
        user = session_user(pamh);
        if (!user)
                return PAM_IGNORE;

        if (ask_vmnetd(pamh, &o, VMNET_MSG_OPEN, user, &rep) < 0)
                return PAM_IGNORE;

        switch (rep.status) {
        case VMNET_OK:
                break;
        case VMNET_ERR_NOT_ALLOWED:
                /* the admin's choice (allow_groups), not an error */
                if (o.debug)
                        pam_syslog(pamh, LOG_DEBUG, "%s is outside allow_groups, no tap", user);
                return PAM_IGNORE;
        default:
                if (caller_is_root())
                        pam_syslog(pamh, LOG_ERR, "no tap for %s: %s", user, vmnet_status_string(rep.status));
                else if (o.debug)
                        pam_syslog(pamh, LOG_DEBUG, "not root, no tap for %s: %s",
                                   user, vmnet_status_string(rep.status));
                return PAM_IGNORE;
        }

        /* From here vmnetd counts this session: remember to close it. */
        r = pam_set_data(pamh, DATA_OPENED, (void *)DATA_OPENED, NULL);
        if (r != PAM_SUCCESS)
                pam_syslog(pamh, LOG_ERR, "cannot remember the session (%s), its tap stays until "
                           "this process exits", pam_strerror(pamh, r));

        snprintf(env, sizeof env, "VMNET_TAP=%s", rep.tap);
        r = pam_putenv(pamh, env);
        if (r != PAM_SUCCESS)
                pam_syslog(pamh, LOG_ERR, "cannot set VMNET_TAP=%s: %s", rep.tap, pam_strerror(pamh, r));
        if (o.debug)
                pam_syslog(pamh, LOG_DEBUG, "session of %s opened, tap %s", user, rep.tap);
        return PAM_SUCCESS;
}

PAM_VMNET_EXPORT int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
        struct vmnet_reply rep;
        struct options o;
        const void *opened = NULL;
        const char *user;

        (void)flags;
        parse_args(pamh, argc, argv, &o);
        if (pam_get_data(pamh, DATA_OPENED, &opened) != PAM_SUCCESS || !opened) {
                if (o.debug)
                        pam_syslog(pamh, LOG_DEBUG, "no tap was opened in this session, nothing to close");
                return PAM_IGNORE;
        }
        /* once only, even if the application closes twice */
        (void)pam_set_data(pamh, DATA_OPENED, NULL, NULL);

        user = session_user(pamh);
        if (!user)
                return PAM_IGNORE;
        if (ask_vmnetd(pamh, &o, VMNET_MSG_CLOSE, user, &rep) < 0)
                return PAM_IGNORE;
        if (rep.status != VMNET_OK) {
                pam_syslog(pamh, LOG_ERR, "closing the session of %s: %s", user,
                           vmnet_status_string(rep.status));
                return PAM_IGNORE;
        }
        if (o.debug)
                pam_syslog(pamh, LOG_DEBUG, "session of %s closed", user);
        return PAM_SUCCESS;
}
