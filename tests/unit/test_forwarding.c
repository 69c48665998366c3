/* forwarding_enable/forwarding_restore on files standing in for the
 * sysctl: removing vmnet leaves ip_forward as it was before vmnet came. */
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

#include "forwarding.h"

struct paths { char dir[64], sysctl[96], saved[96]; };

static int setup(void **state) {
        struct paths *p = calloc(1, sizeof *p);
        assert_non_null(p);
        strcpy(p->dir, "/tmp/vmnet-test-forwarding.XXXXXX");
        assert_non_null(mkdtemp(p->dir));
        snprintf(p->sysctl, sizeof p->sysctl, "%s/ip_forward", p->dir);
        snprintf(p->saved, sizeof p->saved, "%s/" FORWARDING_SAVED, p->dir);
        *state = p;
        return 0;
}

static int teardown(void **state) {
        struct paths *p = *state;
        unlink(p->sysctl);
        unlink(p->saved);
        rmdir(p->dir);
        free(p);
        return 0;
}

static void put(const char *path, const char *text) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

static const char *get(const char *path) {
        static char buf[16];
        FILE *f = fopen(path, "r");
        if (!f)
                return "(none)";
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

/* off before: on while vmnetd runs, a restart keeps the first record, --down turns it off */
static void test_off_before(void **state) {
        struct paths *p = *state;
        put(p->sysctl, "0\n");
        assert_int_equal(forwarding_enable(p->sysctl, p->saved), 0);
        assert_string_equal(get(p->sysctl), "1\n");
        assert_string_equal(get(p->saved), "0\n");
        assert_int_equal(forwarding_enable(p->sysctl, p->saved), 0);
        assert_string_equal(get(p->saved), "0\n");
        char before = 'x';
        assert_int_equal(forwarding_saved(p->saved, &before), 0);   /* the lab's forwarding */
        assert_int_equal(before, '0');
        assert_int_equal(forwarding_restore(p->sysctl, p->saved), 0);
        assert_string_equal(get(p->sysctl), "0\n");
        assert_int_equal(forwarding_saved(p->saved, &before), -ENOENT);
        assert_int_equal(access(p->saved, F_OK), -1);
}

/* on before (the admin's router): --down leaves it on */
static void test_on_before(void **state) {
        struct paths *p = *state;
        put(p->sysctl, "1\n");
        assert_int_equal(forwarding_enable(p->sysctl, p->saved), 0);
        assert_string_equal(get(p->saved), "1\n");
        char before = 'x';
        assert_int_equal(forwarding_saved(p->saved, &before), 0);   /* the admin's */
        assert_int_equal(before, '1');
        assert_int_equal(forwarding_restore(p->sysctl, p->saved), 0);
        assert_string_equal(get(p->sysctl), "1\n");
}

/* no record (vmnetd never turned it on): --down changes nothing */
static void test_no_record(void **state) {
        struct paths *p = *state;
        put(p->sysctl, "1\n");
        assert_int_equal(forwarding_restore(p->sysctl, p->saved), 0);
        assert_string_equal(get(p->sysctl), "1\n");
}

/* a damaged record is reported and never written to the sysctl */
static void test_bad_record(void **state) {
        struct paths *p = *state;
        put(p->sysctl, "1\n");
        put(p->saved, "yes\n");
        assert_int_equal(forwarding_restore(p->sysctl, p->saved), -EINVAL);
        assert_string_equal(get(p->sysctl), "1\n");
        put(p->saved, "");
        assert_int_equal(forwarding_restore(p->sysctl, p->saved), -EINVAL);
}

/* a record that cannot be written is reported, and forwarding still goes on */
static void test_unrecordable(void **state) {
        struct paths *p = *state;
        char saved[128];
        put(p->sysctl, "0\n");
        snprintf(saved, sizeof saved, "%s/missing/" FORWARDING_SAVED, p->dir);
        assert_int_equal(forwarding_enable(p->sysctl, saved), -ENOENT);
        assert_string_equal(get(p->sysctl), "1\n");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_off_before, setup, teardown),
                cmocka_unit_test_setup_teardown(test_on_before, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_record, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_record, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unrecordable, setup, teardown),
        };
        return cmocka_run_group_tests_name("forwarding", tests, NULL, NULL);
}
