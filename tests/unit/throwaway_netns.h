/* For unit tests of generated nftables text: runs it through libnftables
 * against the real kernel, in a child process in fresh user and network
 * namespaces of its own (no privilege needed, nothing of the machine's
 * touched, all gone when the child exits). */
#pragma once
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nft.h"

struct nft_step {
        const char *commands;
        bool must_fail;    /* the kernel is expected to refuse it */
};

/* Runs fn in a child process in fresh user and network namespaces: its
 * return value (0 to 253) as it returned it, or -1 when this machine gives
 * no namespaces (the caller skips), 254 when the child died otherwise.
 * cmocka's asserts do not cross the fork: fn returns the number of the
 * check that failed, 0 when all held. */
static inline int in_throwaway_netns(int (*fn)(void *), void *userdata) {
        pid_t pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
                        _exit(255);
                _exit(fn(userdata) & 0xff);
        }
        int status;
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
                return 254;
        return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

/* Runs the steps in order in one throwaway namespace.  Returns n when each
 * did as expected, the index of the first that did not, or -1 when this
 * machine gives no namespaces (the caller skips).  With out, the output of
 * the last step (a listing) is copied there, NUL-terminated. */
static inline int nft_steps_in_netns(const struct nft_step *steps, int n, char *out, size_t out_size) {
        int pipefd[2];
        if (pipe(pipefd) < 0)
                return -1;
        pid_t pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                close(pipefd[0]);
                if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
                        _exit(255);
                for (int i = 0; i < n; i++) {
                        char *output = NULL;
                        int r = nft_run(steps[i].commands, steps[i].must_fail ? NFT_RUN_QUIET : 0,
                                        i == n - 1 ? &output : NULL);
                        if ((r < 0) != steps[i].must_fail)
                                _exit(i);
                        if (output && write(pipefd[1], output, strlen(output)) < 0)
                                _exit(i);
                        free(output);
                }
                _exit(254);
        }
        close(pipefd[1]);
        size_t len = 0;
        ssize_t k;
        char sink[4096];
        while ((k = read(pipefd[0], out && len + 1 < out_size ? out + len : sink,
                         out && len + 1 < out_size ? out_size - 1 - len : sizeof sink)) > 0)
                if (out && len + 1 < out_size)
                        len += (size_t)k;
        if (out && out_size)
                out[len] = '\0';
        close(pipefd[0]);
        int status;
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
                return 0;
        int code = WEXITSTATUS(status);
        return code == 255 ? -1 : code == 254 ? n : code;
}
