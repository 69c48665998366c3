/* vmnetd's log: stderr in the foreground (-f), syslog otherwise. */
#pragma once
#include <stdbool.h>
#include <syslog.h>

void log_open(bool to_stderr, bool debug);
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
