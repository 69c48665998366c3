/* The lab page: every student and VM of the view is on it (picture and
 * tables), whatever a student or guest chose as a name comes out escaped,
 * nothing on it runs or fetches anything, and the same view gives the
 * same bytes. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lab_html.h"
#include "lab_view_sample.h"

static char *render(const struct lab_view *v) {
        struct strbuf b = {};
        assert_int_equal(lab_html_render(v, &b), 0);
        assert_non_null(b.data);
        return b.data;
}

static size_t count(const char *hay, const char *needle) {
        size_t n = 0;
        for (const char *p = hay; (p = strstr(p, needle)); p++)
                n++;
        return n;
}

static void test_everything_is_there(void **state) {
        struct lab_view v;
        (void)state;
        sample_lab(&v);
        char *page = render(&v);
        assert_non_null(strstr(page, "<!DOCTYPE html>"));
        assert_non_null(strstr(page, "<meta http-equiv=\"refresh\" content=\"2\">"));
        assert_non_null(strstr(page, "<svg "));
        /* each student: a column in the picture and rows in the table */
        assert_int_equal(count(page, "<g class=\"student\" data-user=\"stu1\">"), 1);
        assert_int_equal(count(page, "<g class=\"student\" data-user=\"stu2\">"), 1);
        /* each VM: a box and a table row, by MAC */
        for (int i = 1; i <= 4; i++) {
                char want[64];
                snprintf(want, sizeof want, "data-mac=\"52:55:00:00:00:%02x\"", i);
                assert_int_equal(count(page, want), 2);
        }
        assert_non_null(strstr(page, ">vm1<"));
        assert_non_null(strstr(page, "class=\"name nameless\">52:55:00:00:00:02<"));
        assert_non_null(strstr(page, "<td>(no name)</td><td>52:55:00:00:00:02</td>"));
        assert_non_null(strstr(page, "10.77.0.50 (seen)"));
        assert_non_null(strstr(page, "not behind a student's link"));
        assert_non_null(strstr(page, "as of 2023-11-14 22:13:20 UTC (generation 7)"));
        assert_non_null(strstr(page, "ends in 1 h 0 min"));
        /* the private segments: in the picture under their owner, and a table */
        assert_non_null(strstr(page, "<g class=\"segment\"><rect x=\"20\""));  /* stu1's column */
        assert_non_null(strstr(page, "<g class=\"segment\"><rect x=\"230\"")); /* stu2's */
        assert_non_null(strstr(page, ">red</text><text"));
        assert_non_null(strstr(page, ">private, 1 attached</text>"));
        assert_non_null(strstr(page, "<h2>Private segments</h2>"));
        assert_non_null(strstr(page, "<tr class=\"segment\"><td>stu1</td><td>red</td><td>b~99887766aa</td>"
                                     "<td>stu1=red</td><td>kept</td><td>vmns0</td><td>15 min ago</td></tr>"));
        assert_non_null(strstr(page, "<td>stu2</td><td>blue</td><td>b~0a1b2c3d4e</td><td>stu2=blue</td>"
                                     "<td>until the last logout</td><td>nothing</td>"));
        free(page);
        lab_view_clear(&v);
}

static void test_no_script_no_fetch(void **state) {
        struct lab_view v;
        (void)state;
        sample_lab(&v);
        char *page = render(&v);
        assert_null(strstr(page, "<script"));
        assert_null(strstr(page, "src="));
        assert_null(strstr(page, "href="));
        assert_null(strstr(page, "url("));
        assert_non_null(strstr(page, "default-src 'none'"));
        free(page);
        lab_view_clear(&v);
}

static void test_hostile_names_are_escaped(void **state) {
        struct lab_view v;
        (void)state;
        sample_lab(&v);
        strcpy(v.students[0].user, "<script>x</script>");
        strcpy(v.links[0].name, "a\"b'c&d");
        strcpy(v.vms[0].name, "<img src=x>");
        strcpy(v.vms[3].owner, "\x01\xff<");
        strcpy(v.domain, "</title>");
        strcpy(v.segments[0].name, "<svg>&");
        strcpy(v.segment_ports[0].name, "<b>");
        char *page = render(&v);
        assert_null(strstr(page, "<script"));
        assert_null(strstr(page, "<img"));
        assert_null(strstr(page, "</title><"));
        assert_non_null(strstr(page, "&lt;script&gt;x&lt;/script&gt;"));
        assert_non_null(strstr(page, "a&quot;b&#39;c&amp;d"));
        assert_non_null(strstr(page, "&lt;svg&gt;&amp;"));
        assert_null(strstr(page, "<b>"));
        assert_non_null(strstr(page, "&#xfffd;&#xfffd;&lt;"));
        assert_null(strchr(page, '\x01'));
        assert_null(strchr(page, '\xff'));
        free(page);
        lab_view_clear(&v);
}

static void test_same_view_same_page(void **state) {
        struct lab_view v, w = {};
        uint8_t *data;
        size_t size;
        (void)state;
        sample_lab(&v);
        assert_int_equal(lab_view_encode(&v, &data, &size), 0);
        assert_int_equal(lab_view_decode(data, size, &w), 0);
        char *a = render(&v), *b = render(&w);
        assert_string_equal(a, b);
        free(a);
        free(b);
        free(data);
        lab_view_clear(&w);
        lab_view_clear(&v);
}

static void test_empty_lab(void **state) {
        struct lab_view v = { .time = SAMPLE_TIME };
        (void)state;
        strcpy(v.bridge, "vmnet0");
        char *page = render(&v);
        assert_non_null(strstr(page, "0 students, 0 VMs"));
        assert_null(strstr(page, "Private segments")); /* no table without a segment */
        assert_non_null(strstr(page, "</html>"));
        free(page);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_everything_is_there),
                cmocka_unit_test(test_no_script_no_fetch),
                cmocka_unit_test(test_hostile_names_are_escaped),
                cmocka_unit_test(test_same_view_same_page),
                cmocka_unit_test(test_empty_lab),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
