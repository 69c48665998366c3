/* Who each VM on the lab is: the student behind whose port the bridge saw
 * it, its lease (named or not) or the address it was seen using, the name
 * and owner the hosts snapshot kept; never the lab's own links; the time
 * it was first seen survives refreshes; /proc/net/arp as the kernel
 * writes it. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vm_sightings.h"

#define NOW 1700000000

static const uint8_t MAC_VM1[6] = { 0x52, 0x55, 0, 0, 0, 1 };     /* named lease, behind stu1's VM tap */
static const uint8_t MAC_NONAME[6] = { 0x52, 0x55, 0, 0, 0, 2 };  /* nameless lease, behind stu1's login link */
static const uint8_t MAC_STATIC[6] = { 0x52, 0x55, 0, 0, 0, 3 };  /* no lease, address seen, stu2 */
static const uint8_t MAC_GONE[6] = { 0x52, 0x55, 0, 0, 0, 4 };    /* lease only: not on the bridge now */
static const uint8_t MAC_OWN[6] = { 0x02, 0xaa, 0, 0, 0, 9 };     /* the login link's own end */
static const uint8_t MAC_MCAST[6] = { 0x33, 0x33, 0, 0, 0, 1 };

static void lab(struct lab_view *v) {
        struct lab_view_student s1 = { .user = "stu1", .uid = 61001 }, s2 = { .user = "stu2", .uid = 61002 };
        struct lab_view_link l0 = { .student = 0, .name = "tap-stu1", .port = "vmnp0", .kind = VMNET_TAP_LOGIN };
        struct lab_view_link l1 = { .student = 0, .name = "tap-stu1+1", .port = "tap-stu1+1", .kind = VMNET_TAP_VM };
        struct lab_view_link l2 = { .student = 1, .name = "tap-stu2", .port = "vmnp1", .kind = VMNET_TAP_LOGIN };
        memset(v, 0, sizeof *v);
        assert_int_equal(lab_view_add_student(v, &s1), 0);
        assert_int_equal(lab_view_add_student(v, &s2), 0);
        assert_int_equal(lab_view_add_link(v, &l0), 0);
        assert_int_equal(lab_view_add_link(v, &l1), 0);
        assert_int_equal(lab_view_add_link(v, &l2), 0);
}

static struct lease lease(const uint8_t mac[6], const char *ip) {
        struct lease l = { .expiry = NOW + 600 };
        memcpy(l.mac, mac, 6);
        inet_pton(AF_INET, ip, &l.addr);
        return l;
}

static const struct lab_view_vm *find(const struct lab_view *v, const uint8_t mac[6]) {
        for (size_t i = 0; i < v->n_vms; i++)
                if (memcmp(v->vms[i].mac, mac, 6) == 0)
                        return &v->vms[i];
        return NULL;
}

static void assert_ip(struct in_addr a, const char *want) {
        char b[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &a, b, sizeof b);
        assert_string_equal(b, want);
}

struct world {
        struct fdb_sighting fdb[4];
        struct neighbour_sighting nb[1];
        struct lease leases[3];
        struct hosts_snapshot_entry entries[2];
        void *snapshot_data;
        struct hosts_snapshot snapshot;
        uint8_t own[1][6];
        struct vm_sightings in;
};

static void world(struct world *w) {
        size_t size;
        memset(w, 0, sizeof *w);
        memcpy(w->fdb[0].mac, MAC_VM1, 6);
        strcpy(w->fdb[0].port, "tap-stu1+1");
        memcpy(w->fdb[1].mac, MAC_NONAME, 6);
        strcpy(w->fdb[1].port, "vmnp0");
        memcpy(w->fdb[2].mac, MAC_STATIC, 6);
        strcpy(w->fdb[2].port, "vmnp1");
        memcpy(w->fdb[3].mac, MAC_OWN, 6);
        strcpy(w->fdb[3].port, "vmnp0");
        memcpy(w->nb[0].mac, MAC_STATIC, 6);
        inet_pton(AF_INET, "10.77.0.50", &w->nb[0].addr);
        /* the names are the snapshot's: vm1, old; MAC_NONAME's lease has none */
        w->leases[0] = lease(MAC_VM1, "10.77.0.101");
        w->leases[1] = lease(MAC_NONAME, "10.77.0.102");
        w->leases[2] = lease(MAC_GONE, "10.77.0.104");
        struct in_addr a1, a4;
        inet_pton(AF_INET, "10.77.0.101", &a1);
        inet_pton(AF_INET, "10.77.0.104", &a4);
        assert_int_equal(hosts_snapshot_entry_init(&w->entries[0], a1, MAC_VM1, NOW + 600, 61001, "stu1", "vm1"), 0);
        assert_int_equal(hosts_snapshot_entry_init(&w->entries[1], a4, MAC_GONE, NOW + 600, 61002, "stu2", "old"), 0);
        assert_int_equal(hosts_snapshot_build("lab", 1, w->entries, 2, &w->snapshot_data, &size), 0);
        assert_int_equal(hosts_snapshot_parse(w->snapshot_data, size, &w->snapshot), 0);
        memcpy(w->own[0], MAC_OWN, 6);
        w->in = (struct vm_sightings){
                .fdb = w->fdb, .n_fdb = 4, .neighbours = w->nb, .n_neighbours = 1,
                .leases = w->leases, .n_leases = 3, .snapshot = &w->snapshot,
                .own_macs = (const uint8_t (*)[6])w->own, .n_own_macs = 1, .now = NOW,
        };
}

static void test_join(void **state) {
        struct lab_view v;
        struct world w;
        struct vm_memory mem = {};
        const struct lab_view_vm *m;
        (void)state;

        lab(&v);
        world(&w);
        assert_int_equal(vm_sightings_join(&v, &w.in, &mem), 0);
        assert_int_equal(v.n_vms, 4);
        assert_null(find(&v, MAC_OWN));

        m = find(&v, MAC_VM1);
        assert_string_equal(m->name, "vm1");
        assert_string_equal(m->owner, "stu1");
        assert_int_equal(m->link, 1);
        assert_int_equal(m->flags, LAB_VM_LEASE | LAB_VM_SEEN);
        assert_ip(m->addr, "10.77.0.101");
        assert_int_equal(m->expiry, NOW + 600);

        m = find(&v, MAC_NONAME);
        assert_string_equal(m->name, "");
        assert_string_equal(m->owner, "stu1");
        assert_string_equal(m->port, "vmnp0");
        assert_int_equal(m->link, 0);

        m = find(&v, MAC_STATIC);
        assert_string_equal(m->owner, "stu2");
        assert_int_equal(m->flags, LAB_VM_SEEN | LAB_VM_ADDR_SEEN);
        assert_ip(m->addr, "10.77.0.50");

        m = find(&v, MAC_GONE);
        assert_int_equal(m->flags, LAB_VM_LEASE);
        assert_string_equal(m->owner, "stu2");
        assert_int_equal(m->owner_uid, 61002);
        assert_int_equal(m->link, LAB_VIEW_NONE);
        assert_string_equal(m->port, "");
        assert_string_equal(m->name, "old");

        /* sorted by link: the login link's, the VM tap's, stu2's, then nobody's link */
        assert_memory_equal(v.vms[0].mac, MAC_NONAME, 6);
        assert_memory_equal(v.vms[1].mac, MAC_VM1, 6);
        assert_memory_equal(v.vms[2].mac, MAC_STATIC, 6);
        assert_memory_equal(v.vms[3].mac, MAC_GONE, 6);
        for (size_t i = 0; i < v.n_vms; i++)
                assert_int_equal(v.vms[i].since, NOW);

        /* later: what stayed keeps its time; what went and came back is new */
        lab_view_clear(&v);
        lab(&v);
        w.in.now = NOW + 100;
        w.in.n_leases = 2; /* MAC_GONE's lease ended */
        assert_int_equal(vm_sightings_join(&v, &w.in, &mem), 0);
        assert_int_equal(v.n_vms, 3);
        assert_int_equal(find(&v, MAC_VM1)->since, NOW);
        lab_view_clear(&v);
        lab(&v);
        w.in.now = NOW + 200;
        w.in.n_leases = 3;
        assert_int_equal(vm_sightings_join(&v, &w.in, &mem), 0);
        assert_int_equal(find(&v, MAC_GONE)->since, NOW + 200);
        assert_int_equal(find(&v, MAC_VM1)->since, NOW);

        vm_memory_clear(&mem);
        lab_view_clear(&v);
        free(w.snapshot_data);
}

static void test_nothing_but_noise(void **state) {
        struct lab_view v;
        struct fdb_sighting f[2] = {};
        struct vm_memory mem = {};
        (void)state;
        lab(&v);
        memcpy(f[0].mac, MAC_MCAST, 6);
        strcpy(f[0].port, "vmnp0");
        strcpy(f[1].port, "vmnp0"); /* 00:00:00:00:00:00 */
        struct vm_sightings in = { .fdb = f, .n_fdb = 2, .now = NOW };
        assert_int_equal(vm_sightings_join(&v, &in, &mem), 0);
        assert_int_equal(v.n_vms, 0);
        vm_memory_clear(&mem);
        lab_view_clear(&v);
}

/* A big lab (the join looks MACs up through indexes, mac_index.h): each
 * MAC holds two leases (two client ids), the one that lasts wins, and the
 * snapshot entry is the one at the winning lease's address. */
static void test_many_leases(void **state) {
        enum { N_MACS = 1500 };
        struct lease *l = calloc(2 * N_MACS, sizeof *l);
        struct hosts_snapshot_entry *e = calloc(2 * N_MACS, sizeof *e);
        struct hosts_snapshot s;
        struct lab_view v;
        struct vm_memory mem = {};
        void *data;
        size_t size;
        (void)state;
        for (size_t i = 0; i < 2 * N_MACS; i++) {
                uint8_t mac[6] = { 0x52, 0x55, 1, 0, (uint8_t)((i % N_MACS) >> 8), (uint8_t)(i % N_MACS) };
                char name[16];
                l[i] = lease(mac, "10.77.0.1");
                l[i].addr.s_addr = htonl(0x0a4d0000u + (uint32_t)i);
                l[i].expiry = NOW + (i < N_MACS ? 100 : 900); /* the second of each lasts */
                snprintf(name, sizeof name, "vm%zu", i);
                assert_int_equal(hosts_snapshot_entry_init(&e[i], l[i].addr, mac, l[i].expiry, 61001, "stu1", name), 0);
        }
        assert_int_equal(hosts_snapshot_build("lab", 1, e, 2 * N_MACS, &data, &size), 0);
        assert_int_equal(hosts_snapshot_parse(data, size, &s), 0);
        struct vm_sightings in = { .leases = l, .n_leases = 2 * N_MACS, .snapshot = &s, .now = NOW };
        lab(&v);
        assert_int_equal(vm_sightings_join(&v, &in, &mem), 0);
        assert_int_equal(v.n_vms, N_MACS);
        for (size_t i = 0; i < N_MACS; i += 37) {
                uint8_t mac[6] = { 0x52, 0x55, 1, 0, (uint8_t)(i >> 8), (uint8_t)i };
                const struct lab_view_vm *m = find(&v, mac);
                char name[16];
                assert_non_null(m);
                assert_int_equal(m->expiry, NOW + 900);
                assert_int_equal(ntohl(m->addr.s_addr), 0x0a4d0000u + N_MACS + i);
                snprintf(name, sizeof name, "vm%zu", N_MACS + i);
                assert_string_equal(m->name, name);
        }
        vm_memory_clear(&mem);
        lab_view_clear(&v);
        free(data);
        free(e);
        free(l);
}

static void test_proc_arp(void **state) {
        const char *text =
                "IP address       HW type     Flags       HW address            Mask     Device\n"
                "10.77.0.50       0x1         0x2         52:55:00:00:00:03     *        vmnet0\n"
                "10.77.0.51       0x1         0x0         00:00:00:00:00:00     *        vmnet0\n"
                "192.168.1.1      0x1         0x2         aa:bb:cc:dd:ee:ff     *        eth0\n"
                "10.77.0.52       0x1         0x6         52:55:00:00:00:05     *        vmnet0\n"
                "garbage\n"
                "10.77.0.53 0x1 0x2 52:55:00:00:00:06 * vmnet0";
        struct neighbour_sighting *nb;
        size_t n;
        (void)state;
        assert_int_equal(neighbours_parse_proc_arp(text, strlen(text), "vmnet0", &nb, &n), 0);
        assert_int_equal(n, 3);
        assert_memory_equal(nb[0].mac, MAC_STATIC, 6);
        assert_ip(nb[0].addr, "10.77.0.50");
        assert_ip(nb[1].addr, "10.77.0.52");
        assert_ip(nb[2].addr, "10.77.0.53");
        free(nb);
        assert_int_equal(neighbours_parse_proc_arp("", 0, "vmnet0", &nb, &n), 0);
        assert_int_equal(n, 0);
        free(nb);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_join),
                cmocka_unit_test(test_nothing_but_noise),
                cmocka_unit_test(test_many_leases),
                cmocka_unit_test(test_proc_arp),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
