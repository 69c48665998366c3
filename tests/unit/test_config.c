#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

/* Parses text that must be good, and returns the result. */
static struct vmnet_config parse_ok(const char *text) {
        struct vmnet_config c;
        char err[512] = "";
        int r = config_parse(text, strlen(text), "t.conf", &c, err, sizeof err);
        if (r != 0)
                print_error("unexpected error: %s\n", err);
        assert_int_equal(r, 0);
        assert_string_equal(err, "");
        return c;
}

/* Parses text of len bytes that must fail with exactly message, leaving the
 * output untouched. */
static void expect_error_len(const char *text, size_t len, const char *message) {
        struct vmnet_config c, before;
        char err[512];

        memset(&c, 0x5a, sizeof c);
        before = c;
        assert_int_equal(config_parse(text, len, "t.conf", &c, err, sizeof err), -EINVAL);
        assert_string_equal(err, message);
        assert_memory_equal(&c, &before, sizeof c);
}

static void expect_error(const char *text, const char *message) {
        expect_error_len(text, strlen(text), message);
}

static const char *ip(struct in_addr a) {
        static char buf[4][INET_ADDRSTRLEN];
        static unsigned next;
        char *b = buf[next++ % 4];
        return inet_ntop(AF_INET, &a, b, INET_ADDRSTRLEN);
}

static void test_defaults(void **state) {
        (void)state;
        struct vmnet_config d;
        config_defaults(&d);
        assert_string_equal(d.socket_path, "/run/vmnet/vmnetd.sock");
        assert_string_equal(d.run_dir, "/run/vmnet");
        assert_string_equal(d.bridge, "vmnet0");
        assert_string_equal(ip(d.address), "10.77.0.1");
        assert_int_equal(d.prefix_len, 24);
        assert_string_equal(ip(d.dhcp_start), "10.77.0.100");
        assert_string_equal(ip(d.dhcp_end), "10.77.0.250");
        assert_int_equal(d.lease_seconds, 3600);
        assert_string_equal(d.domain, "lab");
        assert_int_equal(d.uplink, VMNET_UPLINK_NAT);
        assert_string_equal(d.uplink_interface, "");
        assert_string_equal(d.tap_name, "tap-%u");
        assert_int_equal(d.max_taps, 4);
        assert_int_equal(d.n_allow_groups, 0);
        assert_int_equal(d.n_teacher_groups, 0);
        assert_string_equal(d.resolv_file, "/etc/resolv.conf");
        assert_string_equal(d.dnsmasq, "/usr/sbin/dnsmasq");
        assert_true(d.guard);
        assert_int_equal(d.max_macs, 16);
        assert_int_equal(d.isolation, VMNET_ISOLATION_NONE);
        assert_int_equal(d.login_pool, 0);
        assert_int_equal(d.max_segments, 2);

        /* an empty file, or one with only comments, gives the defaults */
        struct vmnet_config c = parse_ok("");
        assert_memory_equal(&c, &d, sizeof c);
        c = parse_ok("# nothing\n\n   \n\t# indented comment\n");
        assert_memory_equal(&c, &d, sizeof c);
}

static void test_every_key(void **state) {
        (void)state;
        struct vmnet_config c = parse_ok(
                "bridge = labbr0\n"
                "address = 192.168.50.1/23\n"
                "dhcp_range = 192.168.50.10, 192.168.51.200\n"
                "lease_time = 600\n"
                "domain = lab.example-1.org\n"
                "uplink = routed\n"
                "uplink_interface = eth1\n"
                "tap_name = vm_%u-t\n"
                "max_taps = 100\n"
                "allow_groups = students, staff  lab_2,x-y\n"
                "teacher_groups = teachers,tutors\n"
                "resolv_file = /tmp/x/resolv.conf\n"
                "dnsmasq = /opt/dnsmasq/bin/dnsmasq\n"
                "guard = off\n"
                "max_macs = 3\n"
                "isolation = students\n"
                "max_segments = 5\n");
        assert_string_equal(c.bridge, "labbr0");
        assert_string_equal(ip(c.address), "192.168.50.1");
        assert_int_equal(c.prefix_len, 23);
        assert_string_equal(ip(c.dhcp_start), "192.168.50.10");
        assert_string_equal(ip(c.dhcp_end), "192.168.51.200");
        assert_int_equal(c.lease_seconds, 600);
        assert_string_equal(c.domain, "lab.example-1.org");
        assert_int_equal(c.uplink, VMNET_UPLINK_ROUTED);
        assert_string_equal(c.uplink_interface, "eth1");
        assert_string_equal(c.tap_name, "vm_%u-t");
        assert_int_equal(c.max_taps, 100);
        assert_int_equal(c.n_allow_groups, 4);
        assert_string_equal(c.allow_groups[0], "students");
        assert_string_equal(c.allow_groups[1], "staff");
        assert_string_equal(c.allow_groups[2], "lab_2");
        assert_string_equal(c.allow_groups[3], "x-y");
        assert_int_equal(c.n_teacher_groups, 2);
        assert_string_equal(c.teacher_groups[0], "teachers");
        assert_string_equal(c.teacher_groups[1], "tutors");
        assert_string_equal(c.resolv_file, "/tmp/x/resolv.conf");
        assert_string_equal(c.dnsmasq, "/opt/dnsmasq/bin/dnsmasq");
        assert_false(c.guard);
        assert_int_equal(c.max_macs, 3);
        assert_int_equal(c.isolation, VMNET_ISOLATION_STUDENTS);
        assert_int_equal(c.max_segments, 5);

        assert_int_equal(parse_ok("uplink = nat").uplink, VMNET_UPLINK_NAT);
        assert_int_equal(parse_ok("uplink = isolated").uplink, VMNET_UPLINK_ISOLATED);
        assert_int_equal(parse_ok("uplink = external").uplink, VMNET_UPLINK_EXTERNAL);
        assert_string_equal(parse_ok("resolv_file = none").resolv_file, "none");
        assert_int_equal(parse_ok("lease_time = 120").lease_seconds, 120);
        assert_int_equal(parse_ok("lease_time = 604800").lease_seconds, 604800);
        assert_int_equal(parse_ok("max_taps = 1").max_taps, 1);
        /* empty values that mean something */
        assert_string_equal(parse_ok("uplink_interface =").uplink_interface, "");
        assert_int_equal(parse_ok("allow_groups = ").n_allow_groups, 0);
        assert_int_equal(parse_ok("teacher_groups = ").n_teacher_groups, 0);
}

static void test_layout(void **state) {
        (void)state;
        /* tabs, CRLF, no spaces, no final newline, '=' inside the value */
        struct vmnet_config c = parse_ok("\t bridge\t=\tbr-a \r\n#x = y\r\n\r\ndomain=a.b\r\n   # c\ndnsmasq = /a=b");
        assert_string_equal(c.bridge, "br-a");
        assert_string_equal(c.domain, "a.b");
        assert_string_equal(c.dnsmasq, "/a=b");
        /* a comment is only a whole line: this one makes the name bad */
        expect_error("bridge = br0 # the lab",
                     "t.conf:1: bridge: bad interface name 'br0 # the lab': it contains white space");
        /* line numbers count blank and comment lines */
        expect_error("\n# one\n\n  \nfoo = 1\n", "t.conf:5: unknown key 'foo'");
        expect_error("a\r\n", "t.conf:1: missing '=' in 'a' (expected key = value)");
}

static void test_syntax_errors(void **state) {
        (void)state;
        expect_error("bridge = x\nthis line has no equals sign\n",
                     "t.conf:2: missing '=' in 'this line has no equals sign' (expected key = value)");
        expect_error("# ok\n = value\n", "t.conf:2: missing key before '='");
        expect_error("bridge = a\nBridge = b\n", "t.conf:2: unknown key 'Bridge'");
        expect_error("k\001ey = 1", "t.conf:1: unknown key 'k?ey'");
        expect_error("\n\nbridge = a\nmax_taps = 2\nbridge = b\n",
                     "t.conf:5: duplicate key 'bridge' (first set on line 3)");
        /* a duplicate is an error even when both values are the same or empty */
        expect_error("allow_groups =\nallow_groups =\n",
                     "t.conf:2: duplicate key 'allow_groups' (first set on line 1)");
        expect_error("bridge =\n", "t.conf:1: bridge: empty value");
        expect_error("x=1\n", "t.conf:1: unknown key 'x'");
        static const char *const required[] = {
                "bridge", "address", "dhcp_range", "lease_time", "domain",
                "uplink", "tap_name", "max_taps", "resolv_file", "dnsmasq", "guard", "max_macs",
                "isolation", "login_pool", "max_segments",
        };
        for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
                char text[64], message[128];
                snprintf(text, sizeof text, "\n%s = \t\n", required[i]);
                snprintf(message, sizeof message, "t.conf:2: %s: empty value", required[i]);
                expect_error(text, message);
        }
}

static void test_nul_and_long_lines(void **state) {
        (void)state;
        static const char nul[] = "bridge = a\n# b\nmax_taps = 1\0\n";
        expect_error_len(nul, sizeof nul - 1, "t.conf:3: NUL byte in line");
        static const char nul_comment[] = "\n# comment\0 more\n";
        expect_error_len(nul_comment, sizeof nul_comment - 1, "t.conf:2: NUL byte in line");

        /* 8192 bytes is the longest line; one more is refused */
        size_t size = 8200;
        char *text = malloc(size);
        assert_non_null(text);
        memset(text, ' ', size);
        memcpy(text, "\n#", 2);
        text[1 + 8192] = '\n';
        assert_int_equal(config_parse(text, 1 + 8192 + 1, "t.conf", &(struct vmnet_config){0}, NULL, 0), 0);
        text[1 + 8192] = ' ';
        text[1 + 8193] = '\n';
        expect_error_len(text, 1 + 8193 + 1, "t.conf:2: line is longer than 8192 bytes");
        free(text);
}

static void test_numbers(void **state) {
        (void)state;
        expect_error("lease_time = abc", "t.conf:1: lease_time: 'abc' is not a number (expected 120..604800)");
        expect_error("lease_time = +600", "t.conf:1: lease_time: '+600' is not a number (expected 120..604800)");
        expect_error("lease_time = -1", "t.conf:1: lease_time: '-1' is not a number (expected 120..604800)");
        expect_error("lease_time = 0x100", "t.conf:1: lease_time: '0x100' is not a number (expected 120..604800)");
        expect_error("lease_time = 600s", "t.conf:1: lease_time: '600s' is not a number (expected 120..604800)");
        expect_error("lease_time = 6 00", "t.conf:1: lease_time: '6 00' is not a number (expected 120..604800)");
        expect_error("lease_time = 119", "t.conf:1: lease_time: 119 is out of range (expected 120..604800)");
        expect_error("lease_time = 604801", "t.conf:1: lease_time: 604801 is out of range (expected 120..604800)");
        expect_error("lease_time = 99999999999999999999999",
                     "t.conf:1: lease_time: 99999999999999999999999 is out of range (expected 120..604800)");
        /* 2^32 + 600 must not wrap around to 600 */
        expect_error("lease_time = 4294967896", "t.conf:1: lease_time: 4294967896 is out of range (expected 120..604800)");
        expect_error("max_taps = 0", "t.conf:1: max_taps: 0 is out of range (expected 1..100)");
        expect_error("max_taps = 101", "t.conf:1: max_taps: 101 is out of range (expected 1..100)");
        assert_int_equal(parse_ok("max_taps = 007").max_taps, 7);
        assert_int_equal(parse_ok("login_pool = 0").login_pool, 0);
        assert_int_equal(parse_ok("login_pool = 1000").login_pool, 1000);
        expect_error("login_pool = 1001", "t.conf:1: login_pool: 1001 is out of range (expected 0..1000)");
        expect_error("login_pool = -1", "t.conf:1: login_pool: '-1' is not a number (expected 0..1000)");
        /* no private segments at all is a choice */
        assert_int_equal(parse_ok("max_segments = 0").max_segments, 0);
        assert_int_equal(parse_ok("max_segments = 32").max_segments, 32);
        expect_error("max_segments = 33", "t.conf:1: max_segments: 33 is out of range (expected 0..32)");
        expect_error("max_segments = -1", "t.conf:1: max_segments: '-1' is not a number (expected 0..32)");
}

static void test_paths(void **state) {
        (void)state;
        expect_error("resolv_file = resolv.conf", "t.conf:1: resolv_file: 'resolv.conf' is not an absolute path");
        expect_error("resolv_file = None", "t.conf:1: resolv_file: 'None' is not an absolute path");
        expect_error("dnsmasq = dnsmasq", "t.conf:1: dnsmasq: 'dnsmasq' is not an absolute path");

        char text[PATH_MAX + 64], path[PATH_MAX + 1];
        memset(path, 'a', sizeof path);
        path[0] = '/';
        path[PATH_MAX] = '\0';
        snprintf(text, sizeof text, "dnsmasq = %s", path);
        expect_error(text, "t.conf:1: dnsmasq: path is too long (at most 4095 bytes)");
        path[PATH_MAX - 1] = '\0';
        snprintf(text, sizeof text, "resolv_file = %s", path);
        assert_string_equal(parse_ok(text).resolv_file, path);
}

static void test_interface_names(void **state) {
        (void)state;
        assert_string_equal(parse_ok("bridge = abcdefghijklmno").bridge, "abcdefghijklmno");
        expect_error("bridge = abcdefghijklmnop",
                     "t.conf:1: bridge: bad interface name 'abcdefghijklmnop': it is longer than 15 bytes");
        expect_error("bridge = a/b", "t.conf:1: bridge: bad interface name 'a/b': it contains '/'");
        expect_error("bridge = eth0:1", "t.conf:1: bridge: bad interface name 'eth0:1': it contains ':'");
        expect_error("bridge = br%d", "t.conf:1: bridge: bad interface name 'br%d': it contains '%'");
        expect_error("bridge = .", "t.conf:1: bridge: bad interface name '.': it is \".\" or \"..\"");
        expect_error("bridge = ..", "t.conf:1: bridge: bad interface name '..': it is \".\" or \"..\"");
        expect_error("bridge = a\vb", "t.conf:1: bridge: bad interface name 'a?b': it contains white space");
        expect_error("bridge = a\033b", "t.conf:1: bridge: bad interface name 'a?b': it contains a control character");
        expect_error("uplink_interface = a b",
                     "t.conf:1: uplink_interface: bad interface name 'a b': it contains white space");
        expect_error("uplink_interface = ..",
                     "t.conf:1: uplink_interface: bad interface name '..': it is \".\" or \"..\"");
        expect_error("uplink_interface = vmnet0",
                     "t.conf:1: uplink_interface: 'vmnet0' is the lab bridge itself");
        expect_error("uplink_interface = br7\nbridge = br7\n",
                     "t.conf:1: uplink_interface: 'br7' is the lab bridge itself");
}

static void test_address(void **state) {
        (void)state;
        struct vmnet_config c = parse_ok("address = 172.16.5.9/30");
        assert_string_equal(ip(c.address), "172.16.5.9");
        assert_int_equal(c.prefix_len, 30);
        c = parse_ok("address = 10.0.0.1/1");
        assert_int_equal(c.prefix_len, 1);

        expect_error("address = 10.77.0.1", "t.conf:1: address: '10.77.0.1' is not an IPv4 address with a prefix length, like 10.77.0.1/24");
        expect_error("address = 10.77.0.256/24", "t.conf:1: address: '10.77.0.256/24' is not an IPv4 address with a prefix length, like 10.77.0.1/24");
        expect_error("address = 10.77.1/24", "t.conf:1: address: '10.77.1/24' is not an IPv4 address with a prefix length, like 10.77.0.1/24");
        expect_error("address = fd00::1/64", "t.conf:1: address: 'fd00::1/64' is not an IPv4 address with a prefix length, like 10.77.0.1/24");
        expect_error("address = 1111111111111111111111/8", "t.conf:1: address: '1111111111111111111111/8' is not an IPv4 address with a prefix length, like 10.77.0.1/24");
        expect_error("address = 10.77.0.1/", "t.conf:1: address: prefix length: '' is not a number (expected 1..30)");
        expect_error("address = 10.77.0.1/24/8", "t.conf:1: address: prefix length: '24/8' is not a number (expected 1..30)");
        expect_error("address = 10.77.0.1/31", "t.conf:1: address: prefix length: 31 is out of range (expected 1..30)");
        expect_error("address = 10.77.0.1/0", "t.conf:1: address: prefix length: 0 is out of range (expected 1..30)");
        expect_error("address = 10.77.0.0/24", "t.conf:1: address: 10.77.0.0/24 is the network address of its subnet; give the bridge a host address");
        expect_error("address = 10.77.0.255/24", "t.conf:1: address: 10.77.0.255/24 is the broadcast address of its subnet; give the bridge a host address");
        expect_error("address = 127.0.0.1/8", "t.conf:1: address: 127.0.0.1 is not a usable unicast address");
        expect_error("address = 224.0.0.1/24", "t.conf:1: address: 224.0.0.1 is not a usable unicast address");
        expect_error("address = 0.1.2.3/24", "t.conf:1: address: 0.1.2.3 is not a usable unicast address");
}

static void test_dhcp_range(void **state) {
        (void)state;
        struct vmnet_config c;

        /* dhcp_range may come before address */
        c = parse_ok("dhcp_range = 10.1.2.3,10.1.2.3\naddress = 10.1.2.1/24\n");
        assert_string_equal(ip(c.dhcp_start), "10.1.2.3");
        assert_string_equal(ip(c.dhcp_end), "10.1.2.3");

        /* defaults follow the address */
        c = parse_ok("address = 10.9.0.1/16");
        assert_string_equal(ip(c.dhcp_start), "10.9.0.100");
        assert_string_equal(ip(c.dhcp_end), "10.9.0.250");
        c = parse_ok("address = 10.9.8.7/24");
        assert_string_equal(ip(c.dhcp_start), "10.9.8.100");
        assert_string_equal(ip(c.dhcp_end), "10.9.8.250");
        c = parse_ok("address = 10.9.8.150/24");   /* .100-.250 would hold the bridge */
        assert_string_equal(ip(c.dhcp_start), "10.9.8.151");
        assert_string_equal(ip(c.dhcp_end), "10.9.8.254");
        c = parse_ok("address = 10.9.8.65/26");
        assert_string_equal(ip(c.dhcp_start), "10.9.8.66");
        assert_string_equal(ip(c.dhcp_end), "10.9.8.126");
        c = parse_ok("address = 10.9.8.1/30");
        assert_string_equal(ip(c.dhcp_start), "10.9.8.2");
        assert_string_equal(ip(c.dhcp_end), "10.9.8.2");
        expect_error("\naddress = 10.9.8.2/30",
                     "t.conf:2: address: no host above 10.9.8.2 in 10.9.8.0/30 for the default dhcp_range; set dhcp_range");
        c = parse_ok("address = 10.9.8.2/30\ndhcp_range = 10.9.8.1,10.9.8.1");
        assert_string_equal(ip(c.dhcp_start), "10.9.8.1");

        expect_error("dhcp_range = 10.77.0.100", "t.conf:1: dhcp_range: '10.77.0.100' is not START,END (like 10.77.0.100,10.77.0.250)");
        expect_error("dhcp_range = 10.77.0.100-10.77.0.200", "t.conf:1: dhcp_range: '10.77.0.100-10.77.0.200' is not START,END (like 10.77.0.100,10.77.0.250)");
        expect_error("dhcp_range = 10.77.0.100 , x", "t.conf:1: dhcp_range: '10.77.0.100 , x' is not START,END (like 10.77.0.100,10.77.0.250)");
        expect_error("dhcp_range = 10.77.0.100,10.77.0.200,10.77.0.201", "t.conf:1: dhcp_range: '10.77.0.100,10.77.0.200,10.77.0.201' is not START,END (like 10.77.0.100,10.77.0.250)");
        expect_error("\n\ndhcp_range = 10.78.0.100,10.78.0.200\n",
                     "t.conf:3: dhcp_range: 10.78.0.100 is outside the subnet 10.77.0.0/24 of address 10.77.0.1");
        expect_error("dhcp_range = 10.77.0.100,10.77.1.2\naddress = 10.77.0.1/24",
                     "t.conf:1: dhcp_range: 10.77.1.2 is outside the subnet 10.77.0.0/24 of address 10.77.0.1");
        expect_error("dhcp_range = 10.77.0.0,10.77.0.20\naddress = 10.77.0.200/24",
                     "t.conf:1: dhcp_range: 10.77.0.0 is the network address of the subnet 10.77.0.0/24");
        expect_error("dhcp_range = 10.77.0.20,10.77.0.255",
                     "t.conf:1: dhcp_range: 10.77.0.255 is the broadcast address of the subnet 10.77.0.0/24");
        expect_error("dhcp_range = 10.77.0.200,10.77.0.100", "t.conf:1: dhcp_range: reversed (start after end)");
        expect_error("dhcp_range = 10.77.0.1,10.77.0.100", "t.conf:1: dhcp_range: contains the bridge's address 10.77.0.1");
        expect_error("address = 10.77.0.50/24\ndhcp_range = 10.77.0.10,10.77.0.100",
                     "t.conf:2: dhcp_range: contains the bridge's address 10.77.0.50");
        expect_error("address = 10.77.0.100/24\ndhcp_range = 10.77.0.10,10.77.0.100",
                     "t.conf:2: dhcp_range: contains the bridge's address 10.77.0.100");
}

static void test_domain(void **state) {
        (void)state;
        assert_string_equal(parse_ok("domain = a").domain, "a");
        assert_string_equal(parse_ok("domain = 0-9.z").domain, "0-9.z");
        expect_error("domain = Lab", "t.conf:1: domain: 'Lab' has a character other than a-z 0-9 - and '.' between labels");
        expect_error("domain = a_b", "t.conf:1: domain: 'a_b' has a character other than a-z 0-9 - and '.' between labels");
        expect_error("domain = a..b", "t.conf:1: domain: 'a..b' has an empty label");
        expect_error("domain = .lab", "t.conf:1: domain: '.lab' has an empty label");
        expect_error("domain = lab.", "t.conf:1: domain: 'lab.' has an empty label");
        expect_error("domain = -lab", "t.conf:1: domain: '-lab' has a label starting with '-'");
        expect_error("domain = lab-.x", "t.conf:1: domain: 'lab-.x' has a label ending in '-'");
        char text[128], name[65];
        memset(name, 'd', 63);
        name[63] = '\0';
        snprintf(text, sizeof text, "domain = %s", name);
        assert_string_equal(parse_ok(text).domain, name);
        strcpy(name + 63, "d");
        snprintf(text, sizeof text, "domain = %s", name);
        expect_error(text, "t.conf:1: domain: 'dddddddddddddddddddddddddddddddddddddddddddddddd...' is too long (at most 63 bytes)");
}

static void test_uplink(void **state) {
        (void)state;
        expect_error("uplink = bridge", "t.conf:1: uplink: 'bridge' is not one of nat, routed, isolated, external");
        expect_error("uplink = NAT", "t.conf:1: uplink: 'NAT' is not one of nat, routed, isolated, external");
        expect_error("uplink = nat routed", "t.conf:1: uplink: 'nat routed' is not one of nat, routed, isolated, external");
}

static void test_guard_keys(void **state) {
        (void)state;
        assert_true(parse_ok("guard = on").guard);
        assert_int_equal(parse_ok("isolation = none").isolation, VMNET_ISOLATION_NONE);
        assert_int_equal(parse_ok("max_macs = 1").max_macs, 1);
        assert_int_equal(parse_ok("max_macs = 1024").max_macs, 1024);
        expect_error("guard = yes", "t.conf:1: guard: 'yes' is not one of off, on");
        expect_error("guard = On", "t.conf:1: guard: 'On' is not one of off, on");
        expect_error("isolation = exam", "t.conf:1: isolation: 'exam' is not one of none, students");
        expect_error("max_macs = 0", "t.conf:1: max_macs: 0 is out of range (expected 1..1024)");
        expect_error("max_macs = 1025", "t.conf:1: max_macs: 1025 is out of range (expected 1..1024)");
        expect_error("max_macs = many", "t.conf:1: max_macs: 'many' is not a number (expected 1..1024)");
}

static void test_tap_name_patterns(void **state) {
        (void)state;
        assert_string_equal(parse_ok("tap_name = %u-vm").tap_name, "%u-vm");
        assert_string_equal(parse_ok("tap_name = abcdefghijklm%u").tap_name, "abcdefghijklm%u");
        expect_error("tap_name = tap", "t.conf:1: tap_name: 'tap' has no %u");
        expect_error("tap_name = %u%u", "t.conf:1: tap_name: '%u%u' has %u more than once");
        expect_error("tap_name = t-%u-%u", "t.conf:1: tap_name: 't-%u-%u' has %u more than once");
        expect_error("tap_name = tap-%s", "t.conf:1: tap_name: 'tap-%s' has a '%' that does not start %u");
        expect_error("tap_name = tap-%", "t.conf:1: tap_name: 'tap-%' has a '%' that does not start %u");
        expect_error("tap_name = tap.%u", "t.conf:1: tap_name: 'tap.%u' has a character other than A-Z a-z 0-9 _ - and %u");
        expect_error("tap_name = tap+%u", "t.conf:1: tap_name: 'tap+%u' has a character other than A-Z a-z 0-9 _ - and %u");
        expect_error("tap_name = t~%u", "t.conf:1: tap_name: 't~%u' has a character other than A-Z a-z 0-9 _ - and %u");
        expect_error("tap_name = t %u", "t.conf:1: tap_name: 't %u' has a character other than A-Z a-z 0-9 _ - and %u");
        expect_error("tap_name = %u", "t.conf:1: tap_name: '%u' has nothing besides %u");
        expect_error("tap_name = abcdefghijklmn%u",
                     "t.conf:1: tap_name: 'abcdefghijklmn%u' is too long to leave room for a user name (at most 13 characters besides %u)");
        expect_error("tap_name = abcdefghijklmnopqrstuvwxyz%u",
                     "t.conf:1: tap_name: 'abcdefghijklmnopqrstuvwxyz%u' is too long to leave room for a user name (at most 13 characters besides %u)");
}

static void test_allow_groups(void **state) {
        (void)state;
        struct vmnet_config c = parse_ok("allow_groups = ,a,, _b \t c9-_ ,");
        assert_int_equal(c.n_allow_groups, 3);
        assert_string_equal(c.allow_groups[0], "a");
        assert_string_equal(c.allow_groups[1], "_b");
        assert_string_equal(c.allow_groups[2], "c9-_");

        expect_error("allow_groups = students Staff", "t.conf:1: allow_groups: bad group name 'Staff' (expected [a-z_][a-z0-9_-]*)");
        expect_error("allow_groups = 1st", "t.conf:1: allow_groups: bad group name '1st' (expected [a-z_][a-z0-9_-]*)");
        expect_error("allow_groups = -x", "t.conf:1: allow_groups: bad group name '-x' (expected [a-z_][a-z0-9_-]*)");
        expect_error("allow_groups = a;b", "t.conf:1: allow_groups: bad group name 'a;b' (expected [a-z_][a-z0-9_-]*)");
        expect_error("allow_groups = , ,", "t.conf:1: allow_groups: ', ,' names no group (leave it empty to allow everyone)");
        expect_error("teacher_groups = , ,", "t.conf:1: teacher_groups: ', ,' names no group (leave it empty for root alone)");
        expect_error("teacher_groups = Staff", "t.conf:1: teacher_groups: bad group name 'Staff' (expected [a-z_][a-z0-9_-]*)");

        char text[2048], name[40];
        memset(name, 'g', 32);
        name[32] = '\0';
        snprintf(text, sizeof text, "allow_groups = x %s", name);
        c = parse_ok(text);
        assert_string_equal(c.allow_groups[1], name);
        snprintf(text, sizeof text, "allow_groups = x %sh y", name);
        expect_error(text, "t.conf:1: allow_groups: group name 'gggggggggggggggggggggggggggggggg...' is longer than 32 bytes");

        size_t n = (size_t)snprintf(text, sizeof text, "allow_groups =");
        for (int i = 0; i < CONFIG_GROUPS_MAX; i++)
                n += (size_t)snprintf(text + n, sizeof text - n, " g%d", i);
        c = parse_ok(text);
        assert_int_equal(c.n_allow_groups, CONFIG_GROUPS_MAX);
        assert_string_equal(c.allow_groups[CONFIG_GROUPS_MAX - 1], "g31");
        snprintf(text + n, sizeof text - n, ",g32");
        expect_error(text, "t.conf:1: allow_groups: more than 32 groups");
}

static void test_error_buffer(void **state) {
        (void)state;
        struct vmnet_config c;
        char err[12];

        memset(err, 'x', sizeof err);
        assert_int_equal(config_parse("foo = 1", 7, "t.conf", &c, err, sizeof err), -EINVAL);
        assert_string_equal(err, "t.conf:1: u");      /* cut, but terminated */
        memset(err, 'x', sizeof err);
        assert_int_equal(config_parse("foo = 1", 7, "/a/very/long/file/name.conf", &c, err, sizeof err), -EINVAL);
        assert_string_equal(err, "/a/very/lon");
        memset(err, 'x', sizeof err);
        assert_int_equal(config_parse("foo = 1", 7, "t.conf", &c, err, 0), -EINVAL);
        assert_int_equal(err[0], 'x');                /* size 0: not written at all */
        assert_int_equal(config_parse("foo = 1", 7, "t.conf", &c, NULL, 0), -EINVAL);
        /* not NUL-terminated input: only len bytes are read */
        assert_int_equal(config_parse("bridge = br1garbage", 12, "t.conf", &c, err, sizeof err), 0);
        assert_string_equal(c.bridge, "br1");
}

static void write_file(const char *path, const char *text, size_t len) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, len), (ssize_t)len);
        close(fd);
}

static void test_load(void **state) {
        (void)state;
        char dir[] = "/tmp/test_config.XXXXXX", path[64], err[512];
        struct vmnet_config c;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/vmnet.conf", dir);

        assert_int_equal(config_load(path, &c, err, sizeof err), -ENOENT);
        char expected[128];
        snprintf(expected, sizeof expected, "%s: No such file or directory", path);
        assert_string_equal(err, expected);
        assert_int_equal(config_load(dir, &c, err, sizeof err), -EISDIR);

        write_file(path, "# lab\nbridge = lab0\n", 20);
        assert_int_equal(config_load(path, &c, err, sizeof err), 0);
        assert_string_equal(c.bridge, "lab0");

        write_file(path, "bridge = lab0\nfoo = bar\n", 24);
        assert_int_equal(config_load(path, &c, err, sizeof err), -EINVAL);
        snprintf(expected, sizeof expected, "%s:2: unknown key 'foo'", path);
        assert_string_equal(err, expected);

        /* exactly 64 KiB is read whole; one byte more is refused */
        size_t size = 64 * 1024 + 1;
        char *big = malloc(size);
        assert_non_null(big);
        memset(big, '#', size);
        for (size_t i = 99; i < size; i += 100)
                big[i] = '\n';
        memcpy(big + 64 * 1024 - 12, "\nmax_taps=9\n", 12);
        write_file(path, big, 64 * 1024);
        assert_int_equal(config_load(path, &c, err, sizeof err), 0);
        assert_int_equal(c.max_taps, 9);
        write_file(path, big, size);
        assert_int_equal(config_load(path, &c, err, sizeof err), -EFBIG);
        snprintf(expected, sizeof expected, "%s: larger than 65536 bytes", path);
        assert_string_equal(err, expected);
        free(big);

        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(dir), 0);
}


/* Every problem of a file is reported, in line order, each at its own line;
 * a value refused does not make checks that need it report more. */
static void test_every_problem(void **state) {
        (void)state;
        expect_error("bridge = a b\nmax_taps = 0\nfoo = 1\n\nbridge = c\nlease_time = x\n",
                     "t.conf:1: bridge: bad interface name 'a b': it contains white space\n"
                     "t.conf:2: max_taps: 0 is out of range (expected 1..100)\n"
                     "t.conf:3: unknown key 'foo'\n"
                     "t.conf:5: duplicate key 'bridge' (first set on line 1)\n"
                     "t.conf:6: lease_time: 'x' is not a number (expected 120..604800)");
        /* a bad address: no dhcp_range complaint that only follows from it */
        expect_error("dhcp_range = 10.9.0.10,10.9.0.20\naddress = 10.9.0.0/24\n",
                     "t.conf:2: address: 10.9.0.0/24 is the network address of its subnet; give the bridge a host address");
        /* a cross-key problem sits at its line among the others */
        expect_error("dhcp_range = 10.78.0.10,10.78.0.20\nuplink = up\n",
                     "t.conf:1: dhcp_range: 10.78.0.10 is outside the subnet 10.77.0.0/24 of address 10.77.0.1\n"
                     "t.conf:2: uplink: 'up' is not one of nat, routed, isolated, external");
}

/* socket and run_dir move vmnetd's own files (tests do); the clients keep
 * the fixed paths, so a moved one is taken with a warning that says so. */
static void test_test_keys(void **state) {
        (void)state;
        struct config_report report = {};
        struct vmnet_config c;
        const char text[] = "socket = /tmp/x.sock\nbridge = br9\nrun_dir = /tmp/run\n";
        struct config_text t = { "t.conf", text, sizeof text - 1 };

        assert_int_equal(config_parse_texts(&t, 1, &c, &report), 0);
        assert_string_equal(c.bridge, "br9");
        assert_string_equal(c.socket_path, "/tmp/x.sock");
        assert_string_equal(c.run_dir, "/tmp/run");
        assert_int_equal(report.n_errors, 0);
        assert_int_equal(report.n_warnings, 2);
        char line[512];
        config_problem_format(&report, 0, line, sizeof line);
        assert_string_equal(line, "t.conf:1: warning: socket: a key for tests only (see HACKING.md): vmnetd uses "
                                  "/tmp/x.sock, but pam_vmnet, vmnet and the bridge helper keep using "
                                  "/run/vmnet/vmnetd.sock (under systemd, vmnetd.socket decides)");
        config_problem_format(&report, 1, line, sizeof line);
        assert_string_equal(line, "t.conf:3: warning: run_dir: a key for tests only (see HACKING.md): vmnetd uses "
                                  "/tmp/run, but the NSS module and vmnet keep reading /run/vmnet/hosts");
        config_report_free(&report);

        /* the default paths, spelled out, are no warning; a relative one is an error */
        const char same[] = "socket = /run/vmnet/vmnetd.sock\nrun_dir = /run/vmnet\n";
        struct config_text t2 = { "t.conf", same, sizeof same - 1 };
        report = (struct config_report) {};
        assert_int_equal(config_parse_texts(&t2, 1, &c, &report), 0);
        assert_int_equal(report.n_warnings, 0);
        config_report_free(&report);
        expect_error("run_dir = run\n", "t.conf:1: run_dir: 'run' is not an absolute path");
}

/* Several texts as vmnet.conf and its drop-ins. */
static int parse_files(const char *const *texts, size_t n, struct vmnet_config *c, char *err, size_t size) {
        struct config_text t[4];
        struct config_report report = {};
        struct strbuf b = {};
        static const char *const names[] = { "vmnet.conf", "a.conf", "b.conf", "c.conf" };

        for (size_t i = 0; i < n; i++)
                t[i] = (struct config_text) { names[i], texts[i], strlen(texts[i]) };
        int r = config_parse_texts(t, n, c, &report);
        config_report_format(&report, &b);
        snprintf(err, size, "%s", strbuf_str(&b));
        strbuf_free(&b);
        config_report_free(&report);
        return r;
}

static void test_later_files_override(void **state) {
        (void)state;
        struct vmnet_config c;
        char err[1024];

        /* a drop-in replaces a value whole, a list too; the checks come last */
        const char *const room[] = {
                "bridge = lab0\naddress = 10.1.0.1/24\nallow_groups = students staff\nmax_taps = 3\n",
                "address = 10.2.0.1/24\nallow_groups = pc7\n",
                "max_taps = 5\n# the same key as the drop-in before: the later one wins\nmax_taps = 6\n",
        };
        assert_int_equal(parse_files(room, 2, &c, err, sizeof err), 0);
        assert_string_equal(err, "");
        assert_string_equal(c.bridge, "lab0");
        assert_string_equal(ip(c.address), "10.2.0.1");
        assert_string_equal(ip(c.dhcp_start), "10.2.0.100"); /* the default range follows the final address */
        assert_int_equal(c.n_allow_groups, 1);
        assert_string_equal(c.allow_groups[0], "pc7");
        assert_int_equal(c.max_taps, 3);
        /* a key twice in one file is still an error, in that file */
        assert_int_equal(parse_files(room, 3, &c, err, sizeof err), -EINVAL);
        assert_string_equal(err, "b.conf:3: duplicate key 'max_taps' (first set on line 1)\n");

        /* a range from vmnet.conf that the drop-in's address leaves out: the
         * error is where the range was set */
        const char *const moved[] = { "dhcp_range = 10.1.0.10,10.1.0.20\n", "\naddress = 10.3.0.1/24\n" };
        assert_int_equal(parse_files(moved, 2, &c, err, sizeof err), -EINVAL);
        assert_string_equal(err, "vmnet.conf:1: dhcp_range: 10.1.0.10 is outside the subnet 10.3.0.0/24 of address 10.3.0.1\n");
        /* problems of every file, in the order of the files */
        const char *const bad[] = { "max_taps = 0\n", "foo = 1\n", "bridge = a/b\nguard = on\n" };
        assert_int_equal(parse_files(bad, 3, &c, err, sizeof err), -EINVAL);
        assert_string_equal(err, "vmnet.conf:1: max_taps: 0 is out of range (expected 1..100)\n"
                                 "a.conf:1: unknown key 'foo'\n"
                                 "b.conf:1: bridge: bad interface name 'a/b': it contains '/'\n");
        /* a value refused in a drop-in is refused: the whole configuration is */
        const char *const refused[] = { "max_taps = 2\n", "max_taps = 200\n" };
        assert_int_equal(parse_files(refused, 2, &c, err, sizeof err), -EINVAL);
}

/* --print-config's text: every key, and a configuration that gives the
 * same again. */
static void test_format_round_trip(void **state) {
        (void)state;
        static const char *const texts[] = {
                "",
                "bridge = labbr0\naddress = 192.168.50.1/23\ndhcp_range = 192.168.50.10, 192.168.51.200\n"
                "lease_time = 600\ndomain = lab.example-1.org\nuplink = routed\nuplink_interface = eth1\n"
                "tap_name = vm_%u-t\nmax_taps = 100\nallow_groups = students, staff  lab_2,x-y\n"
                "resolv_file = none\ndnsmasq = /opt/d\nguard = off\nmax_macs = 3\nisolation = students\n",
                "uplink = external\nuplink_interface =\nallow_groups =\n",
        };
        for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
                struct vmnet_config c = parse_ok(texts[i]), again;
                struct strbuf one = {}, two = {};
                config_format(&c, &one);
                assert_int_equal(one.error, 0);
                again = parse_ok(strbuf_str(&one));
                config_format(&again, &two);
                assert_string_equal(strbuf_str(&one), strbuf_str(&two));
                assert_memory_equal(&c.address, &again.address, sizeof c.address);
                assert_memory_equal(&c.dhcp_start, &again.dhcp_start, sizeof c.dhcp_start);
                assert_memory_equal(&c.dhcp_end, &again.dhcp_end, sizeof c.dhcp_end);
                assert_int_equal(c.n_allow_groups, again.n_allow_groups);
                /* one line per key, each key once */
                struct strbuf lines = {};
                strbuf_printf(&lines, "\n%s", strbuf_str(&one));
                for (unsigned k = 0; k < config_key_count(); k++) {
                        char head[64];
                        snprintf(head, sizeof head, "\n%s = ", config_key_name(k));
                        const char *at = strstr(strbuf_str(&lines), head);
                        assert_non_null(at);
                        assert_null(strstr(at + 1, head));
                }
                strbuf_free(&lines);
                strbuf_free(&one);
                strbuf_free(&two);
        }
        struct strbuf b = {};
        struct vmnet_config full = parse_ok(texts[1]);
        config_format(&full, &b);
        assert_non_null(strstr(strbuf_str(&b), "\ndhcp_range = 192.168.50.10,192.168.51.200\n"));
        assert_non_null(strstr(strbuf_str(&b), "\nallow_groups = students staff lab_2 x-y\n"));
        assert_non_null(strstr(strbuf_str(&b), "\naddress = 192.168.50.1/23\n"));
        strbuf_free(&b);
}

static void make_file(const char *dir, const char *name, const char *text) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        write_file(path, text, strlen(text));
}

/* FILE.d/NAME.conf on disk: read after FILE, in byte order of the names,
 * other names skipped; every problem of every file with its place. */
static void test_dropin_directory(void **state) {
        (void)state;
        char dir[] = "/tmp/test_config.XXXXXX", path[128], dropins[160], err[2048], expected[2048];
        struct vmnet_config c;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/vmnet.conf", dir);
        snprintf(dropins, sizeof dropins, "%s.d", path);
        make_file(dir, "vmnet.conf", "bridge = room0\nmax_taps = 2\n");

        /* no drop-in directory: none */
        assert_int_equal(config_load(path, &c, err, sizeof err), 0);
        assert_string_equal(c.bridge, "room0");

        assert_int_equal(mkdir(dropins, 0755), 0);
        make_file(dropins, "20-pc.conf", "max_taps = 7\n");
        make_file(dropins, "10-first.conf", "max_taps = 5\nmax_macs = 2\n");
        make_file(dropins, "Z-upper.conf", "max_macs = 9\n"); /* after the digits, in byte order */
        make_file(dropins, ".hidden.conf", "max_taps = 99\n");
        make_file(dropins, "30-backup.conf~", "max_taps = 98\n");
        make_file(dropins, "40-old.conf.dpkg-old", "max_taps = 97\n");
        make_file(dropins, "notes.txt", "max_taps = 96\n");
        assert_int_equal(mkfifo(strcat(strcpy(expected, dropins), "/50-fifo.conf"), 0600), 0);
        struct config_report report = {};
        assert_int_equal(config_load_report(path, &c, &report), 0);
        assert_int_equal(c.max_taps, 7);
        assert_int_equal(c.max_macs, 9);
        assert_string_equal(c.bridge, "room0");
        assert_int_equal(report.n_files, 5);
        snprintf(expected, sizeof expected, "%s/10-first.conf", dropins);
        assert_string_equal(report.files[1], expected);
        snprintf(expected, sizeof expected, "%s/20-pc.conf", dropins);
        assert_string_equal(report.files[2], expected);
        snprintf(expected, sizeof expected, "%s/50-fifo.conf", dropins);
        assert_string_equal(report.files[3], expected);
        snprintf(expected, sizeof expected, "%s/Z-upper.conf", dropins);
        assert_string_equal(report.files[4], expected);
        assert_int_equal(report.n_warnings, 1); /* the fifo, not read */
        config_report_free(&report);

        /* errors in several files, all of them, each at its place */
        make_file(dropins, "20-pc.conf", "max_taps = 700\n");
        make_file(dropins, "Z-upper.conf", "\nfoo = bar\n");
        assert_int_equal(config_load(path, &c, err, sizeof err), -EINVAL);
        snprintf(expected, sizeof expected,
                 "%s/20-pc.conf:1: max_taps: 700 is out of range (expected 1..100)\n"
                 "%s/50-fifo.conf: warning: not a regular file: skipped\n"
                 "%s/Z-upper.conf:2: unknown key 'foo'", dropins, dropins, dropins);
        assert_string_equal(err, expected);

        /* a directory among the drop-ins is skipped with a warning; a
         * drop-in that cannot be read (a dangling link) is an error */
        snprintf(expected, sizeof expected, "%s/50-fifo.conf", dropins);
        assert_int_equal(unlink(expected), 0);
        make_file(dropins, "20-pc.conf", "");
        make_file(dropins, "Z-upper.conf", "");
        snprintf(expected, sizeof expected, "%s/60-dir.conf", dropins);
        assert_int_equal(mkdir(expected, 0755), 0);
        assert_int_equal(config_load(path, &c, err, sizeof err), 0);
        snprintf(expected, sizeof expected, "%s/60-dir.conf: warning: not a regular file: skipped", dropins);
        assert_string_equal(err, expected);
        snprintf(expected, sizeof expected, "%s/70-gone.conf", dropins);
        assert_int_equal(symlink("/nonexistent/vmnet.conf", expected), 0);
        assert_int_equal(config_load(path, &c, err, sizeof err), -EINVAL);
        snprintf(expected, sizeof expected,
                 "%s/60-dir.conf: warning: not a regular file: skipped\n"
                 "%s/70-gone.conf: No such file or directory", dropins, dropins);
        assert_string_equal(err, expected);

        assert_int_equal(system(strcat(strcpy(expected, "rm -rf "), dir)), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_every_key),
                cmocka_unit_test(test_layout),
                cmocka_unit_test(test_syntax_errors),
                cmocka_unit_test(test_nul_and_long_lines),
                cmocka_unit_test(test_numbers),
                cmocka_unit_test(test_paths),
                cmocka_unit_test(test_interface_names),
                cmocka_unit_test(test_address),
                cmocka_unit_test(test_dhcp_range),
                cmocka_unit_test(test_domain),
                cmocka_unit_test(test_uplink),
                cmocka_unit_test(test_guard_keys),
                cmocka_unit_test(test_tap_name_patterns),
                cmocka_unit_test(test_allow_groups),
                cmocka_unit_test(test_error_buffer),
                cmocka_unit_test(test_load),
                cmocka_unit_test(test_every_problem),
                cmocka_unit_test(test_test_keys),
                cmocka_unit_test(test_later_files_override),
                cmocka_unit_test(test_format_round_trip),
                cmocka_unit_test(test_dropin_directory),
        };
        return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
