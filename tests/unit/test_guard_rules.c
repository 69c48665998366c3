/* The guard's nftables commands (guard_rules.h): what they say, and that
 * the kernel takes each of them, in the order vmnetd sends them, in a
 * throwaway namespace. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "guard_rules.h"
#include "text_asserts.h"
#include "throwaway_netns.h"


static struct guard_params params(bool isolation) {
        struct guard_params p = {
                .prefix_len = 24,
                .host_mac = { 0x02, 0x76, 0x6d, 0x01, 0x02, 0x03 },
                .max_macs = 16,
                .isolation = isolation,
                .closed_prefixes = { "vmnp", "t~" },
        };
        inet_pton(AF_INET, "10.77.0.1", &p.address);
        return p;
}

static const struct guard_port ports[] = {
        { .name = "vmnp0", .uid = 61001 }, { .name = "tap-stu1+1", .uid = 61001 }, { .name = "vmnp1", .uid = 61002 },
};
static const uint32_t uids[] = { 61001, 61002 };

/* The text of one call, in a buffer that lives until the next. */
#define TEXT(call)                              \
        ({                                      \
                static struct strbuf b_;        \
                strbuf_reset(&b_);              \
                struct strbuf *b = &b_;         \
                call;                           \
                assert_int_equal(b_.error, 0);  \
                strbuf_str(&b_);                \
        })

static void test_table(void **state) {
        (void)state;
        struct guard_params p = params(false);
        const char *r = TEXT(guard_rules_table(b, &p, ports, 3, uids, 1));
        /* rebuilt rules, kept sets */
        assert_true(strncmp(r, "add table bridge vmnet_guard\nflush table bridge vmnet_guard\n", 60) == 0);
        LACKS(r, "delete table");
        LACKS(r, "flush set bridge vmnet_guard macs");
        HAS(r, "type filter hook prerouting priority -200;");
        /* vmnetd's port not in the maps yet: closed, not trusted */
        assert_in_order(r, "add rule bridge vmnet_guard prerouting iifname vmap @in_ports\n",
                        "add rule bridge vmnet_guard prerouting iifname \"vmnp*\" drop\n",
                        "add rule bridge vmnet_guard prerouting iifname \"t~*\" drop\n",
                        "prerouting update @trusted_macs");
        HAS(r, "add rule bridge vmnet_guard forward oifname vmap @out_ports\n");
        HAS(r, "add rule bridge vmnet_guard output oifname vmap @out_ports\n");
        /* the host's side is trusted, and what it uses noted; a student's
         * private segment is no side of the lab's (nothing of it trusted) */
        HAS(r, "prerouting update @trusted_macs { @ll,48,48 }");
        assert_in_order(r, "add rule bridge vmnet_guard prerouting iifname \"vmns*\" accept\n",
                        "prerouting update @trusted_macs", "prerouting arp saddr ip != 0.0.0.0 update @trusted_addrs");
        /* both students get chains (61002 only through its port), each port a map entry */
        HAS(r, "add chain bridge vmnet_guard in_61001\n");
        HAS(r, "add chain bridge vmnet_guard in_61002\n");
        HAS(r, "in_ports { \"tap-stu1+1\" : goto in_61001 }");
        HAS(r, "out_ports { \"vmnp1\" : jump out_61002 }");
        HAS(r, "ports_61002 { \"vmnp1\" }");
        /* one drop chain per kind, counting under the mark */
        HAS(r, "drop_dhcp_server update @drops { meta mark . ether saddr . 1 } drop");
        HAS(r, "drop_too_many_macs update @drops { meta mark . 00:00:00:00:00:00 . 7 } drop");
        /* no exam mode: the exam chains stay empty; the one all shared
         * before them goes */
        LACKS(r, "add rule bridge vmnet_guard exam_");
        assert_in_order(r, "flush table bridge vmnet_guard\n", "add chain bridge vmnet_guard exam\n",
                        "delete chain bridge vmnet_guard exam\n");
        r = TEXT(guard_rules_table(b, &(struct guard_params) { .isolation = true, .max_macs = 1 }, ports, 1, NULL, 0));
        assert_in_order(r, "add rule bridge vmnet_guard exam_61001 iifname != @ports_61001 iifname @student_ports drop\n",
                        "add rule bridge vmnet_guard exam_61001 iifname != @ports_61001 return\n",
                        "exam_61001 @ll,0,48 @macs @ll,0,48 != @macs_61001 meta mark set 61001 goto drop_exam\n",
                        "exam_61001 ether daddr 00:00:00:00:00:00 ip daddr 0.0.0.0/0 ip daddr != 0.0.0.0 meta mark "
                        "set 61001 goto drop_exam\n");
}

static void test_student(void **state) {
        (void)state;
        struct guard_params p = params(false);
        p.max_macs = 3;
        const char *r = TEXT(guard_rules_student(b, &p, 61001));
        HAS(r, "add set bridge vmnet_guard macs_61001 { typeof @ll,48,48; flags dynamic,timeout; timeout 600s; size 3; }");
        HAS(r, "add set bridge vmnet_guard addrs_61001 { type ipv4_addr; flags dynamic,timeout; timeout 600s; size 3; }");
        HAS(r, "add set bridge vmnet_guard leased_61001 { type ipv4_addr; flags timeout; }");
        /* MACs: never the host's, the student's own, new ones while under max_macs */
        HAS(r, "in_61001 ether saddr 02:76:6d:01:02:03 meta mark set 61001 goto drop_host_mac");
        HAS(r, "in_61001 @ll,48,48 @macs meta mark set 61001 goto drop_mac_taken");
        HAS(r, "in_61001 add @macs_61001 { @ll,48,48 } add @macs { @ll,48,48 } goto l3_61001");
        HAS(r, "in_61001 meta mark set 61001 goto drop_too_many_macs");
        /* no tags to hide behind, no servers but the host */
        HAS(r, "l3_61001 ether type @vlan_types meta mark set 61001 goto drop_vlan");
        HAS(r, "l4_61001 udp sport 67 meta mark set 61001 goto drop_dhcp_server");
        HAS(r, "l4_61001 icmpv6 type @router_messages meta mark set 61001 goto drop_ipv6_router");
        HAS(r, "l4_61001 udp dport 67 @th,288,48 != @macs_61001 meta mark set 61001 goto drop_dhcp_foreign");
        HAS(r, "limit rate over 20/second burst 50 packets meta mark set 61001 goto drop_dhcp_rate");
        HAS(r, "ip daddr 10.77.0.1 meta l4proto @dns_protocols th dport 53 limit rate over 200/second");
        /* addresses: the host's never; leased before seen; the student's own first */
        HAS(r, "l3_61001 arp saddr ip 10.77.0.1 meta mark set 61001 goto drop_host_address");
        HAS(r, "l3_61001 ip saddr 10.77.0.1 meta mark set 61001 goto drop_host_address");
        assert_in_order(r, "ip saddr @leased_61001 accept",
                        "ip saddr @leased meta mark set 61001 goto drop_address_taken",
                        "ip saddr @addrs_61001 update",
                        "ip saddr @addrs meta mark set 61001 goto drop_address_taken",
                        "ether type ip add @addrs_61001 { ip saddr }");
        /* a TCP frame meets no rule of the other protocols' servers */
        assert_in_order(r, "l3_61001 ether type @vlan_types", "l3_61001 meta l4proto != tcp jump l4_61001\n",
                        "l3_61001 ip daddr 10.77.0.1 meta l4proto @dns_protocols th dport 53",
                        "l3_61001 ether type arp @nh,64,48 != @macs_61001", "l3_61001 jump exam_61001\n",
                        "l3_61001 arp saddr ip 10.77.0.1");
        LACKS(r, "l3_61001 udp");
        /* leaving: a frame for another student's MAC never goes down this
         * port; then exam mode, empty while off */
        assert_in_order(r, "out_61001 @ll,0,48 != @macs_61001 @ll,0,48 @macs drop\n", "out_61001 jump exam_61001\n");
        LACKS(r, "add rule bridge vmnet_guard exam_61001");
        p.isolation = true;
        r = TEXT(guard_rules_student(b, &p, 61001));
        /* exam mode, through the host too */
        HAS(r, "exam_61001 ether daddr 02:76:6d:01:02:03 ip daddr 10.77.0.0/24 ip daddr != 10.77.0.1 meta mark set "
               "61001 goto drop_exam\n");

        r = TEXT(guard_rules_student_delete(b, 61001));
        assert_in_order(r, "flush chain bridge vmnet_guard out_61001", "delete chain bridge vmnet_guard in_61001");
        HAS(r, "delete set bridge vmnet_guard macs_61001\n");
}

static void test_ports(void **state) {
        (void)state;
        const char *r = TEXT(guard_rules_port(b, &ports[0], false));
        HAS(r, "delete element bridge vmnet_guard in_ports { \"vmnp0\" }\n");
        HAS(r, "delete element bridge vmnet_guard ports_61001 { \"vmnp0\" }\n");
        /* a name nftables could not quote is no port of the guard's */
        assert_false(guard_port_name_ok("a\"b"));
        assert_false(guard_port_name_ok("a\\b"));
        assert_false(guard_port_name_ok(""));
        assert_true(guard_port_name_ok("t~0123456789+1"));
        struct guard_port bad = { .name = "x\"y", .uid = 1 };
        assert_string_equal(TEXT(guard_rules_port(b, &bad, true)), "");
        r = TEXT(guard_rules_ports_refresh(b, ports, 3, uids, 1));
        HAS(r, "flush map bridge vmnet_guard in_ports\n");
        HAS(r, "flush set bridge vmnet_guard ports_61001\n");
        HAS(r, "\"tap-stu1+1\" : goto in_61001");
        LACKS(r, "vmnp1");     /* 61002 is not asked for */
}

static void test_leases(void **state) {
        (void)state;
        struct guard_lease l[4] = {
                { .uid = 61001, .expiry = 1600 },
                { .uid = 61002, .expiry = 0 },
                { .uid = 61001, .expiry = 1000 },       /* expired */
                { .uid = 61009, .expiry = 5000 },       /* no chains of theirs */
        };
        inet_pton(AF_INET, "10.77.0.100", &l[0].addr);
        inet_pton(AF_INET, "10.77.0.101", &l[1].addr);
        inet_pton(AF_INET, "10.77.0.102", &l[2].addr);
        inet_pton(AF_INET, "10.77.0.103", &l[3].addr);
        const char *r = TEXT(guard_rules_leases(b, l, 4, uids, 2, 1000));
        HAS(r, "flush set bridge vmnet_guard leased\n");
        HAS(r, "flush set bridge vmnet_guard leased_61002\n");
        HAS(r, "add element bridge vmnet_guard leased_61001 { 10.77.0.100 timeout 600s }\n");
        HAS(r, "add element bridge vmnet_guard leased { 10.77.0.101 }\n");
        LACKS(r, "10.77.0.102");
        LACKS(r, "10.77.0.103");
}

static struct guard_lease lease(const char *addr, uint32_t uid, int64_t expiry) {
        struct guard_lease l = { .uid = uid, .expiry = expiry };
        inet_pton(AF_INET, addr, &l.addr);
        return l;
}

static void test_leases_kept(void **state) {
        (void)state;
        struct guard_lease in[] = {
                lease("10.77.0.102", 61001, 1600), lease("10.77.0.9", 61002, 0),
                lease("10.77.0.50", 61001, 1000),  /* expired */
                lease("10.77.0.51", 61009, 5000),  /* no chains of theirs */
                lease("10.77.0.9", 61001, 0),      /* the address twice: one is kept */
        }, out[5];
        size_t n = guard_rules_leases_kept(in, 5, uids, 2, 1000, out);
        assert_int_equal(n, 2);
        assert_int_equal(out[0].addr.s_addr, lease("10.77.0.9", 0, 0).addr.s_addr); /* in address order */
        assert_int_equal(out[0].uid, 61001);
        assert_int_equal(out[1].uid, 61001);
        assert_int_equal(out[1].expiry, 1600);
}

static void test_leases_change(void **state) {
        (void)state;
        struct guard_lease had[] = {
                lease("10.77.0.10", 61001, 1600), lease("10.77.0.11", 61001, 1600), lease("10.77.0.12", 61002, 0),
                lease("10.77.0.13", 61002, 1000), /* timed out by the kernel */
                lease("10.77.0.14", 61001, 0),
        };
        struct guard_lease kept[] = {
                lease("10.77.0.10", 61001, 1600),  /* the same */
                lease("10.77.0.11", 61001, 1900),  /* renewed */
                lease("10.77.0.12", 61001, 0),     /* another student's now */
                lease("10.77.0.15", 61002, 1100),  /* new */
        };
        const char *r = TEXT(guard_rules_leases_change(b, had, 5, kept, 4, 1000));
        assert_string_equal(r, "delete element bridge vmnet_guard leased { 10.77.0.11 }\n"
                               "delete element bridge vmnet_guard leased_61001 { 10.77.0.11 }\n"
                               "delete element bridge vmnet_guard leased { 10.77.0.12 }\n"
                               "delete element bridge vmnet_guard leased_61002 { 10.77.0.12 }\n"
                               "delete element bridge vmnet_guard leased { 10.77.0.14 }\n"
                               "delete element bridge vmnet_guard leased_61001 { 10.77.0.14 }\n"
                               "add element bridge vmnet_guard leased { 10.77.0.11 timeout 900s }\n"
                               "add element bridge vmnet_guard leased_61001 { 10.77.0.11 timeout 900s }\n"
                               "add element bridge vmnet_guard leased { 10.77.0.12 }\n"
                               "add element bridge vmnet_guard leased_61001 { 10.77.0.12 }\n"
                               "add element bridge vmnet_guard leased { 10.77.0.15 timeout 100s }\n"
                               "add element bridge vmnet_guard leased_61002 { 10.77.0.15 timeout 100s }\n");
        /* nothing changed: nothing to run */
        assert_string_equal(TEXT(guard_rules_leases_change(b, kept, 4, kept, 4, 1000)), "");
}

/* Everything vmnetd sends, in its order, on the real kernel. */
static void test_kernel_takes_it(void **state) {
        (void)state;
        struct guard_params p = params(false), exam = params(true);
        struct guard_lease lease = { .uid = 61001, .expiry = 0 };
        inet_pton(AF_INET, "10.77.0.100", &lease.addr);
        struct guard_port stale = { .name = "vmnp1", .uid = 61001 };   /* 61002's port, named for 61001 */
        struct strbuf t1 = {}, t2 = {}, leases = {}, port = {}, unport = {}, refresh = {}, on = {}, off = {},
                      gone = {}, del = {};
        guard_rules_table(&t1, &p, ports, 2, uids, 1);
        guard_rules_table(&t2, &exam, ports, 3, uids, 2);
        guard_rules_leases(&leases, &lease, 1, uids, 2, 0);
        struct guard_lease renewed = lease, added = { .uid = 61002, .expiry = 0 };
        renewed.expiry = (int64_t)time(NULL) + 600;
        inet_pton(AF_INET, "10.77.0.101", &added.addr);
        struct guard_lease after[] = { renewed, added };
        struct strbuf change = {};
        guard_rules_leases_change(&change, &lease, 1, after, 2, (int64_t)time(NULL));
        guard_rules_port(&port, &stale, true);
        guard_rules_port(&unport, &ports[1], false);
        guard_rules_ports_refresh(&refresh, ports, 3, uids, 2);
        guard_rules_isolation(&on, &p, true, uids, 2);
        guard_rules_isolation(&off, &p, false, uids, 2);
        guard_rules_student_delete(&gone, 61002);
        guard_rules_delete_table(&del);
        const struct nft_step steps[] = {
                /* a table of a vmnetd before exam_UID did it all: its
                 * shared exam chain goes, though a rule jumped to it */
                { "add table bridge vmnet_guard\nadd chain bridge vmnet_guard exam\n"
                  "add chain bridge vmnet_guard out_61001\n"
                  "add rule bridge vmnet_guard out_61001 iifname \"vmnp0\" jump exam", false },
                { strbuf_str(&t1), false },
                { "add element bridge vmnet_guard macs { 0x525400000001 }", false },
                { strbuf_str(&t2), false },                    /* a reload: new student, exam mode */
                { strbuf_str(&leases), false },
                { strbuf_str(&change), false },                /* renewed, and one more */
                { strbuf_str(&port), true },                   /* the map names another student */
                { strbuf_str(&refresh), false },
                { strbuf_str(&unport), false },
                { strbuf_str(&unport), true },                 /* gone already */
                { strbuf_str(&off), false },
                { strbuf_str(&on), false },
                { "delete element bridge vmnet_guard in_ports { \"vmnp1\" }\n"
                  "delete element bridge vmnet_guard out_ports { \"vmnp1\" }", false },
                { strbuf_str(&gone), false },
                { "list set bridge vmnet_guard macs", false },
        };
        char out[4096];
        int n = (int)(sizeof steps / sizeof steps[0]);
        int r = nft_steps_in_netns(steps, n, out, sizeof out);
        if (r >= 0 && r < n)
                print_error("step %d did not do as expected:\n%s\n", r, steps[r].commands);
        strbuf_free(&change);
        strbuf_free(&t1), strbuf_free(&t2), strbuf_free(&leases), strbuf_free(&port), strbuf_free(&unport);
        strbuf_free(&refresh), strbuf_free(&on), strbuf_free(&off), strbuf_free(&gone);
        if (r < 0) {
                strbuf_free(&del);
                skip();
        }
        assert_int_equal(r, n);
        /* what the packet path learned outlives the rebuild */
        HAS(out, "0x525400000001");

        const struct nft_step down[] = { { strbuf_str(&del), false }, { strbuf_str(&del), false } };
        assert_int_equal(nft_steps_in_netns(down, 2, NULL, 0), 2);
        strbuf_free(&del);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_student),
                cmocka_unit_test(test_ports),
                cmocka_unit_test(test_leases),
                cmocka_unit_test(test_leases_kept),
                cmocka_unit_test(test_leases_change),
                cmocka_unit_test(test_kernel_takes_it),
        };
        return cmocka_run_group_tests_name("guard_rules", tests, NULL, NULL);
}
