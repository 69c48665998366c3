/* vmware_bridged_vnet: which VMnet /etc/vmware/networking bridges to the
 * lab bridge, for "vmnet hint vmware". */
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

#include "vmware_networking.h"

static int vnet(const char *text, const char *iface) {
        return vmware_bridged_vnet(text, strlen(text), iface);
}

/* a file as vmware-netcfg writes it: answers, then the mappings */
static void test_mapping(void **state) {
        (void)state;
        const char *text = "VERSION=1,0\n"
                           "answer VNET_1_DHCP yes\n"
                           "answer VNET_1_HOSTONLY_NETMASK 255.255.255.0\n"
                           "add_bridge_mapping eth0 2\n"
                           "add_bridge_mapping vmnet0 0\n";
        assert_int_equal(vnet(text, "vmnet0"), 0);
        assert_int_equal(vnet(text, "eth0"), 2);
        assert_int_equal(vnet(text, "vmnet"), -ENOENT);
        assert_int_equal(vnet(text, "eth"), -ENOENT);
}

/* blanks around words, CRLF, no final newline, the first mapping wins */
static void test_layout(void **state) {
        (void)state;
        assert_int_equal(vnet("  add_bridge_mapping\tvmnet0   7  \r\nadd_bridge_mapping vmnet0 3", "vmnet0"), 7);
        assert_int_equal(vnet("add_bridge_mapping vmnet0 255", "vmnet0"), 255);
        assert_int_equal(vnet("", "vmnet0"), -ENOENT);
}

/* what is not a mapping of ours is passed over, never half read */
static void test_not_mappings(void **state) {
        (void)state;
        const char *bad[] = {
                "#add_bridge_mapping vmnet0 0\n", "add_bridge_mapping vmnet0\n",
                "add_bridge_mapping vmnet0 0 extra\n", "add_bridge_mapping vmnet0 -1\n",
                "add_bridge_mapping vmnet0 256\n", "add_bridge_mapping vmnet0 0x1\n",
                "add_bridge_mapping vmnet0 1000\n", "add_bridge_mappings vmnet0 0\n",
                "answer add_bridge_mapping vmnet0 0\n", "add_nat_portfwd vmnet0 0\n",
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
                assert_int_equal(vnet(bad[i], "vmnet0"), -ENOENT);
        /* a bad line does not hide a good one after it */
        assert_int_equal(vnet("add_bridge_mapping vmnet0 x\nadd_bridge_mapping vmnet0 4\n", "vmnet0"), 4);
}

/* the text is not a C string: nothing past size is read */
static void test_size(void **state) {
        (void)state;
        const char text[] = "add_bridge_mapping vmnet0 12";
        assert_int_equal(vmware_bridged_vnet(text, sizeof text - 2, "vmnet0"), 1);
}

static void test_file(void **state) {
        (void)state;
        char path[] = "/tmp/vmnet-test-vmware.XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "add_bridge_mapping vmnet0 0\n", 28), 28);
        close(fd);
        assert_int_equal(vmware_bridged_vnet_file(path, "vmnet0"), 0);
        assert_int_equal(vmware_bridged_vnet_file(path, "br0"), -ENOENT);
        unlink(path);
        assert_int_equal(vmware_bridged_vnet_file(path, "vmnet0"), -ENOENT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mapping),
                cmocka_unit_test(test_layout),
                cmocka_unit_test(test_not_mappings),
                cmocka_unit_test(test_size),
                cmocka_unit_test(test_file),
        };
        return cmocka_run_group_tests_name("vmware_networking", tests, NULL, NULL);
}
