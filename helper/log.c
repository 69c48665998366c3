/* vmnetd's log (see log.h). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static bool log_to_stderr = true;
static bool log_debug_enabled;

void log_open(bool to_stderr, bool debug) {
        log_to_stderr = to_stderr;
        log_debug_enabled = debug;
        if (!to_stderr)
                openlog("vmnetd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_msg(int priority, const char *fmt, ...) {
        static const char *const prefix[] = {
                [LOG_ERR] = "error: ", [LOG_WARNING] = "warning: ",
                [LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
        };
        va_list ap;

        if (priority == LOG_DEBUG && !log_debug_enabled)
                return;
        va_start(ap, fmt);
        if (log_to_stderr) {
                fprintf(stderr, "vmnetd: %s", priority <= LOG_DEBUG && prefix[priority] ? prefix[priority] : "");
                vfprintf(stderr, fmt, ap);
                fputc('\n', stderr);
        } else {
                vsyslog(priority, fmt, ap);
        }
        va_end(ap);
}
