/* How much one client may make vmnetd log: at most LOG_LIMIT_BURST messages
 * per uid in LOG_LIMIT_INTERVAL_MS; the rest are counted and the count is
 * told with the next message that goes out.  A student hammering the socket
 * produced 28,000 warnings in 5 s without it.  Pure: the caller gives the
 * time. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#define LOG_LIMIT_BURST       10
#define LOG_LIMIT_INTERVAL_MS 10000
#define LOG_LIMIT_UIDS        64 /* uids remembered at once; the least recent is forgotten */

struct log_limit {
        struct {
                uid_t uid;
                bool used;
                long long window_start_ms, last_ms;
                unsigned n_in_window, suppressed;
        } e[LOG_LIMIT_UIDS];
};

/* True if a message about uid may go out at now_ms; then *ret_suppressed is
 * how many were held back since the last one that went out. */
bool log_limit_allow(struct log_limit *l, uid_t uid, long long now_ms, unsigned *ret_suppressed);
