/* The dnsmasq a killed vmnetd left running (see dnsmasq.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "dnsmasq.h"
#include "files.h"
#include "log.h"
#include "process.h"

static void child_path(const struct vmnet_config *c, char ret[PATH_MAX + 32]) {
        snprintf(ret, PATH_MAX + 32, "%s/dnsmasq.child", c->run_dir);
}

void dnsmasq_record_child(const struct vmnet_config *c, pid_t pid) {
        char path[PATH_MAX + 32], text[64];
        unsigned long long start;
        int r;

        child_path(c, path);
        r = process_start_time(pid, &start);
        if (r >= 0) {
                int n = snprintf(text, sizeof text, "%d %llu\n", (int)pid, start);
                r = write_file_atomic(path, text, (size_t)n, 0644);
        }
        if (r < 0)
                log_warn_errno(r, "cannot write %s (a dnsmasq left by a crash could not be ended): %m", path);
}

/* Is pid running the configured dnsmasq?  Unknown (not ours to read: it
 * dropped root and we lack CAP_SYS_PTRACE) counts as yes; the start time
 * already proved which process it is. */
static bool runs_dnsmasq(pid_t pid, const char *dnsmasq) {
        char link[64], exe[PATH_MAX], want[PATH_MAX];
        ssize_t n;

        snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
        n = readlink(link, exe, sizeof exe - 1);
        if (n < 0)
                return errno == EACCES || errno == EPERM;
        exe[n] = '\0';
        /* the binary replaced by an upgrade while it ran */
        size_t len = (size_t)n, tail = strlen(" (deleted)");
        if (len > tail && strcmp(exe + len - tail, " (deleted)") == 0)
                exe[len - tail] = '\0';
        if (!realpath(dnsmasq, want))
                snprintf(want, sizeof want, "%s", dnsmasq);
        return strcmp(exe, want) == 0;
}

static bool exited_within(int pidfd, int ms) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        return poll(&p, 1, ms) == 1;
}

void dnsmasq_end_leftover(const struct vmnet_config *c) {
        char path[PATH_MAX + 32];
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int pidfd = -1;
        unsigned long long start;
        size_t len;
        int pid;

        child_path(c, path);
        if (read_file_whole(path, 64, &text, &len) < 0)
                return; /* none recorded: nothing of ours is running */
        if (sscanf(text, "%d %llu", &pid, &start) != 2 || pid <= 1)
                goto done;
        /* the pidfd pins the pid: the start time read after it is proof */
        pidfd = process_pidfd(pid, start, NULL);
        if (pidfd < 0)
                goto done; /* gone, or the pid is another process's now */
        if (!runs_dnsmasq(pid, c->dnsmasq)) {
                log_warn("pid %d, recorded as vmnetd's dnsmasq, runs something else: left alone", pid);
                goto done;
        }
        log_info("ending dnsmasq pid %d left by a previous vmnetd", pid);
        if (syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) < 0)
                goto done;
        if (!exited_within(pidfd, 2000)) {
                log_warn("dnsmasq pid %d did not end within 2 s: killed", pid);
                (void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
                (void)exited_within(pidfd, 1000);
        }
done:
        (void)unlink(path);
}
