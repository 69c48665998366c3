/* helper/log.c on stderr (vmnetd -f, journald's stream): a line goes out in
 * ONE write(2) with the same bytes as ever ("vmnetd: PREFIX MESSAGE\n").
 * stderr is a SOCK_SEQPACKET socket here: each write(2) is one record, so a
 * line written in pieces shows up as several records. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"

static int reader = -1;
static int saved_stderr = -1;

static int setup(void **state) {
        int sv[2];
        (void)state;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return -1;
        saved_stderr = dup(STDERR_FILENO);
        if (saved_stderr < 0 || dup2(sv[1], STDERR_FILENO) < 0)
                return -1;
        close(sv[1]);
        reader = sv[0];
        log_open(true, false);
        return 0;
}

static int teardown(void **state) {
        (void)state;
        dup2(saved_stderr, STDERR_FILENO);
        close(saved_stderr);
        close(reader);
        return 0;
}

/* The next record written to stderr, whole; "" when there is none. */
static const char *next_record(void) {
        static char buf[4096];
        ssize_t n = recv(reader, buf, sizeof(buf) - 1, MSG_DONTWAIT);
        if (n < 0) {
                assert_int_equal(errno, EAGAIN);
                n = 0;
        }
        buf[n] = '\0';
        return buf;
}

static void test_one_write_a_line(void **state) {
        (void)state;

        log_warn("pool link %s: %d", "vmnp3", 7);
        assert_string_equal(next_record(), "vmnetd: warning: pool link vmnp3: 7\n");
        log_info("student %s logged in", "stu1");
        assert_string_equal(next_record(), "vmnetd: student stu1 logged in\n");
        log_error("cannot %s", "go on");
        assert_string_equal(next_record(), "vmnetd: error: cannot go on\n");
        assert_string_equal(next_record(), "");
}

static void test_errno_message(void **state) {
        (void)state;

        errno = EPERM;
        assert_int_equal(log_warn_errno(-ENOENT, "cannot open %s: %m", "x"), -ENOENT);
        assert_string_equal(next_record(), "vmnetd: warning: cannot open x: No such file or directory\n");
        /* debug is off: nothing */
        assert_int_equal(log_debug_errno(EEXIST, "quiet %m"), -EEXIST);
        assert_string_equal(next_record(), "");
}

static void test_long_line_whole(void **state) {
        char word[1500];
        char want[1600];
        (void)state;

        memset(word, 'a', sizeof(word) - 1);
        word[sizeof(word) - 1] = '\0';
        snprintf(want, sizeof(want), "vmnetd: error: %s: %s\n", word, strerror(EEXIST));
        log_error_errno(EEXIST, "%s: %m", word);
        assert_string_equal(next_record(), want);
        assert_string_equal(next_record(), "");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_one_write_a_line),
                cmocka_unit_test(test_errno_message),
                cmocka_unit_test(test_long_line_whole),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
