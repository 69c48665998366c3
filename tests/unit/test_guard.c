/* The guard at run time (helper/guard.c) on the real kernel, in throwaway
 * user and network namespaces: the table built and kept, ports followed,
 * a stolen port address told from the first one seen, exam mode switched
 * and remembered, leases, drop counters read back, a new max_macs, off. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "guard.h"
#include "throwaway_netns.h"

static const uint8_t host_mac[6] = { 0x02, 0x76, 0x6d, 0x01, 0x02, 0x03 };
static const uint8_t victim[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t tap_own[6] = { 0x02, 0x76, 0x6d, 0xaa, 0xbb, 0xcc };
static char run_dir[64];

static struct vmnet_config config(void) {
        struct vmnet_config c;
        config_defaults(&c);
        snprintf(c.run_dir, sizeof c.run_dir, "%s", run_dir);
        return c;
}

/* The listing of one set or table, "" when there is none. */
static char *listing(const char *what) {
        static char cmd[128];
        char *out = NULL;
        snprintf(cmd, sizeof cmd, "list %s", what);
        if (nft_run(cmd, NFT_RUN_QUIET, &out) < 0)
                return strdup("");
        return out;
}

static bool lists(const char *what, const char *text) {
        char *l = listing(what);
        bool found = strstr(l, text) != NULL;
        free(l);
        return found;
}

static void no_names(uint32_t uid, const uint8_t mac[6], char *ret, size_t size, void *userdata) {
        (void)mac, (void)userdata;
        snprintf(ret, size, "uid %u", (unsigned)uid);
}

#define CHECK(n, x) do { if (!(x)) return (n); } while (0)

static int scenario(void *userdata) {
        (void)userdata;
        struct vmnet_config c = config();
        struct guard g = {};
        const struct guard_port ports[] = { { .name = "vmnp0", .uid = 61001 }, { .name = "tap-stu2+1", .uid = 61002 } };

        CHECK(1, guard_start(&g, &c, host_mac, ports, 1) == 0 && g.on);
        CHECK(2, lists("map bridge vmnet_guard in_ports", "\"vmnp0\" : goto in_61001"));
        /* what the packet path learned, as a MAC of stu2's VM */
        CHECK(3, nft_run("add element bridge vmnet_guard macs { 0x525400000002 }\n"
                         "add element bridge vmnet_guard macs_61001 { 0x02766daabbcc }", 0, NULL) == 0);
        /* the ports now: stu2's tap too; the table keeps what it learned */
        CHECK(4, guard_sync_ports(&g, ports, 2, GUARD_SYNC_STUDENTS_MAX) == 0);
        CHECK(5, lists("map bridge vmnet_guard in_ports", "\"tap-stu2+1\" : goto in_61002"));
        CHECK(6, guard_start(&g, &c, host_mac, ports, 2) == 0);  /* a restart */
        CHECK(7, lists("set bridge vmnet_guard macs", "0x525400000002"));
        /* that restart kept the rules (the table's stamp says they are
         * these): a rule only a rebuild would flush is still there */
        CHECK(8, lists("table bridge vmnet_guard", "chain " "built_"));
        CHECK(9, nft_run("add rule bridge vmnet_guard needs counter comment \"not rebuilt\"", 0, NULL) == 0);
        CHECK(18, guard_start(&g, &c, host_mac, ports, 2) == 0 && lists("chain bridge vmnet_guard needs", "not rebuilt"));
        CHECK(19, lists("map bridge vmnet_guard in_ports", "\"tap-stu2+1\" : goto in_61002"));
        /* other rules (here for another host address): rebuilt, stamped anew */
        struct vmnet_config other = c;
        other.address.s_addr = htonl(0x0a4e0001);
        char *before = listing("table bridge vmnet_guard"), *after;
        CHECK(25, guard_start(&g, &other, host_mac, ports, 2) == 0 && !lists("chain bridge vmnet_guard needs", "not rebuilt"));
        after = listing("table bridge vmnet_guard");
        const char *stamp_before = strstr(before, "chain built_"), *stamp_after = strstr(after, "chain built_");
        bool restamped = stamp_before && stamp_after && strncmp(stamp_before, stamp_after, 28) != 0 &&
                         !strstr(stamp_after + 1, "chain built_") && strstr(after, "10.78.0.1");
        free(before);
        free(after);
        CHECK(26, restamped);
        CHECK(27, guard_start(&g, &c, host_mac, ports, 2) == 0 && lists("set bridge vmnet_guard macs", "0x525400000002"));

        /* stu1's port: the first address seen is noted, a change to another
         * student's MAC or the host's is stolen, to its own or a fresh one not */
        CHECK(10, !guard_port_address_known(&g, "vmnp0"));
        CHECK(11, !guard_port_address_stolen(&g, "vmnp0", tap_own));
        CHECK(12, guard_port_address_known(&g, "vmnp0"));
        CHECK(13, guard_port_address_stolen(&g, "vmnp0", victim));
        CHECK(14, !guard_port_address_stolen(&g, "vmnp0", tap_own)); /* its own (macs_61001) */
        CHECK(15, !guard_port_address_stolen(&g, "vmnp0", (uint8_t[]) { 0x02, 0x76, 0x6d, 9, 9, 9 }));
        CHECK(16, guard_port_address_stolen(&g, "vmnp0", host_mac));
        CHECK(17, !guard_port_address_stolen(&g, "nosuch", victim));

        /* exam mode: at once, and remembered for a restart, until a reload */
        CHECK(20, guard_set_isolation(&g, true) == 0 && guard_isolation(&g));
        CHECK(21, lists("chain bridge vmnet_guard exam_61002", "goto drop_exam"));
        struct guard h = {};
        CHECK(22, guard_start(&h, &c, host_mac, ports, 2) == 0 && guard_isolation(&h));
        CHECK(23, guard_reload(&h, &c, host_mac) == 0 && !guard_isolation(&h));
        CHECK(24, !lists("chain bridge vmnet_guard exam_61002", "goto drop_exam"));
        guard_stop(&h);
        /* a reload of rules the table keeps still puts exam mode back as
         * the config says */
        CHECK(28, guard_set_isolation(&g, true) == 0 && lists("chain bridge vmnet_guard exam_61002", "goto drop_exam"));
        CHECK(29, guard_reload(&g, &c, host_mac) == 0 && !guard_isolation(&g) &&
                          !lists("chain bridge vmnet_guard exam_61002", "goto drop_exam"));

        /* leases: only the students with chains, as of now */
        struct guard_lease l[2] = { { .uid = 61001, .expiry = 0 }, { .uid = 61009, .expiry = 0 } };
        l[0].addr.s_addr = htonl(0x0a4d0064);
        l[1].addr.s_addr = htonl(0x0a4d0065);
        guard_leases(&g, l, 2);
        CHECK(30, lists("set bridge vmnet_guard leased_61001", "10.77.0.100"));
        CHECK(31, !lists("set bridge vmnet_guard leased", "10.77.0.101"));

        /* drop counters as the packet path leaves them */
        CHECK(40, nft_run("add element bridge vmnet_guard drops { 61001 . 52:54:00:00:00:01 . 1 }\n"
                          "add element bridge vmnet_guard drops { 61002 . 52:54:00:00:00:02 . 6 }", 0, NULL) == 0);
        CHECK(41, guard_read_drops(&g, 1000, no_names, NULL) == 0);
        struct nft_drop_count d[4];
        CHECK(42, guard_drops_of(&g, 61001, d, 4) == 1 && d[0].kind == 1 && d[0].mac[5] == 1);
        CHECK(43, guard_drops_of(&g, 61003, d, 4) == 0);

        /* a new max_macs: sets of the new size, what was learned forgotten */
        c.max_macs = 4;
        CHECK(50, guard_reload(&g, &c, host_mac) == 0);
        CHECK(51, lists("set bridge vmnet_guard macs_61001", "size 4"));
        CHECK(52, !lists("set bridge vmnet_guard macs", "0x525400000002"));

        /* a port gone: out of the maps */
        CHECK(60, guard_sync_ports(&g, ports + 1, 1, GUARD_SYNC_STUDENTS_MAX) == 0);
        CHECK(61, !lists("map bridge vmnet_guard in_ports", "vmnp0"));

        /* a class logs in at once: one transaction takes the ports of at most
         * as many new students as it is told (4 here), the next sync the rest
         * (all 12 when it may take GUARD_SYNC_STUDENTS_IDLE) */
        enum { CLASS = GUARD_SYNC_STUDENTS_MAX + 8 };
        struct guard_port class[CLASS + 1];
        class[0] = ports[1];
        for (unsigned i = 1; i <= CLASS; i++) {
                class[i] = (struct guard_port) { .uid = 62000 + i };
                snprintf(class[i].name, sizeof class[i].name, "vmnp%u", 100 + i);
        }
        CHECK(62, guard_sync_ports(&g, class, CLASS + 1, 4) == 0 && g.ports_left);
        CHECK(63, lists("map bridge vmnet_guard in_ports", "goto in_62004") &&
                          !lists("map bridge vmnet_guard in_ports", "goto in_62005") &&
                          !lists("map bridge vmnet_guard in_ports", "goto in_62016"));
        /* a port left for the next sync is watched already: an address
         * set on it before then is no first address */
        CHECK(67, !guard_port_address_stolen(&g, "vmnp116", tap_own) &&
                          guard_port_address_stolen(&g, "vmnp116", host_mac));
        /* so is one a link event told of before any sync saw it */
        CHECK(68, guard_port_watch(&g, "vmnp199", 62099) == 0 && !guard_port_address_stolen(&g, "vmnp199", tap_own) &&
                          guard_port_address_stolen(&g, "vmnp199", host_mac));
        CHECK(64, guard_sync_ports(&g, class, CLASS + 1, GUARD_SYNC_STUDENTS_IDLE) == 0 && !g.ports_left);
        CHECK(69, !guard_port_address_known(&g, "vmnp199")); /* not a port any more */
        CHECK(65, lists("map bridge vmnet_guard in_ports", "\"vmnp116\" : goto in_62016"));
        CHECK(66, guard_sync_ports(&g, ports + 1, 1, GUARD_SYNC_STUDENTS_MAX) == 0 && !lists("map bridge vmnet_guard in_ports", "vmnp101"));
        /* a reload collects the chains of students who left and own
         * nothing (62001), not of one whose set still holds a MAC (62002);
         * another table's objects of the same names count for nothing */
        CHECK(73, nft_run("add element bridge vmnet_guard macs_62002 { 0x525400000062 }\n"
                          "add table bridge other\nadd chain bridge other in_62099\n"
                          "add set bridge other macs_62001 { type ether_addr; }\n"
                          "add element bridge other macs_62001 { 52:54:00:00:00:63 }", 0, NULL) == 0);
        CHECK(74, guard_reload(&g, &c, host_mac) == 0 && !lists("table bridge vmnet_guard", "chain in_62001 ") &&
                          lists("table bridge vmnet_guard", "chain in_62002 ") &&
                          !lists("table bridge vmnet_guard", "chain in_62099 "));
        CHECK(75, nft_run("delete table bridge other", 0, NULL) == 0);

        /* off: no table */
        c.guard = false;
        CHECK(70, guard_reload(&g, &c, host_mac) == 0 && !g.on);
        CHECK(71, !lists("table bridge vmnet_guard", "table"));
        CHECK(72, guard_set_isolation(&g, true) == -ENOTCONN);
        /* without the table, nothing waits for a next sync */
        for (unsigned i = 1; i <= CLASS; i++) {
                class[i].uid = 63000 + i;
                snprintf(class[i].name, sizeof class[i].name, "vmnp%u", 200 + i);
        }
        CHECK(73, guard_sync_ports(&g, class, CLASS + 1, GUARD_SYNC_STUDENTS_MAX) == 0 && !g.ports_left);
        guard_stop(&g);
        return 0;
}

static void test_guard_on_the_kernel(void **state) {
        (void)state;
        snprintf(run_dir, sizeof run_dir, "/tmp/vmnet-test-guard.XXXXXX");
        assert_non_null(mkdtemp(run_dir));
        int r = in_throwaway_netns(scenario, NULL);
        char path[96];
        snprintf(path, sizeof path, "%s/" GUARD_ISOLATION_FILE, run_dir);
        unlink(path);
        rmdir(run_dir);
        if (r < 0)
                skip();
        if (r != 0)
                print_error("check %d of the scenario failed\n", r);
        assert_int_equal(r, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_guard_on_the_kernel),
        };
        return cmocka_run_group_tests_name("guard", tests, NULL, NULL);
}
