/* The client side of the conversation with vmnetd (common/client.c),
 * against a scripted fake server: deadlines kept, errors told apart, fds
 * passed or closed, never one leaked, never a SIGPIPE. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "client.h"
#include "fake_vmnetd.h"

static struct fake_vmnetd fake = { .report_fd = -1 };

static int teardown(void **state) {
        (void)state;
        fake_vmnetd_stop(&fake);
        return 0;
}

static struct vmnet_request open_request(const char *user) {
        struct vmnet_request req = { .type = VMNET_MSG_OPEN };
        snprintf(req.user, sizeof req.user, "%s", user);
        return req;
}

static void test_request_and_reply(void **state) {
        (void)state;
        const struct fake_step steps[] = {
                { FAKE_REPLY, VMNET_OK, "tap-alice", NULL, 0, false },
                { FAKE_REPLY, VMNET_ERR_QUOTA, NULL, NULL, 0, false },
        };
        struct vmnet_request req = open_request("alice");
        struct vmnet_reply rep;
        struct fake_report seen;
        int fd = 42;

        assert_int_equal(fake_vmnetd_start(&fake, steps, 2), 0);
        int fds = count_open_fds();
        assert_int_equal(vmnet_client_request(fake.path, &req, &rep, &fd, 1000), 0);
        assert_int_equal(rep.type, VMNET_MSG_OPEN);
        assert_int_equal(rep.status, VMNET_OK);
        assert_string_equal(rep.tap, "tap-alice");
        assert_int_equal(fd, -1);
        assert_int_equal(fake_vmnetd_next(&fake, &seen, 1000), 0);
        assert_int_equal(seen.decode_result, 0);
        assert_int_equal(seen.req.type, VMNET_MSG_OPEN);
        assert_string_equal(seen.req.user, "alice");

        /* a refusal is a reply like any other: the call itself succeeded */
        assert_int_equal(vmnet_client_request(fake.path, &req, &rep, NULL, 1000), 0);
        assert_int_equal(rep.status, VMNET_ERR_QUOTA);
        assert_int_equal(count_open_fds(), fds);
}

static void test_not_running(void **state) {
        (void)state;
        struct vmnet_request req = open_request("alice");
        struct vmnet_reply rep;
        char path[] = "/tmp/no-vmnetd.XXXXXX", sock[64];
        int fds = count_open_fds();

        assert_non_null(mkdtemp(path));
        snprintf(sock, sizeof sock, "%s/vmnetd.sock", path);
        assert_int_equal(vmnet_client_request(sock, &req, &rep, NULL, 1000), -ENOENT);

        /* a socket file nobody listens on any more */
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
        int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
        close(s);
        assert_int_equal(vmnet_client_request(sock, &req, &rep, NULL, 1000), -ECONNREFUSED);
        unlink(sock);
        rmdir(path);

        char long_path[200];
        memset(long_path, 'x', sizeof long_path - 1);
        long_path[0] = '/';
        long_path[sizeof long_path - 1] = 0;
        assert_int_equal(vmnet_client_connect(long_path, 1000), -ENAMETOOLONG);
        assert_int_equal(count_open_fds(), fds);
}

static void test_connected_fd_is_cloexec(void **state) {
        (void)state;
        const struct fake_step steps[] = { { FAKE_SILENT, 0, NULL, NULL, 0, false } };
        assert_int_equal(fake_vmnetd_start(&fake, steps, 1), 0);
        int fd = vmnet_client_connect(fake.path, 1000);
        assert_true(fd >= 0);
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        close(fd);
}

/* vmnetd accepted (or the kernel queued us) but never answers. */
static void test_silent_server_times_out(void **state) {
        (void)state;
        const struct fake_step steps[] = { { FAKE_SILENT, 0, NULL, NULL, 0, false } };
        struct vmnet_request req = open_request("alice");
        struct vmnet_reply rep;

        assert_int_equal(fake_vmnetd_start(&fake, steps, 1), 0);
        int fds = count_open_fds();
        long long t0 = monotonic_ms();
        assert_int_equal(vmnet_client_request(fake.path, &req, &rep, NULL, 200), -ETIMEDOUT);
        long long took = monotonic_ms() - t0;
        assert_true(took >= 190);
        assert_true(took < 200 + 1000);
        assert_int_equal(count_open_fds(), fds);
}

/* A server that never accepts: connect itself must wait no longer than
 * the deadline when the listen queue is full. */
static void test_full_backlog_times_out(void **state) {
        (void)state;
        const struct fake_step steps[] = { { FAKE_NO_ACCEPT, 0, NULL, NULL, 0, false } };
        struct vmnet_request req = open_request("alice");
        struct vmnet_reply rep;

        assert_int_equal(fake_vmnetd_start(&fake, steps, 1), 0);
        /* fill the queue of a backlog of 0: one waiting connection */
        int filler = vmnet_client_connect(fake.path, 1000);
        assert_true(filler >= 0);
        int fds = count_open_fds();
        long long t0 = monotonic_ms();
        assert_int_equal(vmnet_client_connect(fake.path, 200), -ETIMEDOUT);
        assert_int_equal(vmnet_client_request(fake.path, &req, &rep, NULL, 200), -ETIMEDOUT);
        long long took = monotonic_ms() - t0;
        assert_true(took >= 380);
        assert_true(took < 400 + 1000);
        assert_int_equal(count_open_fds(), fds);
        close(filler);
}

/* The server hangs up before reading: the send must not raise SIGPIPE
 * (which would kill sshd's monitor) but fail with an error. */
static void test_hangup_no_sigpipe(void **state) {
        (void)state;
        const struct fake_step steps[] = { { FAKE_HANGUP, 0, NULL, NULL, 0, false } };
        struct vmnet_request req = open_request("alice");
        struct vmnet_reply rep;
        struct fake_report seen;

        assert_int_equal(fake_vmnetd_start(&fake, steps, 1), 0);
        int fd = vmnet_client_connect(fake.path, 1000);
        assert_true(fd >= 0);
        assert_int_equal(fake_vmnetd_next(&fake, &seen, 1000), 0);
        assert_int_equal(seen.decode_result, 1);
        /* SIGPIPE keeps its default action here: it would end the test */
        int r = vmnet_client_call(fd, &req, &rep, NULL, 1000);
        assert_true(r == -EPIPE || r == -ECONNRESET);
        close(fd);
}

static void test_bad_replies(void **state) {
        (void)state;
        static const uint8_t garbage[] = { 0xde, 0xad, 0xbe, 0xef, 0x00 };
        static const uint8_t wrong_version[] = { 9, 0x81, 0, 0 };
        static const uint8_t wrong_type[] = { 1, 0x82, 0, 0 };   /* CLOSE reply to an OPEN */
        static const uint8_t trailing[] = { 1, 0x81, 0, 1, 0 };
        static uint8_t oversized[VMNET_MSG_MAX + 100];
        memcpy(oversized, "\x01\x81\x00\x00\x03tap", 8);
        const struct fake_step steps[] = {
                { FAKE_RAW, 0, NULL, garbage, sizeof garbage, false },
                { FAKE_RAW, 0, NULL, wrong_version, sizeof wrong_version, false },
                { FAKE_RAW, 0, NULL, wrong_type, sizeof wrong_type, true },
                { FAKE_RAW, 0, NULL, trailing, sizeof trailing, true },
                { FAKE_RAW, 0, NULL, oversized, sizeof oversized, true },
                { FAKE_RAW, 0, NULL, NULL, 0, false },
        };
        const int want[] = { -EPROTO, -EPROTO, -EBADMSG, -EBADMSG, -EBADMSG, -ECONNRESET };
        struct vmnet_request req = open_request("alice");

        assert_int_equal(fake_vmnetd_start(&fake, steps, 6), 0);
        int fds = count_open_fds();
        for (size_t i = 0; i < 6; i++) {
                struct vmnet_reply rep;
                int fd = 42;
                assert_int_equal(vmnet_client_request(fake.path, &req, &rep, &fd, 1000), want[i]);
                /* a passed fd that came with a bad reply is closed, not leaked */
                assert_int_equal(count_open_fds(), fds);
        }
}

static void test_passed_fd(void **state) {
        (void)state;
        const struct fake_step steps[] = {
                { FAKE_REPLY, VMNET_OK, "tap-vm1", NULL, 0, true },
                { FAKE_REPLY, VMNET_OK, "tap-vm2", NULL, 0, true },
        };
        struct vmnet_request req = { .type = VMNET_MSG_VM_TAP };
        struct vmnet_reply rep;
        int fd = -1;

        snprintf(req.bridge, sizeof req.bridge, "vmnet0");
        assert_int_equal(fake_vmnetd_start(&fake, steps, 2), 0);
        int fds = count_open_fds();
        assert_int_equal(vmnet_client_request(fake.path, &req, &rep, &fd, 1000), 0);
        assert_string_equal(rep.tap, "tap-vm1");
        assert_true(fd >= 0);
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        assert_int_equal(count_open_fds(), fds + 1);
        close(fd);

        /* not asked for: closed */
        assert_int_equal(vmnet_client_request(fake.path, &req, &rep, NULL, 1000), 0);
        assert_string_equal(rep.tap, "tap-vm2");
        assert_int_equal(count_open_fds(), fds);
}

static void test_encode_error_sends_nothing(void **state) {
        (void)state;
        const struct fake_step steps[] = { { FAKE_REPLY, VMNET_OK, "tap-x", NULL, 0, false } };
        struct vmnet_request req = { .type = VMNET_MSG_OPEN }; /* no user */
        struct vmnet_reply rep;
        struct fake_report seen;

        assert_int_equal(fake_vmnetd_start(&fake, steps, 1), 0);
        int fds = count_open_fds();
        assert_int_equal(vmnet_client_request(fake.path, &req, &rep, NULL, 1000), -EINVAL);
        assert_int_equal(count_open_fds(), fds);
        /* the fake saw a connection that closed without a message */
        assert_int_equal(fake_vmnetd_next(&fake, &seen, 1000), 0);
        assert_int_equal(seen.decode_result, -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_request_and_reply, teardown),
                cmocka_unit_test_teardown(test_not_running, teardown),
                cmocka_unit_test_teardown(test_connected_fd_is_cloexec, teardown),
                cmocka_unit_test_teardown(test_silent_server_times_out, teardown),
                cmocka_unit_test_teardown(test_full_backlog_times_out, teardown),
                cmocka_unit_test_teardown(test_hangup_no_sigpipe, teardown),
                cmocka_unit_test_teardown(test_bad_replies, teardown),
                cmocka_unit_test_teardown(test_passed_fd, teardown),
                cmocka_unit_test_teardown(test_encode_error_sends_nothing, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
