/* vmnetd's log: stderr in the foreground (-f), syslog otherwise.
 *
 * The error convention (systemd's): a failure is logged once, where it is
 * understood, with log_*_errno(r, ...), which returns the negative errno so
 * the caller can `return log_error_errno(r, "cannot make %s: %m", name);`
 * (%m is strerror of r).  Everything above passes r on without logging it
 * again.
 *
 * What a client makes vmnetd log is limited per uid (log_limit.h): while
 * serving a peer, the server names it with log_set_peer(), and one student
 * cannot drown the journal (root is never limited). */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include <syslog.h>

void log_open(bool to_stderr, bool debug);
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs with errno set to |error| (for %m) and returns -|error|. */
int log_errno_msg(int priority, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(r, ...) log_errno_msg(LOG_DEBUG, (r), __VA_ARGS__)
#define log_info_errno(r, ...)  log_errno_msg(LOG_INFO, (r), __VA_ARGS__)
#define log_warn_errno(r, ...)  log_errno_msg(LOG_WARNING, (r), __VA_ARGS__)
#define log_error_errno(r, ...) log_errno_msg(LOG_ERR, (r), __VA_ARGS__)

/* The messages from now on are caused by the client with this uid... */
void log_set_peer(uid_t uid);
/* ... and from now on by nobody in particular. */
void log_clear_peer(void);
