/* The JSON writer: the same document on one line and pretty-printed,
 * commas and nesting right in both, empty containers, escaped strings. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json_writer.h"

static char *write_doc(bool pretty) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        struct json_writer w;

        assert_non_null(f);
        jw_init(&w, f, pretty);
        jw_begin_object(&w, NULL);
        jw_string(&w, "user", "a\"b");
        jw_uint(&w, "max", 4);
        jw_int(&w, "t", -3);
        jw_begin_array(&w, "taps");
        jw_begin_object(&w, NULL);
        jw_bool(&w, "up", true);
        jw_null(&w, "since");
        jw_end_object(&w);
        jw_string(&w, NULL, "x");
        jw_end_array(&w);
        jw_begin_array(&w, "vms");
        jw_end_array(&w);
        jw_begin_object(&w, "empty");
        jw_end_object(&w);
        jw_end_object(&w);
        jw_finish(&w);
        fclose(f);
        return text;
}

static void test_one_line(void **state) {
        (void)state;
        char *t = write_doc(false);
        assert_string_equal(t, "{\"user\": \"a\\\"b\", \"max\": 4, \"t\": -3, \"taps\": [{\"up\": true, "
                               "\"since\": null}, \"x\"], \"vms\": [], \"empty\": {}}\n");
        free(t);
}

static void test_pretty(void **state) {
        (void)state;
        char *t = write_doc(true);
        assert_string_equal(t, "{\n"
                               "  \"user\": \"a\\\"b\",\n"
                               "  \"max\": 4,\n"
                               "  \"t\": -3,\n"
                               "  \"taps\": [\n"
                               "    {\n"
                               "      \"up\": true,\n"
                               "      \"since\": null\n"
                               "    },\n"
                               "    \"x\"\n"
                               "  ],\n"
                               "  \"vms\": [],\n"
                               "  \"empty\": {}\n"
                               "}\n");
        free(t);
}

static void test_long_string(void **state) {
        char *text = NULL, big[1000];
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        struct json_writer w;
        (void)state;
        memset(big, 'q', sizeof big - 1);
        big[sizeof big - 1] = 0;
        jw_init(&w, f, false);
        jw_string(&w, NULL, big);
        fclose(f);
        assert_int_equal(size, sizeof big - 1 + 2);
        free(text);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_one_line),
                cmocka_unit_test(test_pretty),
                cmocka_unit_test(test_long_string),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
