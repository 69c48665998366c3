/* dnsmasq_config_text(): the hermetic config vmnetd gives its dnsmasq.  It
 * takes no name from the guests (dhcp-ignore-names) and serves the records
 * the names program writes (hostsdir), which it runs for every lease and
 * renewal; it stays vmnetd's user; every address of the range may be
 * leased; and each uplink gets its router. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "dnsmasq.h"
#include "strbuf.h"
#include "text_asserts.h"

static void test_names_are_not_dnsmasqs(void **state) {
        struct vmnet_config c;
        struct strbuf b = {};
        (void)state;
        config_defaults(&c);
        assert_int_equal(dnsmasq_config_text(&c, "vmnet", "/usr/lib/vmnet/vmnet-names", &b), 0);
        const char *t = strbuf_str(&b);
        HAS(t, "\ndhcp-ignore-names\n");
        HAS(t, "\nscript-on-renewal\n");
        HAS(t, "\ndhcp-script=/usr/lib/vmnet/vmnet-names\n");
        HAS(t, "\nhostsdir=/run/vmnet/dns\n");
        HAS(t, "\ndomain=lab\nlocal=/lab/\n");
        HAS(t, "\nno-hosts\n");
        LACKS(t, "expand-hosts");
        HAS(t, "\nuser=vmnet\n");
        HAS(t, "\nleasefile-ro\n"); /* the names program keeps the leases */
        LACKS(t, "dhcp-leasefile");
        HAS(t, "\ndhcp-lease-max=151\n"); /* the whole range, not dnsmasq's 1000 */
        HAS(t, "\ndhcp-option=option:router,10.77.0.1\n");
        assert_in_order(t, "interface=vmnet0\n", "bind-interfaces\n", "dhcp-range=10.77.0.100,10.77.0.250,3600\n");
        strbuf_free(&b);
}

static void test_variants(void **state) {
        struct vmnet_config c;
        struct strbuf b = {};
        (void)state;
        config_defaults(&c);
        c.uplink = VMNET_UPLINK_ISOLATED;
        strcpy(c.resolv_file, "none");
        strcpy(c.run_dir, "/srv/lab");
        inet_pton(AF_INET, "10.77.1.1", &c.dhcp_start);
        inet_pton(AF_INET, "10.77.15.250", &c.dhcp_end);
        assert_int_equal(dnsmasq_config_text(&c, NULL, "/x/vmnet-names", &b), 0);
        const char *t = strbuf_str(&b);
        HAS(t, "\ndhcp-option=option:router\n"); /* host-only: no way out */
        HAS(t, "\nno-resolv\n");
        HAS(t, "\nhostsdir=/srv/lab/dns\n");
        HAS(t, "\ndhcp-range=10.77.1.1,10.77.15.250,3600\ndhcp-lease-max=3834\n");
        LACKS(t, "user=");
        strbuf_free(&b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names_are_not_dnsmasqs),
                cmocka_unit_test(test_variants),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
