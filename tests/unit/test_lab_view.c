/* The lab view's blob: what is encoded decodes to the same lab, every
 * malformed or truncated blob is refused without touching the output, a
 * student's copy holds only their own, and the maxima mark a truncation. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lab_view_sample.h"

static void encode(const struct lab_view *v, uint8_t **data, size_t *size) {
        assert_int_equal(lab_view_encode(v, data, size), 0);
}

static void test_round_trip(void **state) {
        struct lab_view v, back = {};
        uint8_t *data, *again;
        size_t size, size2;
        (void)state;

        sample_lab(&v);
        encode(&v, &data, &size);
        assert_int_equal(lab_view_decode(data, size, &back), 0);
        assert_true(lab_view_same_lab(&v, &back));
        assert_int_equal(back.generation, 7);
        assert_int_equal(back.time, SAMPLE_TIME);
        assert_int_equal(back.n_students, 2);
        assert_int_equal(back.n_links, 3);
        assert_int_equal(back.n_vms, 4);
        assert_string_equal(back.links[1].name, "tap-stu1+1");
        assert_string_equal(back.vms[2].name, "srv");
        assert_int_equal(back.vms[3].link, LAB_VIEW_NONE);
        assert_int_equal(back.n_segments, 2);
        assert_string_equal(back.segments[1].name, "red");
        assert_string_equal(back.segments[1].bridge, "b~99887766aa");
        assert_string_equal(back.segments[1].link, "stu1=red");
        assert_int_equal(back.segments[1].flags, VMNET_SEGMENT_KEEP);
        assert_int_equal(back.segments[1].since, SAMPLE_TIME - 900);
        assert_int_equal(back.n_segment_ports, 1);
        assert_string_equal(back.segment_ports[0].name, "vmns0");
        assert_int_equal(back.segment_ports[0].segment, 1);
        encode(&back, &again, &size2);
        assert_int_equal(size2, size);
        assert_memory_equal(again, data, size);
        /* a decoded view can grow like a built one */
        struct lab_view_vm m = back.vms[0];
        assert_int_equal(lab_view_add_vm(&back, &m), 0);
        assert_false(lab_view_same_lab(&v, &back));
        free(again);
        free(data);
        lab_view_clear(&back);
        lab_view_clear(&v);
}

static void test_same_lab_ignores_clock(void **state) {
        struct lab_view a, b;
        (void)state;
        sample_lab(&a);
        sample_lab(&b);
        b.generation = 99;
        b.time += 30;
        assert_true(lab_view_same_lab(&a, &b));
        b.vms[1].addr.s_addr ^= 1;
        assert_false(lab_view_same_lab(&a, &b));
        b.vms[1].addr.s_addr ^= 1;
        b.segment_ports[0].flags = 0; /* the VM on a segment stopped */
        assert_false(lab_view_same_lab(&a, &b));
        lab_view_clear(&a);
        lab_view_clear(&b);
}

/* Every prefix and every single-byte change either fails cleanly or decodes. */
static void test_truncated_and_flipped(void **state) {
        struct lab_view v, out;
        uint8_t *data;
        size_t size;
        (void)state;

        sample_lab(&v);
        encode(&v, &data, &size);
        for (size_t n = 0; n < size; n++) {
                memset(&out, 0x5a, sizeof out);
                struct lab_view before = out;
                assert_int_not_equal(lab_view_decode(data, n, &out), 0);
                assert_memory_equal(&out, &before, sizeof out);
        }
        for (size_t i = 0; i < size; i++) {
                uint8_t saved = data[i];
                data[i] ^= 0xff;
                if (lab_view_decode(data, size, &out) == 0)
                        lab_view_clear(&out);
                data[i] = saved;
        }
        free(data);
        lab_view_clear(&v);
}

static void test_bad_blobs(void **state) {
        struct lab_view v, out;
        uint8_t *data;
        size_t size;
        (void)state;

        sample_lab(&v);
        encode(&v, &data, &size);
        data[8] = LAB_VIEW_VERSION + 1;
        assert_int_equal(lab_view_decode(data, size, &out), -EPROTO);
        data[8] = LAB_VIEW_VERSION;
        data[0] = 'X';
        assert_int_equal(lab_view_decode(data, size, &out), -EBADMSG);
        free(data);
        /* a trailing byte */
        encode(&v, &data, &size);
        uint8_t *longer = malloc(size + 1);
        memcpy(longer, data, size);
        longer[size] = 0;
        assert_int_equal(lab_view_decode(longer, size + 1, &out), -EBADMSG);
        free(longer);
        free(data);
        /* a link naming a student that is not there, a VM naming no link */
        v.links[2].student = 5;
        assert_int_equal(lab_view_encode(&v, &data, &size), -EINVAL);
        v.links[2].student = 1;
        v.vms[0].link = 3;
        assert_int_equal(lab_view_encode(&v, &data, &size), -EINVAL);
        v.vms[0].link = 1;
        /* a segment of no student, a segment's port on no segment */
        v.segments[0].student = 2;
        assert_int_equal(lab_view_encode(&v, &data, &size), -EINVAL);
        v.segments[0].student = 1;
        v.segment_ports[0].segment = 2;
        assert_int_equal(lab_view_encode(&v, &data, &size), -EINVAL);
        v.segment_ports[0].segment = 1;
        /* a segment flag or a port kind no vmnetd sends */
        v.segments[1].flags = 0x80;
        encode(&v, &data, &size);
        assert_int_equal(lab_view_decode(data, size, &out), -EBADMSG);
        free(data);
        v.segments[1].flags = VMNET_SEGMENT_KEEP;
        v.segment_ports[0].kind = VMNET_TAP_NETNS + 1;
        encode(&v, &data, &size);
        assert_int_equal(lab_view_decode(data, size, &out), -EBADMSG);
        free(data);
        lab_view_clear(&v);
}

/* Every kind of link a student has crosses, a container's too; a kind
 * no vmnetd sends does not. */
static void test_link_kinds(void **state) {
        struct lab_view v, out = {};
        uint8_t *data;
        size_t size;
        (void)state;

        sample_lab(&v);
        struct lab_view_link c = { .student = 1, .name = "vmnc0", .port = "vmnc0", .kind = VMNET_TAP_NETNS,
                                   .flags = VMNET_TAP_FLAG_UP | VMNET_TAP_FLAG_CARRIER, .since = SAMPLE_TIME - 5 };
        assert_int_equal(lab_view_add_link(&v, &c), 0);
        encode(&v, &data, &size);
        assert_int_equal(lab_view_decode(data, size, &out), 0);
        assert_int_equal(out.links[3].kind, VMNET_TAP_NETNS);
        assert_true(lab_view_same_lab(&v, &out));
        lab_view_clear(&out);
        free(data);
        v.links[3].kind = VMNET_TAP_NETNS + 1;
        encode(&v, &data, &size);
        assert_int_equal(lab_view_decode(data, size, &out), -EBADMSG);
        free(data);
        lab_view_clear(&v);
}

/* A count far larger than the bytes that follow is refused before any allocation. */
static void test_huge_count(void **state) {
        uint8_t blob[] = { 'V', 'M', 'N', 'E', 'T', 'L', 'A', 'B', LAB_VIEW_VERSION,
                           0, 0, 0, 0, 0, 0, 0, 1,  0, 0, 0, 0, 0, 0, 0, 0,  0, 0,
                           0, 0, 0,  0, 0, 0, 0xff, 0xff };
        struct lab_view out;
        (void)state;
        assert_int_equal(lab_view_decode(blob, sizeof blob, &out), -EBADMSG);
}

static void test_filter_owner(void **state) {
        struct lab_view v, mine;
        (void)state;

        sample_lab(&v);
        assert_int_equal(lab_view_filter_owner(&v, 61002, &mine), 0);
        assert_int_equal(mine.n_students, 1);
        assert_string_equal(mine.students[0].user, "stu2");
        assert_int_equal(mine.n_links, 1);
        assert_string_equal(mine.links[0].name, "tap-stu2");
        assert_int_equal(mine.links[0].student, 0);
        assert_int_equal(mine.n_vms, 1);
        assert_string_equal(mine.vms[0].name, "srv");
        assert_int_equal(mine.vms[0].link, 0);
        assert_string_equal(mine.bridge, "vmnet0");
        assert_int_equal(mine.n_segments, 1);
        assert_string_equal(mine.segments[0].name, "blue");
        assert_int_equal(mine.segments[0].student, 0);
        assert_int_equal(mine.n_segment_ports, 0);
        lab_view_clear(&mine);

        assert_int_equal(lab_view_filter_owner(&v, 61001, &mine), 0);
        assert_int_equal(mine.n_links, 2);
        assert_int_equal(mine.n_vms, 2);
        assert_int_equal(mine.vms[0].link, 1);
        assert_int_equal(mine.vms[1].link, 0);
        assert_int_equal(mine.n_segments, 1);
        assert_string_equal(mine.segments[0].name, "red");
        assert_int_equal(mine.n_segment_ports, 1);
        assert_int_equal(mine.segment_ports[0].segment, 0); /* renumbered: red is the copy's first */
        lab_view_clear(&mine);

        /* nobody's VMs are nobody's to see, and a stranger sees none */
        assert_int_equal(lab_view_filter_owner(&v, LAB_VIEW_NONE, &mine), 0);
        assert_int_equal(mine.n_vms, 0);
        lab_view_clear(&mine);
        assert_int_equal(lab_view_filter_owner(&v, 4242, &mine), 0);
        assert_int_equal(mine.n_students + mine.n_links + mine.n_vms + mine.n_segments + mine.n_segment_ports, 0);
        lab_view_clear(&mine);
        lab_view_clear(&v);
}

static void test_maxima_truncate(void **state) {
        struct lab_view v = {};
        struct lab_view_student s = { .user = "x" };
        (void)state;
        for (unsigned i = 0; i < LAB_VIEW_STUDENTS_MAX; i++)
                assert_int_equal(lab_view_add_student(&v, &s), 0);
        assert_false(v.flags & LAB_VIEW_TRUNCATED);
        assert_int_equal(lab_view_add_student(&v, &s), -E2BIG);
        assert_true(v.flags & LAB_VIEW_TRUNCATED);
        assert_int_equal(v.n_students, LAB_VIEW_STUDENTS_MAX);
        lab_view_clear(&v);
}

static void test_durations(void **state) {
        char b[32];
        (void)state;
        lab_view_format_duration(-5, b, sizeof b);
        assert_string_equal(b, "0 s");
        lab_view_format_duration(59, b, sizeof b);
        assert_string_equal(b, "59 s");
        lab_view_format_duration(125, b, sizeof b);
        assert_string_equal(b, "2 min");
        lab_view_format_duration(3 * 3600 + 5 * 60 + 7, b, sizeof b);
        assert_string_equal(b, "3 h 5 min");
        lab_view_format_duration(2 * 86400 + 4 * 3600, b, sizeof b);
        assert_string_equal(b, "2 d 4 h");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_same_lab_ignores_clock),
                cmocka_unit_test(test_truncated_and_flipped),
                cmocka_unit_test(test_bad_blobs),
                cmocka_unit_test(test_link_kinds),
                cmocka_unit_test(test_huge_count),
                cmocka_unit_test(test_filter_owner),
                cmocka_unit_test(test_maxima_truncate),
                cmocka_unit_test(test_durations),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
