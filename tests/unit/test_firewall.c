/* The nftables ruleset for each uplink mode (firewall_ruleset), as text
 * and as the kernel takes it (in a throwaway namespace). */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "firewall.h"
#include "text_asserts.h"
#include "throwaway_netns.h"

static const char *ruleset(struct vmnet_config *c, bool forwarding_ours) {
        static struct strbuf b;
        strbuf_reset(&b);
        assert_int_equal(firewall_ruleset(c, forwarding_ours, &b), 0);
        return strbuf_str(&b);
}

static struct vmnet_config config(enum vmnet_uplink uplink) {
        struct vmnet_config c;
        config_defaults(&c);
        c.uplink = uplink;
        return c;
}


/* What every mode but external has: the lab's DNS and DHCP for the lab. */
static void assert_lab_only_services(const char *r) {
        HAS(r, "iifname != { \"vmnet0\", \"lo\" } ip daddr 10.77.0.1 meta l4proto { tcp, udp } th dport { 53, 67 } drop");
}

static void test_nat(void **state) {
        (void)state;
        struct vmnet_config c = config(VMNET_UPLINK_NAT);
        const char *r = ruleset(&c, false);
        HAS(r, "type nat hook postrouting");
        HAS(r, "ip saddr 10.77.0.0/24 ip daddr != 10.77.0.0/24 oifname != \"vmnet0\" masquerade");
        /* bridged frames first, then: lab sources only out, only replies in */
        assert_in_order(r, "iifname \"vmnet0\" oifname \"vmnet0\" accept",
                        "iifname \"vmnet0\" ip saddr != 10.77.0.0/24 drop",
                        "oifname \"vmnet0\" ct state established,related accept",
                        "oifname \"vmnet0\" drop");
        HAS(r, "iifname \"vmnet0\" meta nfproto ipv6 drop");
        assert_lab_only_services(r);
        /* someone else's forwarding: not ours to stop */
        LACKS(r, "iifname != \"vmnet0\" oifname != \"vmnet0\" drop");
        HAS(ruleset(&c, true), "iifname != \"vmnet0\" oifname != \"vmnet0\" drop");
        /* (frames bridged on a private segment are not forwarding, even as br_netfilter shows them) */
        assert_in_order(ruleset(&c, true), "iifname \"b~*\" oifname \"b~*\" accept",
                        "iifname != \"vmnet0\" oifname != \"vmnet0\" drop");

        strcpy(c.uplink_interface, "eth1");
        r = ruleset(&c, false);
        HAS(r, "oifname \"eth1\" masquerade");
        LACKS(r, "oifname != \"vmnet0\" masquerade");
}

static void test_routed(void **state) {
        (void)state;
        struct vmnet_config c = config(VMNET_UPLINK_ROUTED);
        const char *r = ruleset(&c, true);
        LACKS(r, "masquerade");
        LACKS(r, "ct state");   /* two-way: the LAN reaches the VMs */
        HAS(r, "iifname \"vmnet0\" ip saddr != 10.77.0.0/24 drop");
        HAS(r, "oifname \"vmnet0\" accept");
        HAS(r, "iifname != \"vmnet0\" oifname != \"vmnet0\" drop");
        assert_lab_only_services(r);
}

static void test_isolated(void **state) {
        (void)state;
        struct vmnet_config c = config(VMNET_UPLINK_ISOLATED);
        const char *r = ruleset(&c, false);
        HAS(r, "iifname \"vmnet0\" oifname != \"vmnet0\" drop");
        HAS(r, "oifname \"vmnet0\" iifname != \"vmnet0\" drop");
        LACKS(r, "masquerade");
        assert_lab_only_services(r);
}

static void test_external(void **state) {
        (void)state;
        struct vmnet_config c = config(VMNET_UPLINK_EXTERNAL);
        assert_string_equal(ruleset(&c, false), "");
}

/* Each mode's table, as vmnetd installs it, is one the kernel takes. */
static void test_kernel_takes_every_mode(void **state) {
        (void)state;
        for (unsigned u = VMNET_UPLINK_NAT; u <= VMNET_UPLINK_ISOLATED; u++)
                for (int ours = 0; ours < 2; ours++) {
                        struct vmnet_config c = config((enum vmnet_uplink)u);
                        struct strbuf b = {};
                        strbuf_printf(&b, "add table inet vmnet\ndelete table inet vmnet\n");
                        assert_int_equal(firewall_ruleset(&c, ours, &b), 0);
                        struct nft_step steps[] = {
                                { strbuf_str(&b), false },
                                { strbuf_str(&b), false },   /* replaced, as at a restart */
                                { "add table inet vmnet\ndelete table inet vmnet\n", false },
                        };
                        int r = nft_steps_in_netns(steps, 3, NULL, 0);
                        strbuf_free(&b);
                        if (r < 0)
                                skip();
                        assert_int_equal(r, 3);
                }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_nat),
                cmocka_unit_test(test_routed),
                cmocka_unit_test(test_isolated),
                cmocka_unit_test(test_external),
                cmocka_unit_test(test_kernel_takes_every_mode),
        };
        return cmocka_run_group_tests_name("firewall", tests, NULL, NULL);
}
