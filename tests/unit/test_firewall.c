/* The nftables ruleset for each uplink mode (firewall_ruleset). */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "firewall.h"

static const char *ruleset(struct vmnet_config *c) {
        static char buf[2048];
        assert_true(firewall_ruleset(c, buf, sizeof buf) >= 0);
        return buf;
}

static void test_nat(void **state) {
        (void)state;
        struct vmnet_config c;
        config_defaults(&c);
        c.uplink = VMNET_UPLINK_NAT;
        const char *r = ruleset(&c);
        assert_non_null(strstr(r, "type nat hook postrouting"));
        assert_non_null(strstr(r, "ip saddr 10.77.0.0/24 ip daddr != 10.77.0.0/24 oifname != \"vmnet0\" masquerade"));
        strcpy(c.uplink_interface, "eth1");
        r = ruleset(&c);
        assert_non_null(strstr(r, "oifname \"eth1\" masquerade"));
        assert_null(strstr(r, "!= \"vmnet0\""));
}

static void test_isolated(void **state) {
        (void)state;
        struct vmnet_config c;
        config_defaults(&c);
        c.uplink = VMNET_UPLINK_ISOLATED;
        const char *r = ruleset(&c);
        assert_non_null(strstr(r, "iifname \"vmnet0\" oifname != \"vmnet0\" drop"));
        assert_non_null(strstr(r, "oifname \"vmnet0\" iifname != \"vmnet0\" drop"));
        assert_null(strstr(r, "masquerade"));
}

static void test_routed_and_external(void **state) {
        (void)state;
        struct vmnet_config c;
        char buf[8];
        config_defaults(&c);
        c.uplink = VMNET_UPLINK_ROUTED;
        assert_null(strstr(ruleset(&c), "masquerade"));
        assert_null(strstr(ruleset(&c), "drop"));
        c.uplink = VMNET_UPLINK_EXTERNAL;
        assert_int_equal(firewall_ruleset(&c, buf, sizeof buf), 0);
        c.uplink = VMNET_UPLINK_NAT;
        assert_int_equal(firewall_ruleset(&c, buf, sizeof buf), -ENOSPC);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_nat),
                cmocka_unit_test(test_isolated),
                cmocka_unit_test(test_routed_and_external),
        };
        return cmocka_run_group_tests_name("firewall", tests, NULL, NULL);
}
