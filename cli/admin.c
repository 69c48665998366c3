/* vmnet admin: what root and the teachers (teacher_groups) switch for the
 * whole lab.  vmnetd decides who may, from the caller's uid and groups. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "vmnet.h"

static int usage(void) {
        fprintf(stderr, "usage: vmnet admin isolation on|off\n");
        return EXIT_USAGE;
}

/* Exam mode: students' VMs reach their own VMs, the host and the outside,
 * never another student's; effective at once, until switched again or
 * until vmnetd reloads its configuration (isolation in vmnet.conf). */
static int cmd_isolation(const char *word) {
        struct vmnet_request req = { .type = VMNET_MSG_ISOLATION };
        struct vmnet_reply rep;
        int r;

        if (strcmp(word, "on") != 0 && strcmp(word, "off") != 0)
                return usage();
        req.isolation = strcmp(word, "on") == 0;
        r = cli_call("vmnet", &req, &rep, NULL,
                     "vmnetd refused: exam mode is for root and the members of teacher_groups (vmnet.conf)");
        if (r != EXIT_OK)
                return r;
        printf(req.isolation ? "exam mode on: each student's VMs reach their own VMs, the host and the outside, "
                               "no other student's\n"
                             : "exam mode off: students' VMs reach each other again\n");
        return EXIT_OK;
}

int cmd_admin(int argc, char **argv) {
        if (argc == 3 && strcmp(argv[1], "isolation") == 0)
                return cmd_isolation(argv[2]);
        return usage();
}
