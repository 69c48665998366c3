/* A small lab for the lab view's tests: two students (stu1 with a login
 * link and a VM tap, stu2 with a login link), three VMs (one nameless,
 * one with an address only seen), one VM behind nobody's port; stu2's
 * segment blue (nothing on it) and stu1's kept segment red with a VM's
 * tap on it, in that order (a student's copy renumbers them). */
#pragma once
#include <arpa/inet.h>
#include <string.h>

#include "lab_view.h"

#define SAMPLE_TIME 1700000000

static inline void sample_vm(struct lab_view *v, uint8_t last, const char *ip, uint8_t flags,
                             const char *name, const char *owner, uint32_t uid, uint32_t link,
                             const char *port) {
        struct lab_view_vm m = { .mac = { 0x52, 0x55, 0, 0, 0, last }, .flags = flags,
                                 .owner_uid = uid, .link = link, .since = SAMPLE_TIME - 120,
                                 .expiry = flags & LAB_VM_LEASE ? SAMPLE_TIME + 3600 : 0 };
        if (ip)
                inet_pton(AF_INET, ip, &m.addr);
        strcpy(m.name, name);
        strcpy(m.owner, owner);
        strcpy(m.port, port);
        assert_int_equal(lab_view_add_vm(v, &m), 0);
}

static inline void sample_lab(struct lab_view *v) {
        struct lab_view_student s1 = { .user = "stu1", .uid = 61001, .since = SAMPLE_TIME - 600, .sessions = 1 };
        struct lab_view_student s2 = { .user = "stu2", .uid = 61002, .since = SAMPLE_TIME - 60, .sessions = 2 };
        struct lab_view_link l0 = { .student = 0, .name = "tap-stu1", .port = "vmnp0", .kind = VMNET_TAP_LOGIN,
                                    .flags = VMNET_TAP_FLAG_UP | VMNET_TAP_FLAG_CARRIER, .since = SAMPLE_TIME - 600 };
        struct lab_view_link l1 = { .student = 0, .name = "tap-stu1+1", .port = "tap-stu1+1", .kind = VMNET_TAP_VM,
                                    .flags = VMNET_TAP_FLAG_UP | VMNET_TAP_FLAG_CARRIER, .since = SAMPLE_TIME - 300 };
        struct lab_view_link l2 = { .student = 1, .name = "tap-stu2", .port = "vmnp1", .kind = VMNET_TAP_LOGIN,
                                    .flags = VMNET_TAP_FLAG_UP, .since = SAMPLE_TIME - 60 };

        memset(v, 0, sizeof *v);
        v->generation = 7;
        v->time = SAMPLE_TIME;
        v->uplink = VMNET_UPLINK_NAT;
        strcpy(v->bridge, "vmnet0");
        strcpy(v->address, "10.77.0.1/24");
        strcpy(v->domain, "lab");
        assert_int_equal(lab_view_add_student(v, &s1), 0);
        assert_int_equal(lab_view_add_student(v, &s2), 0);
        assert_int_equal(lab_view_add_link(v, &l0), 0);
        assert_int_equal(lab_view_add_link(v, &l1), 0);
        assert_int_equal(lab_view_add_link(v, &l2), 0);
        sample_vm(v, 1, "10.77.0.101", LAB_VM_LEASE | LAB_VM_SEEN, "vm1", "stu1", 61001, 1, "tap-stu1+1");
        sample_vm(v, 2, "10.77.0.102", LAB_VM_LEASE | LAB_VM_SEEN, "", "stu1", 61001, 0, "vmnp0");
        sample_vm(v, 3, "10.77.0.50", LAB_VM_SEEN | LAB_VM_ADDR_SEEN, "srv", "stu2", 61002, 2, "vmnp1");
        sample_vm(v, 4, NULL, LAB_VM_SEEN, "", "", LAB_VIEW_NONE, LAB_VIEW_NONE, "veth0");

        struct lab_view_segment blue = { .student = 1, .name = "blue", .bridge = "b~0a1b2c3d4e",
                                         .link = "stu2=blue", .since = SAMPLE_TIME - 30 };
        struct lab_view_segment red = { .student = 0, .name = "red", .bridge = "b~99887766aa",
                                        .link = "stu1=red", .flags = VMNET_SEGMENT_KEEP, .since = SAMPLE_TIME - 900 };
        struct lab_view_segment_port on_red = { .segment = 1, .name = "vmns0", .kind = VMNET_TAP_VM,
                                                .flags = VMNET_TAP_FLAG_UP | VMNET_TAP_FLAG_CARRIER };
        assert_int_equal(lab_view_add_segment(v, &blue), 0);
        assert_int_equal(lab_view_add_segment(v, &red), 0);
        assert_int_equal(lab_view_add_segment_port(v, &on_red), 0);
}
