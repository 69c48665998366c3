/* caller_uid(): the real uid, from memory only where it can never change.
 * Each case runs in a child of its own (the answer is kept per process):
 * root (CAP_SETUID) is asked at every call and follows its own change; a
 * process with one uid and no CAP_SETUID is answered from memory; one
 * whose saved uid is another may switch back, and is asked every time. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "caller_uid.h"

#define NOBODY 65534

/* Runs fn in a child; its exit status is the number of the failed check. */
static void in_child(int (*fn)(void)) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(fn());
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) != 0)
                fail_msg("check %d failed in the child", WEXITSTATUS(status));
}

static int root_is_asked_every_time(void) {
        if (caller_uid() != 0 || caller_uid_is_fixed())
                return 1;
        /* real uid to nobody, saved 0 kept: the next answer follows */
        if (setresuid(NOBODY, 0, 0) < 0)
                return 2;
        if (caller_uid() != NOBODY || caller_uid_is_fixed())
                return 3;
        return 0;
}

static int one_uid_no_capability_is_kept(void) {
        /* all three nonzero: the kernel clears the permitted set */
        if (setresuid(NOBODY, NOBODY, NOBODY) < 0)
                return 1;
        if (caller_uid() != NOBODY || !caller_uid_is_fixed())
                return 2;
        if (caller_uid() != NOBODY)
                return 3;
        return 0;
}

static int saved_uid_other_is_asked(void) {
        /* saved 0: CAP_SETUID stays permitted, and the real uid may go back */
        if (setresuid(NOBODY, NOBODY, 0) < 0)
                return 1;
        if (caller_uid() != NOBODY || caller_uid_is_fixed())
                return 2;
        if (setresuid(0, -1, -1) < 0)
                return 3;
        if (caller_uid() != 0)
                return 4;
        return 0;
}

static void test_cases(void **state) {
        (void)state;
        if (geteuid() != 0 || getuid() != 0)
                skip(); /* changing uids needs root */
        in_child(root_is_asked_every_time);
        in_child(one_uid_no_capability_is_kept);
        in_child(saved_uid_other_is_asked);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cases),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
