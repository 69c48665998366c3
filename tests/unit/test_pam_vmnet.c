/* pam_vmnet's entry points against a scripted fake vmnetd, two ways:
 *  - through libpam: pam_start_confdir() on a service file in a temporary
 *    directory naming build/pam_vmnet.so (nothing in /etc is read or
 *    written), then pam_open_session/pam_close_session as an application
 *    calls them.  The service has no other module, so the module's own
 *    answer shows: PAM_SUCCESS stays PAM_SUCCESS, PAM_IGNORE becomes
 *    PAM_PERM_DENIED (libpam's answer when every module ignored).
 *  - directly (linked from libvmnet-pam.a), to see what it logs:
 *    pam_syslog and getuid/geteuid are replaced here.  libpam refuses
 *    pam_set_data from outside a module, so the direct calls cover the
 *    paths that give no tap. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <libgen.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>

#include <cmocka.h>
#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "fake_vmnetd.h"

/* ---- what the module logs ---- */

static char logged[4096];
static int logged_worst = 99; /* lowest (most severe) priority seen */

void pam_vsyslog(const pam_handle_t *pamh, int priority, const char *fmt, va_list args) {
        size_t n = strlen(logged);
        (void)pamh;
        if (n + 2 < sizeof logged) {
                vsnprintf(logged + n, sizeof logged - n - 1, fmt, args);
                strcat(logged, "\n");
        }
        if (priority < logged_worst)
                logged_worst = priority;
}

void pam_syslog(const pam_handle_t *pamh, int priority, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        pam_vsyslog(pamh, priority, fmt, ap);
        va_end(ap);
}

/* ---- who we are ---- */

static int fake_uid = -1; /* -1: the real one */

uid_t getuid(void) {
        return fake_uid >= 0 ? (uid_t)fake_uid : (uid_t)syscall(SYS_getuid);
}

uid_t geteuid(void) {
        return fake_uid >= 0 ? (uid_t)fake_uid : (uid_t)syscall(SYS_geteuid);
}

/* The module must never talk to the user. */
static int conversation(int n, const struct pam_message **msg, struct pam_response **resp, void *data) {
        (void)n; (void)msg; (void)resp; (void)data;
        fail_msg("pam_vmnet called the conversation function");
        return PAM_CONV_ERR;
}

static struct fake_vmnetd fake = { .report_fd = -1 };
static char opt_socket[160];
static char confdir[64]; /* holds the service file of start_stack() */

static pam_handle_t *start_pam(const char *user) {
        static const struct pam_conv conv = { conversation, NULL };
        pam_handle_t *pamh = NULL;
        assert_int_equal(pam_start("vmnet-unit-test-nonexistent", user, &conv, &pamh), PAM_SUCCESS);
        return pamh;
}

static int setup(void **state) {
        (void)state;
        logged[0] = 0;
        logged_worst = 99;
        fake_uid = -1;
        snprintf(opt_socket, sizeof opt_socket, "socket=/nonexistent/vmnetd.sock");
        return 0;
}

static int teardown(void **state) {
        (void)state;
        fake_vmnetd_stop(&fake);
        if (confdir[0]) {
                char service[128];
                snprintf(service, sizeof service, "%s/vmnet-unit", confdir);
                unlink(service);
                rmdir(confdir);
                confdir[0] = 0;
        }
        return 0;
}

static void start_fake(const struct fake_step *steps, size_t n) {
        assert_int_equal(fake_vmnetd_start(&fake, steps, n), 0);
        snprintf(opt_socket, sizeof opt_socket, "socket=%s", fake.path);
}

/* A PAM handle whose session stack is pam_vmnet alone, with args. */

static pam_handle_t *start_stack(const char *user, const char *args) {
        static const struct pam_conv conv = { conversation, NULL };
        char exe[PATH_MAX], so[PATH_MAX + 32], service[128];
        pam_handle_t *pamh = NULL;
        struct stat st;
        ssize_t n;

        n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        assert_true(n > 0);
        exe[n] = 0;
        /* build/tests/test_pam_vmnet -> build/pam_vmnet.so */
        snprintf(so, sizeof so, "%s/../pam_vmnet.so", dirname(exe));
        if (stat(so, &st) < 0) {
                print_message("%s not built: make build/pam_vmnet.so\n", so);
                skip();
        }
        if (!confdir[0]) {
                snprintf(confdir, sizeof confdir, "/tmp/pam-vmnet-unit.XXXXXX");
                assert_non_null(mkdtemp(confdir));
        }
        snprintf(service, sizeof service, "%s/vmnet-unit", confdir);
        FILE *f = fopen(service, "we");
        assert_non_null(f);
        fprintf(f, "session required %s %s\n", so, args);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(pam_start_confdir("vmnet-unit", user, &conv, confdir, &pamh), PAM_SUCCESS);
        return pamh;
}

static void expect_request(uint8_t type, const char *user) {
        struct fake_report seen;
        assert_int_equal(fake_vmnetd_next(&fake, &seen, 1000), 0);
        assert_int_equal(seen.decode_result, 0);
        assert_int_equal(seen.req.type, type);
        assert_string_equal(seen.req.user, user);
}

static void expect_no_request(void) {
        struct fake_report seen;
        assert_int_equal(fake_vmnetd_next(&fake, &seen, 100), -ETIMEDOUT);
}

static void test_open_and_close(void **state) {
        (void)state;
        const struct fake_step steps[] = {
                { FAKE_REPLY, VMNET_OK, "tap-stu1", NULL, 0, false },
                { FAKE_REPLY, VMNET_OK, NULL, NULL, 0, false },
        };
        char args[200];
        start_fake(steps, 2);
        snprintf(args, sizeof args, "%s timeout=1000", opt_socket);
        int fds = count_open_fds();
        pam_handle_t *pamh = start_stack("stu1", args);

        assert_int_equal(pam_open_session(pamh, 0), PAM_SUCCESS);
        expect_request(VMNET_MSG_OPEN, "stu1");
        assert_string_equal(pam_getenv(pamh, "VMNET_TAP"), "tap-stu1");
        assert_int_equal(pam_close_session(pamh, 0), PAM_SUCCESS);
        expect_request(VMNET_MSG_CLOSE, "stu1");
        /* a second close sends nothing (vmnetd counted one session) and
         * the module ignores it */
        assert_int_equal(pam_close_session(pamh, 0), PAM_PERM_DENIED);
        expect_no_request();
        assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
        assert_int_equal(count_open_fds(), fds);
}

/* No global state: two sessions in one process (sshd's monitor runs one
 * per connection, a display manager several) are independent. */
static void test_two_sessions_one_process(void **state) {
        (void)state;
        const struct fake_step steps[] = {
                { FAKE_REPLY, VMNET_OK, "tap-stu1", NULL, 0, false },
                { FAKE_REPLY, VMNET_OK, "tap-stu2", NULL, 0, false },
                { FAKE_REPLY, VMNET_OK, NULL, NULL, 0, false },
                { FAKE_REPLY, VMNET_OK, NULL, NULL, 0, false },
        };
        start_fake(steps, 4);
        pam_handle_t *a = start_stack("stu1", opt_socket), *b = start_stack("stu2", opt_socket);

        assert_int_equal(pam_open_session(a, 0), PAM_SUCCESS);
        expect_request(VMNET_MSG_OPEN, "stu1");
        assert_int_equal(pam_open_session(b, 0), PAM_SUCCESS);
        expect_request(VMNET_MSG_OPEN, "stu2");
        assert_string_equal(pam_getenv(a, "VMNET_TAP"), "tap-stu1");
        assert_string_equal(pam_getenv(b, "VMNET_TAP"), "tap-stu2");
        assert_int_equal(pam_close_session(b, 0), PAM_SUCCESS);
        expect_request(VMNET_MSG_CLOSE, "stu2");
        assert_int_equal(pam_close_session(a, 0), PAM_SUCCESS);
        expect_request(VMNET_MSG_CLOSE, "stu1");
        pam_end(a, PAM_SUCCESS);
        pam_end(b, PAM_SUCCESS);
}

/* A session that got no tap must not send CLOSE: vmnetd would count down
 * another login of the same user and take its tap away. */
static void test_close_without_open_sends_nothing(void **state) {
        (void)state;
        const struct fake_step steps[] = {
                { FAKE_REPLY, VMNET_ERR_BUSY, NULL, NULL, 0, false },
                { FAKE_REPLY, VMNET_OK, NULL, NULL, 0, false },
        };
        start_fake(steps, 2);
        pam_handle_t *pamh = start_stack("stu1", opt_socket);

        assert_int_equal(pam_close_session(pamh, 0), PAM_PERM_DENIED);
        expect_no_request();
        assert_int_equal(pam_open_session(pamh, 0), PAM_PERM_DENIED);
        expect_request(VMNET_MSG_OPEN, "stu1");
        assert_null(pam_getenv(pamh, "VMNET_TAP"));
        assert_int_equal(pam_close_session(pamh, 0), PAM_PERM_DENIED);
        expect_no_request();
        pam_end(pamh, PAM_SUCCESS);
}

static void test_vmnetd_not_running(void **state) {
        (void)state;
        const char *argv[] = { opt_socket };
        int fds = count_open_fds();
        pam_handle_t *pamh = start_pam("stu1");

        fake_uid = 0;
        assert_int_equal(pam_sm_open_session(pamh, 0, 1, argv), PAM_IGNORE);
        assert_null(pam_getenv(pamh, "VMNET_TAP"));
        assert_non_null(strstr(logged, "vmnetd is not running"));
        assert_int_equal(logged_worst, LOG_WARNING);
        /* the failed open left nothing to close */
        logged[0] = 0;
        assert_int_equal(pam_sm_close_session(pamh, 0, 1, argv), PAM_IGNORE);
        assert_string_equal(logged, "");
        pam_end(pamh, PAM_SUCCESS);
        assert_int_equal(count_open_fds(), fds);
}

static void test_vmnetd_stuck(void **state) {
        (void)state;
        const struct fake_step steps[] = { { FAKE_SILENT, 0, NULL, NULL, 0, false } };
        start_fake(steps, 1);
        const char *argv[] = { opt_socket, "timeout=200" };
        int fds = count_open_fds();
        pam_handle_t *pamh = start_pam("stu1");

        fake_uid = 0;
        long long t0 = monotonic_ms();
        assert_int_equal(pam_sm_open_session(pamh, 0, 2, argv), PAM_IGNORE);
        long long took = monotonic_ms() - t0;
        assert_true(took >= 190 && took < 200 + 1000);
        assert_null(pam_getenv(pamh, "VMNET_TAP"));
        assert_non_null(strstr(logged, "did not answer"));
        assert_int_equal(logged_worst, LOG_ERR);
        pam_end(pamh, PAM_SUCCESS);
        assert_int_equal(count_open_fds(), fds);
}

static void test_not_allowed_is_silent(void **state) {
        (void)state;
        const struct fake_step steps[] = {
                { FAKE_REPLY, VMNET_ERR_NOT_ALLOWED, NULL, NULL, 0, false },
                { FAKE_REPLY, VMNET_ERR_NOT_ALLOWED, NULL, NULL, 0, false },
        };
        start_fake(steps, 2);
        const char *argv[] = { opt_socket, "debug" };
        pam_handle_t *pamh = start_pam("outsider");

        fake_uid = 0;
        assert_int_equal(pam_sm_open_session(pamh, 0, 1, argv), PAM_IGNORE);
        expect_request(VMNET_MSG_OPEN, "outsider");
        assert_null(pam_getenv(pamh, "VMNET_TAP"));
        assert_string_equal(logged, "");
        /* with debug, a note at debug priority */
        assert_int_equal(pam_sm_open_session(pamh, 0, 2, argv), PAM_IGNORE);
        assert_non_null(strstr(logged, "allow_groups"));
        assert_int_equal(logged_worst, LOG_DEBUG);
        assert_int_equal(pam_sm_close_session(pamh, 0, 1, argv), PAM_IGNORE);
        pam_end(pamh, PAM_SUCCESS);
}

static void test_refused(void **state) {
        (void)state;
        const struct fake_step steps[] = {
                { FAKE_REPLY, VMNET_ERR_INTERNAL, NULL, NULL, 0, false },
                { FAKE_REPLY, VMNET_ERR_REFUSED, NULL, NULL, 0, false },
        };
        start_fake(steps, 2);
        const char *argv[] = { opt_socket };
        pam_handle_t *pamh = start_pam("stu1");

        fake_uid = 0;
        assert_int_equal(pam_sm_open_session(pamh, 0, 1, argv), PAM_IGNORE);
        assert_non_null(strstr(logged, vmnet_status_string(VMNET_ERR_INTERNAL)));
        assert_int_equal(logged_worst, LOG_ERR);

        /* a caller that is not root is refused by vmnetd: expected, quiet */
        logged[0] = 0;
        logged_worst = 99;
        fake_uid = 1000;
        assert_int_equal(pam_sm_open_session(pamh, 0, 1, argv), PAM_IGNORE);
        expect_request(VMNET_MSG_OPEN, "stu1");
        assert_string_equal(logged, "");
        assert_null(pam_getenv(pamh, "VMNET_TAP"));
        pam_end(pamh, PAM_SUCCESS);
}

static void test_not_root_and_no_vmnetd_is_quiet(void **state) {
        (void)state;
        const char *argv[] = { opt_socket };
        pam_handle_t *pamh = start_pam("stu1");
        fake_uid = 1000;
        assert_int_equal(pam_sm_open_session(pamh, 0, 1, argv), PAM_IGNORE);
        assert_string_equal(logged, "");
        pam_end(pamh, PAM_SUCCESS);
}

static void test_bad_user(void **state) {
        (void)state;
        const struct fake_step steps[] = { { FAKE_REPLY, VMNET_OK, "tap-x", NULL, 0, false } };
        start_fake(steps, 1);
        const char *argv[] = { opt_socket };
        char long_user[VMNET_USER_MAX + 2];
        memset(long_user, 'u', sizeof long_user - 1);
        long_user[sizeof long_user - 1] = 0;

        pam_handle_t *pamh = start_pam(long_user);
        assert_int_equal(pam_sm_open_session(pamh, 0, 1, argv), PAM_IGNORE);
        assert_non_null(strstr(logged, "longer than"));
        pam_end(pamh, PAM_SUCCESS);

        /* no user at all: the module must not prompt for one */
        logged[0] = 0;
        pamh = start_pam(NULL);
        assert_int_equal(pam_sm_open_session(pamh, 0, 1, argv), PAM_IGNORE);
        assert_non_null(strstr(logged, "no user name"));
        pam_end(pamh, PAM_SUCCESS);
        expect_no_request();
}

static void test_options(void **state) {
        (void)state;
        const struct fake_step steps[] = {
                { FAKE_REPLY, VMNET_ERR_NOT_ALLOWED, NULL, NULL, 0, false },
        };
        start_fake(steps, 1);
        /* bad values are logged and replaced, unknown options ignored:
         * the module still asks vmnetd, on the socket given last */
        const char *argv[] = { "frobnicate", "timeout=abc", "timeout=-5", "timeout=12x",
                               "timeout=", "timeout=0", "timeout=99999999999999999999",
                               "socket=relative/path", opt_socket };
        pam_handle_t *pamh = start_pam("stu1");

        assert_int_equal(pam_sm_open_session(pamh, 0, sizeof argv / sizeof argv[0], argv), PAM_IGNORE);
        expect_request(VMNET_MSG_OPEN, "stu1");
        assert_non_null(strstr(logged, "unknown option: frobnicate\n"));
        assert_non_null(strstr(logged, "timeout=abc is not a number"));
        assert_non_null(strstr(logged, "timeout=-5 is not a number"));
        assert_non_null(strstr(logged, "timeout=12x is not a number"));
        assert_non_null(strstr(logged, "timeout= is not a number"));
        assert_non_null(strstr(logged, "timeout=0 is outside 1..10000 ms, using 1\n"));
        assert_non_null(strstr(logged, "timeout=99999999999999999999 is not a number"));
        assert_non_null(strstr(logged, "socket=relative/path is not an absolute path"));
        pam_end(pamh, PAM_SUCCESS);

        /* an over-long timeout is bounded, not taken */
        logged[0] = 0;
        const char *argv2[] = { "timeout=3600000", "socket=/nonexistent/s" };
        pamh = start_pam("stu1");
        assert_int_equal(pam_sm_open_session(pamh, 0, 2, argv2), PAM_IGNORE);
        assert_non_null(strstr(logged, "timeout=3600000 is outside 1..10000 ms, using 10000\n"));
        pam_end(pamh, PAM_SUCCESS);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_open_and_close, setup, teardown),
                cmocka_unit_test_setup_teardown(test_two_sessions_one_process, setup, teardown),
                cmocka_unit_test_setup_teardown(test_close_without_open_sends_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_vmnetd_not_running, setup, teardown),
                cmocka_unit_test_setup_teardown(test_vmnetd_stuck, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_allowed_is_silent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_root_and_no_vmnetd_is_quiet, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_user, setup, teardown),
                cmocka_unit_test_setup_teardown(test_options, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
