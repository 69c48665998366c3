/* vmnetd's log (see log.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "files.h"
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

/* "vmnetd: PREFIXMESSAGE\n" to stderr in ONE write(2): stdio's unbuffered
 * stderr wrote the prefix, the message and the newline apart (3 syscalls a
 * line, 9% of a pooled login's CPU), and lines of two processes sharing the
 * journal's stream could interleave. */
static void write_line(const char *prefix, const char *fmt, va_list ap) {
        char small[512];
        char *line = small;
        int saved_errno = errno;
        va_list again;

        va_copy(again, ap);
        int head = snprintf(small, sizeof(small), "vmnetd: %s", prefix);
        errno = saved_errno; /* for the message's %m */
        int body = vsnprintf(small + head, sizeof(small) - (size_t)head, fmt, ap);
        if (body < 0) {
                va_end(again);
                return;
        }
        size_t len = (size_t)head + (size_t)body;
        if (len + 1 >= sizeof(small)) {
                line = malloc(len + 2);
                if (line) {
                        memcpy(line, small, (size_t)head);
                        errno = saved_errno;
                        vsnprintf(line + head, (size_t)body + 1, fmt, again);
                } else {
                        line = small; /* cut short rather than lost */
                        len = sizeof(small) - 2;
                }
        }
        va_end(again);
        line[len++] = '\n';
        (void)write_all(STDERR_FILENO, line, len); /* nowhere to tell of a failure */
        if (line != small)
                free(line);
        errno = saved_errno;
}

static void emit(int priority, const char *fmt, va_list ap) {
        static const char *const prefix[] = {
                [LOG_ERR] = "error: ", [LOG_WARNING] = "warning: ",
                [LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
        };

        if (log_to_stderr)
                write_line(priority <= LOG_DEBUG && prefix[priority] ? prefix[priority] : "", fmt, ap);
        else
                vsyslog(priority, fmt, ap);
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
