/* The link registry's index by ifindex and its counts by kind
 * (helper/link_registry.h): after any mix of adds, removes and dying
 * marks, every record is found by its ifindex and nothing else is, and
 * the counts are those of a plain list kept beside it. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "link_registry.h"

#define IFINDEX_MAX 4096

/* The model: which ifindexes are recorded, which of them dying. */
static bool recorded[IFINDEX_MAX + 1], dying[IFINDEX_MAX + 1];

/* Two kinds, by ifindex: a VM's tap or a persistent tap. */
static enum link_kind kind_of(int ifindex) {
        return ifindex % 3 ? LINK_VM_TAP : LINK_TAP;
}

static struct link_record record_of(int ifindex) {
        struct link_record rec = { .ifindex = ifindex, .kind = kind_of(ifindex), .owner = 1000 };
        snprintf(rec.name, sizeof rec.name, "t%d", ifindex);
        return rec;
}

static void assert_counts(const struct link_registry *reg) {
        size_t all[2] = {}, live[2] = {};
        for (int i = 1; i <= IFINDEX_MAX; i++)
                if (recorded[i]) {
                        all[kind_of(i) == LINK_TAP]++;
                        live[kind_of(i) == LINK_TAP] += !dying[i];
                }
        assert_int_equal(link_registry_count_kinds(reg, LINK_KIND_BIT(LINK_VM_TAP), true), all[0]);
        assert_int_equal(link_registry_count_kinds(reg, LINK_KIND_BIT(LINK_TAP), true), all[1]);
        assert_int_equal(link_registry_count_kinds(reg, LINK_KIND_BIT(LINK_VM_TAP), false), live[0]);
        assert_int_equal(link_registry_count_kinds(reg, LINK_KINDS_TAPS, false), live[0] + live[1]);
        assert_int_equal(link_registry_count_kinds(reg, LINK_KINDS_TAPS, false),
                         link_registry_count(reg, 1000, LINK_KINDS_TAPS));
        assert_int_equal(link_registry_count_kinds(reg, LINK_KIND_BIT(LINK_LOGIN), true), 0);
}

/* Every ifindex the model has is found, with its own record; no other is. */
static void assert_matches_model(const struct link_registry *reg) {
        size_t n = 0;
        for (int i = 0; i <= IFINDEX_MAX + 1; i++) {
                const struct link_record *rec = link_registry_by_ifindex(reg, i);
                if (i <= IFINDEX_MAX && recorded[i]) {
                        assert_non_null(rec);
                        assert_int_equal(rec->ifindex, i);
                        assert_string_equal(rec->name, record_of(i).name);
                        n++;
                } else {
                        assert_null(rec);
                }
        }
        assert_int_equal(reg->n, n);
        assert_counts(reg);
}

/* A small generator of our own: the same sequence on every run. */
static uint32_t next_random(uint32_t *x) {
        *x ^= *x << 13;
        *x ^= *x >> 17;
        *x ^= *x << 5;
        return *x;
}

static void test_adds_and_removes(void **state) {
        struct link_registry reg = {};
        uint32_t x = 2463534242u;
        (void)state;

        memset(recorded, 0, sizeof recorded);
        memset(dying, 0, sizeof dying);
        assert_null(link_registry_by_ifindex(&reg, 1));
        /* rounds that grow, then shrink, then churn: probe runs wrap, are
         * cut by removals and regrown */
        for (int round = 0; round < 3; round++) {
                for (int k = 0; k < 6000; k++) {
                        int i = 1 + (int)(next_random(&x) % IFINDEX_MAX);
                        bool add = round == 0 ? next_random(&x) % 4 != 0
                                 : round == 1 ? next_random(&x) % 4 == 0
                                              : next_random(&x) % 2 == 0;
                        if (recorded[i] && next_random(&x) % 5 == 0) {
                                /* marked dying, or the mark taken back */
                                dying[i] = !dying[i];
                                link_registry_set_dying(&reg, link_registry_by_ifindex(&reg, i), dying[i]);
                        } else if (add) {
                                struct link_record rec = record_of(i);
                                assert_int_equal(link_registry_add(&reg, &rec), recorded[i] ? -EEXIST : 0);
                                if (!recorded[i])
                                        dying[i] = false;
                                recorded[i] = true;
                        } else {
                                assert_int_equal(link_registry_remove(&reg, i), recorded[i]);
                                recorded[i] = dying[i] = false;
                        }
                }
                assert_matches_model(&reg);
        }
        link_registry_clear(&reg);
        memset(recorded, 0, sizeof recorded);
        memset(dying, 0, sizeof dying);
        assert_matches_model(&reg);
}

/* Indexes the kernel hands out one after the other (a class logging in),
 * all removed in the order they came (the class leaving). */
static void test_sequential(void **state) {
        struct link_registry reg = {};
        (void)state;

        memset(recorded, 0, sizeof recorded);
        memset(dying, 0, sizeof dying);
        for (int i = 1; i <= 2000; i++) {
                struct link_record rec = record_of(i);
                assert_int_equal(link_registry_add(&reg, &rec), 0);
                recorded[i] = true;
        }
        assert_matches_model(&reg);
        for (int i = 1; i <= 2000; i += 2) {
                assert_true(link_registry_remove(&reg, i));
                recorded[i] = false;
        }
        assert_matches_model(&reg);
        for (int i = 2; i <= 2000; i += 2) {
                assert_true(link_registry_remove(&reg, i));
                recorded[i] = false;
        }
        assert_matches_model(&reg);
        assert_false(link_registry_remove(&reg, 2));
        link_registry_clear(&reg);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_adds_and_removes),
                cmocka_unit_test(test_sequential),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
