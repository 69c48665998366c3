/* What vmnet and vmnet-bridge-helper say when vmnetd cannot be reached or
 * says no, and where they look for it. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client.h"
#include "client_messages.h"

static void test_socket_path(void **state) {
        (void)state;
        unsetenv("VMNET_SOCKET");
        assert_string_equal(vmnet_client_socket_path(), VMNET_DEFAULT_SOCKET);
        setenv("VMNET_SOCKET", "", 1);
        assert_string_equal(vmnet_client_socket_path(), VMNET_DEFAULT_SOCKET);
        setenv("VMNET_SOCKET", "/tmp/t.sock", 1);
        assert_string_equal(vmnet_client_socket_path(), "/tmp/t.sock");
        unsetenv("VMNET_SOCKET");
}

static void test_unreachable(void **state) {
        char msg[256];
        (void)state;
        vmnet_client_error_message(-ENOENT, "/run/vmnet/vmnetd.sock", msg, sizeof msg);
        assert_string_equal(msg, "vmnetd is not running (no /run/vmnet/vmnetd.sock)");
        vmnet_client_error_message(-ECONNREFUSED, "/s", msg, sizeof msg);
        assert_string_equal(msg, "vmnetd is not running (nothing listens on /s)");
        assert_true(vmnet_client_error_is_unreachable(-ENOENT));
        assert_true(vmnet_client_error_is_unreachable(-ECONNREFUSED));
        assert_true(vmnet_client_error_is_unreachable(-ETIMEDOUT));
        assert_true(vmnet_client_error_is_unreachable(-EACCES));
        /* vmnetd answered, badly: an error, not "not running" */
        assert_false(vmnet_client_error_is_unreachable(-EBADMSG));
        assert_false(vmnet_client_error_is_unreachable(-ECONNRESET));
        vmnet_client_error_message(-EBADMSG, "/s", msg, sizeof msg);
        assert_non_null(strstr(msg, "different versions"));
}

static void test_short_buffer(void **state) {
        char msg[8];
        (void)state;
        memset(msg, 'x', sizeof msg);
        vmnet_client_error_message(-ENOENT, "/run/vmnet/vmnetd.sock", msg, sizeof msg);
        assert_int_equal(strlen(msg), sizeof msg - 1);
        vmnet_client_status_message(VMNET_ERR_QUOTA, msg, sizeof msg);
        assert_int_equal(strlen(msg), sizeof msg - 1);
}

static void test_status(void **state) {
        char msg[256];
        (void)state;
        vmnet_client_status_message(VMNET_ERR_QUOTA, msg, sizeof msg);
        assert_non_null(strstr(msg, "tap quota reached (max_taps)"));
        assert_non_null(strstr(msg, "vmnet tap del"));
        vmnet_client_status_message(VMNET_ERR_BUSY, msg, sizeof msg);
        assert_string_equal(msg, "vmnetd is busy, try again");
        /* a segment's: what it means and what to do */
        vmnet_client_status_message(VMNET_ERR_SEGMENT_QUOTA, msg, sizeof msg);
        assert_non_null(strstr(msg, "(max_segments)"));
        assert_non_null(strstr(msg, "vmnet segment del NAME"));
        vmnet_client_status_message(VMNET_ERR_SEGMENT_EXISTS, msg, sizeof msg);
        assert_non_null(strstr(msg, "a segment of that name already"));
        vmnet_client_status_message(VMNET_ERR_SEGMENT_IN_USE, msg, sizeof msg);
        assert_non_null(strstr(msg, "stop them first"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_socket_path),
                cmocka_unit_test(test_unreachable),
                cmocka_unit_test(test_short_buffer),
                cmocka_unit_test(test_status),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
