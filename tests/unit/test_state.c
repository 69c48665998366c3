/* run_dir/state: what vmnetd reads back after a crash — round trip through
 * state_save and state_load, and refusal of every malformed form with the
 * line it is on. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "state.h"

static void test_round_trip(void **state) {
        (void)state;
        char dir[] = "/tmp/vmnet-test-state.XXXXXX", path[64];
        struct students s = {};
        struct saved_state back;
        struct user_info a = { .name = "alice", .uid = 1001, .gid = 1001 };
        struct user_info b = { .name = "bob.smith", .uid = 1002, .gid = 100 };

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/state", dir);
        struct student *sa = students_add(&s, &a, "tap-alice");
        struct student *sb = students_add(&s, &b, "t~0123456789");
        assert_int_equal(student_add_session(sa, 100, 5555, -1), 0);
        assert_int_equal(student_add_session(sa, 200, 6666, -1), 0);
        assert_int_equal(student_add_session(sb, 300, 7777, -1), 0);
        assert_int_equal(state_save(path, "vmnet0", true, &s), 0);
        assert_int_equal(access(path, F_OK), 0);

        assert_int_equal(state_load(path, &back), 0);
        assert_string_equal(back.bridge, "vmnet0");
        assert_true(back.bridge_created);
        assert_int_equal(back.students.n, 2);
        struct student *ra = students_find(&back.students, "alice");
        struct student *rb = students_find(&back.students, "bob.smith");
        assert_non_null(ra);
        assert_non_null(rb);
        assert_string_equal(ra->login_tap, "tap-alice");
        assert_string_equal(rb->login_tap, "t~0123456789");
        assert_int_equal(ra->user.uid, 1001);
        assert_int_equal(rb->user.gid, 100);
        assert_int_equal(ra->n_sessions, 2);
        assert_int_equal(ra->sessions[1].pid, 200);
        assert_int_equal(ra->sessions[1].start_time, 6666);
        assert_int_equal(ra->sessions[0].pidfd, -1);
        saved_state_clear(&back);
        students_clear(&s);

        /* a later save replaces it whole, and no temporary file is left */
        assert_int_equal(state_save(path, "br1", false, &s), 0);
        assert_int_equal(state_load(path, &back), 0);
        assert_string_equal(back.bridge, "br1");
        assert_false(back.bridge_created);
        assert_int_equal(back.students.n, 0);
        saved_state_clear(&back);
        char tmp[80];
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        assert_int_not_equal(access(tmp, F_OK), 0);
        unlink(path);
        rmdir(dir);
}

static void test_missing(void **state) {
        (void)state;
        struct saved_state st;
        assert_int_equal(state_load("/nonexistent/vmnet/state", &st), -ENOENT);
}

static void assert_bad(const char *text, unsigned want_line) {
        struct saved_state st = { .bridge = "untouched" };
        unsigned line = 0;
        assert_int_equal(state_parse(text, strlen(text), &st, &line), -EBADMSG);
        assert_int_equal(line, want_line);
        assert_string_equal(st.bridge, "untouched");
}

static void test_malformed(void **state) {
        (void)state;
        assert_bad("", 0);
        assert_bad("vmnetd-state 2\n", 1);
        assert_bad("bridge vmnet0 created\n", 1);
        assert_bad("vmnetd-state 1\nbridge vmnet0 made\n", 2);
        assert_bad("vmnetd-state 1\nbridge vmnet0 created extra\n", 2);
        assert_bad("vmnetd-state 1\nstudent alice 1001 1001\n", 2);
        assert_bad("vmnetd-state 1\nstudent alice x 1001 tap-alice\n", 2);
        assert_bad("vmnetd-state 1\nstudent alice 1 1 tap-alice\nstudent alice 1 1 tap-alice\n", 3);
        assert_bad("vmnetd-state 1\nsession alice 100 5\n", 2);
        assert_bad("vmnetd-state 1\nstudent alice 1 1 tap-alice\nsession alice 0 5\n", 3);
        assert_bad("vmnetd-state 1\nstudent alice 1 1 tap-alice\nsession alice -4 5\n", 3);
        assert_bad("vmnetd-state 1\nstudent alice 1 1 tap-alice-is-far-too-long\n", 2);
        assert_bad("vmnetd-state 1\nsomething else\n", 2);
        char nul[] = "vmnetd-state 1\nstudent a\0ice 1 1 t\n";
        struct saved_state st;
        unsigned line;
        assert_int_equal(state_parse(nul, sizeof nul - 1, &st, &line), -EBADMSG);
        char longline[600];
        memset(longline, 'x', sizeof longline);
        memcpy(longline, "vmnetd-state 1\n", 15);
        assert_int_equal(state_parse(longline, sizeof longline, &st, &line), -EBADMSG);
}

static void test_good_text(void **state) {
        (void)state;
        const char *text = "vmnetd-state 1\nbridge br0 adopted\n\nstudent stu 7 8 tap-stu\nsession stu 42 99\n";
        struct saved_state st;
        assert_int_equal(state_parse(text, strlen(text), &st, NULL), 0);
        assert_int_equal(st.students.n, 1);
        assert_int_equal(st.students.v[0]->n_sessions, 1);
        assert_int_equal(st.students.v[0]->sessions[0].pid, 42);
        saved_state_clear(&st);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_missing),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_good_text),
        };
        return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
