/* Reading nftables listings back (nft_listing.h), from text as nft 1.0.6
 * (Debian 12) prints it. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nft_listing.h"

static const char listing[] =
        "table bridge vmnet_guard {\n"
        "\tset drops {\n"
        "\t\ttypeof meta mark . ether saddr . meta mark\n"
        "\t\tsize 4096\n"
        "\t\tflags dynamic,timeout\n"
        "\t\tcounter\n"
        "\t\ttimeout 1h\n"
        "\t\telements = { 0x0000ee49 . 52:54:00:00:00:02 . 0x00000006 counter packets 2 bytes 56 expires 59m59s996ms,\n"
        "\t\t\t     0x0000ee4a . 52:54:00:00:00:01 . 0x00000009 counter packets 12345678901 bytes 56 expires 59m58s972ms }\n"
        "\t}\n"
        "\n"
        "\tset macs_61001 {\n"
        "\t\ttypeof @ll,48,48\n"
        "\t\tsize 16\n"
        "\t\tflags dynamic,timeout\n"
        "\t}\n"
        "\tmap in_ports {\n"
        "\t\ttype ifname : verdict\n"
        "\t\telements = { \"vmnp0\" : goto in_61001, \"a,b{\" : goto in_2 }\n"
        "\t}\n"
        "\tchain l3_61001 { # handle 7\n"
        "\t\tudp sport 67 meta mark set 0x0000ee49 goto drop_dhcp_server\n"
        "\t\ticmpv6 type { nd-router-advert, nd-redirect } meta mark set 0x0000ee49 goto drop_ipv6_router\n"
        "\t\tip saddr { 10.0.0.1, 10.0.0.2 } elements accept\n"
        "\t}\n"
        "}\n";

struct seen {
        char text[8][NFT_LISTING_ELEMENT_MAX + 1];
        char set[8][NFT_LISTING_NAME_MAX + 1];
        size_t n;
};

static int collect(const struct nft_object *in, const char *element, void *userdata) {
        struct seen *s = userdata;
        if (s->n < 8) {
                strcpy(s->text[s->n], element);
                strcpy(s->set[s->n++], in->name);
        }
        return 0;
}

static void test_objects_and_elements(void **state) {
        (void)state;
        struct nft_object *o;
        struct seen s = {};
        size_t n;
        assert_int_equal(nft_listing_parse(listing, strlen(listing), &o, &n, collect, &s), 0);
        assert_int_equal(n, 4);
        assert_string_equal(o[0].kind, "set");
        assert_string_equal(o[0].name, "drops");
        assert_int_equal(o[0].n_elements, 2);
        assert_string_equal(o[1].name, "macs_61001");
        assert_int_equal(o[1].n_elements, 0);
        assert_int_equal(o[1].size, 16);
        assert_int_equal(o[2].size, 0);
        assert_string_equal(o[2].kind, "map");
        assert_int_equal(o[2].n_elements, 2);
        assert_string_equal(o[3].kind, "chain");
        assert_string_equal(o[3].name, "l3_61001");
        assert_int_equal(o[3].n_elements, 0);  /* a rule's anonymous set is no element */
        free(o);
        assert_int_equal(s.n, 4);
        assert_string_equal(s.set[0], "drops");
        assert_string_equal(s.text[0], "0x0000ee49 . 52:54:00:00:00:02 . 0x00000006 counter packets 2 bytes 56 "
                                       "expires 59m59s996ms");
        assert_string_equal(s.text[2], "vmnp0 : goto in_61001");
        assert_string_equal(s.text[3], "a,b{ : goto in_2");  /* quoted: one element */

        struct nft_drop_count d;
        assert_int_equal(nft_drop_count_parse(s.text[0], &d), 0);
        assert_int_equal(d.uid, 61001);
        assert_int_equal(d.kind, 6);
        assert_int_equal(d.packets, 2);
        assert_memory_equal(d.mac, ((uint8_t[]) { 0x52, 0x54, 0, 0, 0, 2 }), 6);
        assert_int_equal(nft_drop_count_parse(s.text[1], &d), 0);
        assert_int_equal(d.packets, 12345678901ull);
}

static void test_two_tables_and_empty(void **state) {
        (void)state;
        static const char two[] = "table bridge a {\n}\ntable inet b {\n\tchain c {\n\t}\n}\n";
        struct nft_object *o = NULL;
        size_t n;
        assert_int_equal(nft_listing_parse(two, strlen(two), &o, &n, NULL, NULL), 0);
        assert_int_equal(n, 1);
        assert_string_equal(o[0].name, "c");
        /* each object says its table */
        assert_string_equal(o[0].family, "inet");
        assert_string_equal(o[0].table, "b");
        free(o);
        /* a table whose name does not fit: its objects are passed over */
        char longer[256];
        snprintf(longer, sizeof longer, "table bridge %0*d {\n\tchain c {\n\t}\n}\ntable bridge t {\n\tchain d {\n\t}\n}\n",
                 NFT_LISTING_NAME_MAX + 1, 7);
        assert_int_equal(nft_listing_parse(longer, strlen(longer), &o, &n, NULL, NULL), 0);
        assert_int_equal(n, 1);
        assert_string_equal(o[0].name, "d");
        assert_string_equal(o[0].table, "t");
        free(o);
}

static void test_bad_listings(void **state) {
        (void)state;
        static const char *const bad[] = {
                "", "\n", "# only a comment\n", "table bridge t\n", "table bridge t {\n\tset s {\n",
                "table bridge t {\n\tset s { elements = { 1, 2 }\n}\n", "set s { }\n",
                "table bridge t {\n\tset s {\n\t\telements = 1\n\t}\n}\n",
                "table bridge t {\n\tset \"s {\n\t}\n}\n", "table bridge t {\n\t{ }\n}\n",
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                struct nft_object *o = (void *)1;
                size_t n = 7;
                assert_int_equal(nft_listing_parse(bad[i], strlen(bad[i]), &o, &n, NULL, NULL), -EBADMSG);
                assert_ptr_equal(o, (void *)1);     /* untouched */
                assert_int_equal(n, 7);
        }
        /* a NUL byte is no listing either */
        static const char nul[] = "table bridge t {\n\tset s\0 {\n\t}\n}\n";
        struct nft_object *o;
        size_t n;
        assert_int_equal(nft_listing_parse(nul, sizeof nul - 1, &o, &n, NULL, NULL), -EBADMSG);
}

static int stop(const struct nft_object *in, const char *element, void *userdata) {
        (void)in, (void)element, (void)userdata;
        return -ECANCELED;
}

static void test_callback_stops(void **state) {
        (void)state;
        struct nft_object *o;
        size_t n;
        assert_int_equal(nft_listing_parse(listing, strlen(listing), &o, &n, stop, NULL), -ECANCELED);
}

static void test_long_names_and_elements(void **state) {
        (void)state;
        char text[2048], name[100], element[700];
        memset(name, 'n', sizeof name - 1);
        name[sizeof name - 1] = '\0';
        memset(element, 'e', sizeof element - 1);
        element[sizeof element - 1] = '\0';
        snprintf(text, sizeof text, "table bridge t {\n\tset %s {\n\t}\n\tset s {\n\t\telements = { %s, 1 }\n\t}\n}\n",
                 name, element);
        struct nft_object *o;
        struct seen s = {};
        size_t n;
        assert_int_equal(nft_listing_parse(text, strlen(text), &o, &n, collect, &s), 0);
        assert_int_equal(n, 1);               /* the long name is passed over */
        assert_int_equal(o[0].n_elements, 2); /* the long element counted, not handed on */
        assert_int_equal(s.n, 1);
        assert_string_equal(s.text[0], "1");
        free(o);
}

static void test_drop_counts(void **state) {
        (void)state;
        struct nft_drop_count d;
        assert_int_equal(nft_drop_count_parse("61001 . 00:00:00:00:00:00 . 7 counter packets 0 bytes 0", &d), 0);
        assert_int_equal(d.uid, 61001);
        assert_int_equal(d.kind, 7);
        static const char *const bad[] = {
                "", "0x1 . 52:54:00:00:00:02 . 0x6", "0x1 . 52:54:00:00:00:02 . 0x6 counter packets",
                "0x1 . 52:54:00:00:00 . 0x6 counter packets 1", "0x1 . 52:54:00:00:00:02:03 . 6 counter packets 1",
                "0x100000000 . 52:54:00:00:00:02 . 6 counter packets 1", "1 . 52:54:00:00:00:02 . 256 counter packets 1",
                "1 . 52:54:00:00:00:02 . 6 counter packets -1", "x . 52:54:00:00:00:02 . 6 counter packets 1",
                "\"vmnp0\" : goto in_1",
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
                assert_int_equal(nft_drop_count_parse(bad[i], &d), -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_objects_and_elements),
                cmocka_unit_test(test_two_tables_and_empty),
                cmocka_unit_test(test_bad_listings),
                cmocka_unit_test(test_callback_stops),
                cmocka_unit_test(test_long_names_and_elements),
                cmocka_unit_test(test_drop_counts),
        };
        return cmocka_run_group_tests_name("nft_listing", tests, NULL, NULL);
}
