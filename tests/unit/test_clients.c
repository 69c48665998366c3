/* helper/clients.c: who gets in.  Root's socket admits root only; root is
 * admitted while there is room; a student's 17th connection, or any
 * student's once only root's reserve is left, is answered busy; beyond
 * the busy slots new ones are closed at once. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "clients.h"

static struct clients cs;
static struct client pool[CLIENTS_MAX + CLIENTS_BUSY_MAX];

static void add(uid_t uid, bool busy) {
        struct client *c = &pool[cs.n];
        *c = (struct client) { .fd = -1, .id = cs.n + 1, .peer = { .uid = uid, .pidfd = -1 }, .busy = busy };
        assert_true(clients_add(&cs, c));
}

static int reset(void **state) {
        (void)state;
        memset(&cs, 0, sizeof cs);
        return 0;
}

static void test_root_socket(void **state) {
        (void)state;
        assert_int_equal(clients_admission(&cs, 0, true), ADMIT);
        assert_int_equal(clients_admission(&cs, 61001, true), REFUSE);
}

static void test_per_uid(void **state) {
        (void)state;
        for (unsigned i = 0; i < CLIENTS_PER_UID; i++) {
                assert_int_equal(clients_admission(&cs, 61001, false), ADMIT);
                add(61001, false);
        }
        assert_int_equal(clients_admission(&cs, 61001, false), ADMIT_BUSY);
        assert_int_equal(clients_admission(&cs, 61002, false), ADMIT);
        assert_int_equal(clients_admission(&cs, 0, false), ADMIT);
        /* busy ones do not count as served: stu1 stays at its limit, no more */
        add(61001, true);
        assert_int_equal(clients_admission(&cs, 61001, false), ADMIT_BUSY);
        size_t i;
        assert_non_null(clients_by_id(&cs, 17, &i));
        assert_true(clients_remove(&cs, i)->busy);
        assert_int_equal(cs.n_busy, 0);
        assert_null(clients_by_id(&cs, 17, &i));
}

static void test_root_reserve_and_busy_slots(void **state) {
        (void)state;
        /* many students, each under their own limit, fill all but root's reserve */
        for (unsigned i = 0; i < CLIENTS_MAX - CLIENTS_ROOT_RESERVE; i++)
                add(62000 + i / CLIENTS_PER_UID, false);
        assert_int_equal(clients_admission(&cs, 61999, false), ADMIT_BUSY);
        assert_int_equal(clients_admission(&cs, 0, false), ADMIT);
        for (unsigned i = 0; i < CLIENTS_ROOT_RESERVE; i++)
                add(0, false);
        assert_int_equal(clients_admission(&cs, 0, false), REFUSE);
        assert_true(clients_have_room(&cs)); /* busy slots left */
        for (unsigned i = 0; i < CLIENTS_BUSY_MAX; i++)
                add(61999, true);
        assert_int_equal(clients_admission(&cs, 61999, false), REFUSE);
        assert_false(clients_have_room(&cs));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_root_socket, reset),
                cmocka_unit_test_setup(test_per_uid, reset),
                cmocka_unit_test_setup(test_root_reserve_and_busy_slots, reset),
        };
        return cmocka_run_group_tests_name("clients", tests, NULL, NULL);
}
