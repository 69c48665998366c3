/* vmnet: what a student runs to see and manage their place on the lab
 * network.  An unprivileged client of vmnetd: every decision (which taps
 * are whose, quotas, the bridge) is vmnetd's, taken from SO_PEERCRED.
 *
 * Environment: VMNET_SOCKET overrides the path of vmnetd's socket (tests). */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "ifname.h"
#include "netns.h"
#include "segment.h"
#include "version.h"
#include "vmnet.h"

static void usage(FILE *f) {
        fprintf(f,
                "usage: vmnet COMMAND [ARGS]\n"
                "\n"
                "Your virtual machines' place on the lab network, through vmnetd.\n"
                "\n"
                "  status [--json]   your taps, the lab bridge and the VMs seen behind your taps\n"
                "  status --all [--json|--html]\n"
                "                    the whole lab (root and teacher_groups)\n"
                "  top               the whole lab, kept up to date (q quits); status --all --watch\n"
                "  capture [TARGET] [-w FILE] [-c COUNT] [FILTER...]\n"
                "                    a pcap of the frames crossing one of your links or taps:\n"
                "                    vmnet capture | wireshark -k -i -\n"
                "  tap add [--multi-queue]\n"
                "                    a new tap of yours on the lab bridge; prints its name\n"
                "                    (--multi-queue: for QEMU's queues=N, libvirt's <driver queues='N'/>)\n"
                "  tap del NAME      delete one of the taps 'tap add' made\n"
                "  netns attach [--name IF] [--segment NAME] (PID | /proc/PID/ns/net | FILE)\n"
                "                    a link on the lab bridge (or a segment of yours) into a network\n"
                "                    namespace of yours (unshare -rn, a rootless container); prints\n"
                "                    its bridge end\n"
                "  segment add NAME [--keep]\n"
                "                    a private network of yours (no DHCP, no host, no way out) for\n"
                "                    routers, DHCP servers, VLANs; gone at your last logout unless kept\n"
                "  segment del NAME  delete one (refused while a VM is attached by a tap)\n"
                "  segment list [--json]\n"
                "                    your segments and what is attached to them\n"
                "  hint HYPERVISOR   how to attach a VM, with your names filled in:\n"
                "                    virtualbox, vmware, qemu, libvirt, lxc, wireshark\n"
                "  admin isolation on|off\n"
                "                    exam mode, for root and teacher_groups: students' VMs\n"
                "                    reach their own, the host and the outside, no other student's\n"
                "  help, --help      this text\n"
                "  --version         vmnet's version\n"
                "\n"
                "Exit status: 0 done, 1 refused or failed, 2 usage, 3 vmnetd not reachable.\n"
                "Environment: VMNET_SOCKET, vmnetd's socket (default %s), for tests.\n",
                VMNET_DEFAULT_SOCKET);
}

static int cmd_tap_add(bool multi_queue) {
        struct vmnet_request req = { .type = VMNET_MSG_TAP_ADD };
        struct vmnet_reply rep;
        int r;

        if (multi_queue)
                req.want = VMNET_TAP_WANT_MULTI_QUEUE;
        r = cli_call("vmnet", &req, &rep, NULL, "vmnetd refused a new tap (is your account "
                     "admitted to the lab? see allow_groups in vmnet.conf)");
        if (r != EXIT_OK)
                return r;
        printf("%s\n", rep.tap);
        return EXIT_OK;
}

static int cmd_tap_del(const char *name) {
        struct vmnet_request req = { .type = VMNET_MSG_TAP_DEL };
        struct vmnet_reply rep, st;
        const char *problem = ifname_problem(name);
        int r;

        if (problem) {
                fprintf(stderr, "vmnet: '%s' is no tap name: it %s\n", name, problem);
                return EXIT_USAGE;
        }
        strcpy(req.tap, name); /* fits: ifname_problem() checked the length */
        r = cli_call("vmnet", &req, &rep, NULL, NULL);
        if (r != CLI_REFUSED)
                return r;
        /* vmnetd says the same whatever the reason; only the user's own taps,
         * which STATUS shows them anyway, get a more precise word. */
        if (cli_status(&st) == EXIT_OK)
                for (unsigned i = 0; i < st.n_taps; i++) {
                        if (strcmp(st.taps[i].name, name) != 0)
                                continue;
                        if (st.taps[i].kind == VMNET_TAP_LOGIN)
                                fprintf(stderr, "vmnet: %s is your login tap: it goes when your "
                                        "last session ends, not with tap del\n", name);
                        else if (st.taps[i].kind == VMNET_TAP_VM)
                                fprintf(stderr, "vmnet: %s belongs to a running VM: it goes "
                                        "when the VM exits\n", name);
                        else
                                fprintf(stderr, "vmnet: vmnetd refused to delete your tap %s\n", name);
                        return EXIT_ERROR;
                }
        fprintf(stderr, "vmnet: no tap '%s' of yours to delete ('vmnet status' lists yours)\n", name);
        return EXIT_ERROR;
}

static int cmd_tap(int argc, char **argv) {
        if (argc == 2 && strcmp(argv[1], "add") == 0)
                return cmd_tap_add(false);
        if (argc == 3 && strcmp(argv[1], "add") == 0 && strcmp(argv[2], "--multi-queue") == 0)
                return cmd_tap_add(true);
        if (argc == 3 && strcmp(argv[1], "del") == 0)
                return cmd_tap_del(argv[2]);
        fprintf(stderr, "usage: vmnet tap add [--multi-queue] | vmnet tap del NAME\n");
        return EXIT_USAGE;
}

int main(int argc, char **argv) {
        const char *cmd = argc > 1 ? argv[1] : NULL;

        if (!cmd) {
                usage(stderr);
                return EXIT_USAGE;
        }
        if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
                usage(stdout);
                return EXIT_OK;
        }
        if (strcmp(cmd, "--version") == 0) {
                printf("vmnet %s\n", vmnet_version);
                return EXIT_OK;
        }
        if (strcmp(cmd, "status") == 0)
                return cmd_status(argc - 1, argv + 1);
        if (strcmp(cmd, "tap") == 0)
                return cmd_tap(argc - 1, argv + 1);
        if (strcmp(cmd, "netns") == 0)
                return cmd_netns(argc - 1, argv + 1);
        if (strcmp(cmd, "admin") == 0)
                return cmd_admin(argc - 1, argv + 1);
        if (strcmp(cmd, "segment") == 0)
                return cmd_segment(argc - 1, argv + 1);
        if (strcmp(cmd, "hint") == 0)
                return cmd_hint(argc - 1, argv + 1);
        if (strcmp(cmd, "capture") == 0)
                return cmd_capture(argc - 1, argv + 1);
        if (strcmp(cmd, "top") == 0) {
                if (argc != 2) {
                        fprintf(stderr, "usage: vmnet top\n");
                        return EXIT_USAGE;
                }
                return cmd_watch(VMNET_SCOPE_ALL);
        }
        fprintf(stderr, "vmnet: unknown command '%s' (try vmnet --help)\n", cmd);
        return EXIT_USAGE;
}
