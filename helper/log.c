/* vmnetd's log (see log.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "log.h"
#include "log_limit.h"

static bool log_to_stderr = true;
static bool log_debug_enabled;
static struct log_limit peer_limit;
static bool have_peer;
static uid_t peer_uid;

void log_open(bool to_stderr, bool debug) {
        log_to_stderr = to_stderr;
        log_debug_enabled = debug;
        if (!to_stderr)
                openlog("vmnetd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_peer(uid_t uid) {
        have_peer = true;
        peer_uid = uid;
}

void log_clear_peer(void) {
        have_peer = false;
}

static void emit(int priority, const char *fmt, va_list ap) {
        static const char *const prefix[] = {
                [LOG_ERR] = "error: ", [LOG_WARNING] = "warning: ",
                [LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
        };

        if (log_to_stderr) {
                fprintf(stderr, "vmnetd: %s", priority <= LOG_DEBUG && prefix[priority] ? prefix[priority] : "");
                vfprintf(stderr, fmt, ap);
                fputc('\n', stderr);
        } else {
                vsyslog(priority, fmt, ap);
        }
}

static void emit_line(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit_line(int priority, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        emit(priority, fmt, ap);
        va_end(ap);
}

/* Whether a message may go out now; says first how many were held back. */
static bool may_log(void) {
        unsigned suppressed = 0;
        int saved_errno = errno;

        if (!have_peer || peer_uid == 0)
                return true;
        bool ok = log_limit_allow(&peer_limit, peer_uid, now_ms(), &suppressed);
        if (ok && suppressed > 0)
                emit_line(LOG_WARNING, "%u messages about uid %u were suppressed (at most %u in %u s)", suppressed,
                          (unsigned)peer_uid, LOG_LIMIT_BURST, LOG_LIMIT_INTERVAL_MS / 1000);
        errno = saved_errno;
        return ok;
}

void log_msg(int priority, const char *fmt, ...) {
        va_list ap;

        if (priority == LOG_DEBUG && !log_debug_enabled)
                return;
        if (!may_log())
                return;
        va_start(ap, fmt);
        emit(priority, fmt, ap);
        va_end(ap);
}

int log_errno_msg(int priority, int error, const char *fmt, ...) {
        va_list ap;

        error = abs(error);
        if ((priority != LOG_DEBUG || log_debug_enabled) && may_log()) {
                errno = error;
                va_start(ap, fmt);
                emit(priority, fmt, ap);
                va_end(ap);
        }
        return -error;
}
