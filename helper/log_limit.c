/* Per-uid log limit (see log_limit.h). */
#define _GNU_SOURCE
#include "log_limit.h"

bool log_limit_allow(struct log_limit *l, uid_t uid, long long now_ms, unsigned *ret_suppressed) {
        unsigned i, victim = 0;

        for (i = 0; i < LOG_LIMIT_UIDS; i++) {
                if (l->e[i].used && l->e[i].uid == uid)
                        break;
                if (!l->e[victim].used)
                        continue;
                if (!l->e[i].used || l->e[i].last_ms < l->e[victim].last_ms)
                        victim = i;
        }
        if (i == LOG_LIMIT_UIDS) {
                i = victim;
                l->e[i].used = true;
                l->e[i].uid = uid;
                l->e[i].window_start_ms = now_ms;
                l->e[i].n_in_window = l->e[i].suppressed = 0;
        }
        l->e[i].last_ms = now_ms;
        if (now_ms - l->e[i].window_start_ms >= LOG_LIMIT_INTERVAL_MS) {
                l->e[i].window_start_ms = now_ms;
                l->e[i].n_in_window = 0;
        }
        if (l->e[i].n_in_window >= LOG_LIMIT_BURST) {
                l->e[i].suppressed++;
                return false;
        }
        l->e[i].n_in_window++;
        *ret_suppressed = l->e[i].suppressed;
        l->e[i].suppressed = 0;
        return true;
}
