/* vmnet-bridge-helper: QEMU's (and libvirt's) bridge-helper protocol on
 * top of vmnetd.
 *
 * QEMU runs "HELPER [--use-vnet] --fd=N --br=BRIDGE" as the user who runs
 * the VM, with N one end of a socketpair, and reads one tap fd from it
 * (SCM_RIGHTS with a one-byte payload).  Instead of making the tap itself,
 * which needs CAP_NET_ADMIN, this helper asks vmnetd for one (VM_TAP): the
 * tap comes back already owned by the user and plugged into the bridge,
 * and goes away when the last holder (the VM) closes it.  No privilege
 * here: vmnetd decides whether the bridge and the user are allowed.
 * BRIDGE is the lab bridge, or the name the user gave a private segment
 * of theirs ("lan2"), which vmnetd maps to the segment's real bridge.
 *
 * --use-vnet (QEMU always passes it, libvirt for virtio NICs) asks for a
 * tap with the vnet header: QEMU probes the fd it gets and, finding the
 * header, lets the guest hand whole TCP segments and unchecked checksums
 * to the host kernel instead of cutting every stream into MTU frames.
 *
 * Environment: VMNET_SOCKET overrides the path of vmnetd's socket (tests). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "call.h"
#include "client.h"
#include "ifname.h"
#include "protocol.h"
#include "version.h"

#define PROG "vmnet-bridge-helper"
#define SEND_TIMEOUT_MS   5000

struct args {
        int fd;
        const char *bridge;
        bool use_vnet;
};

static void usage(FILE *f) {
        fprintf(f,
                "usage: " PROG " [--use-vnet] --fd=N --br=BRIDGE\n"
                "\n"
                "QEMU's bridge helper, backed by vmnetd: asks vmnetd for a tap on\n"
                "BRIDGE, owned by you, and passes its fd to QEMU over fd N.  QEMU and\n"
                "libvirt run it; people do not.  Use it with\n"
                "  qemu-system-x86_64 ... -nic bridge,br=BRIDGE,helper=PATH-OF-THIS-PROGRAM\n"
                "or in ~/.config/libvirt/qemu.conf: bridge_helper = \"PATH-OF-THIS-PROGRAM\".\n"
                "\n"
                "  --fd=N, --fd N       socket to send the tap fd on\n"
                "  --br=NAME, --br NAME bridge to plug the tap into: the lab bridge, or the name\n"
                "                       of a private segment of yours (vmnet segment add NAME)\n"
                "  --use-vnet           a tap with the vnet header (virtio offloads)\n"
                "  --version            print the version and exit\n"
                "\n"
                "Environment: VMNET_SOCKET, vmnetd's socket (default %s), for tests.\n"
                "Exit status: 0 the fd was passed, 1 refused or failed, 2 usage,\n"
                "3 vmnetd not reachable.\n",
                VMNET_DEFAULT_SOCKET);
}

static int parse_fd(const char *s, int *ret) {
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < 0 || v > INT_MAX)
                return -EINVAL;
        *ret = (int)v;
        return 0;
}

/* Both "--opt=VALUE" and "--opt VALUE": QEMU uses the first, others may not. */
static const char *option_value(const char *name, int argc, char **argv, int *i) {
        size_t n = strlen(name);
        if (strncmp(argv[*i], name, n) != 0)
                return NULL;
        if (argv[*i][n] == '=')
                return argv[*i] + n + 1;
        if (argv[*i][n] == 0 && *i + 1 < argc)
                return argv[++*i];
        return NULL;
}

/* Returns 0, 1 when --help or --version was asked (printed), or -EINVAL (reported). */
static int parse_args(int argc, char **argv, struct args *ret) {
        struct args a = { .fd = -1 };
        const char *v, *problem;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        usage(stdout);
                        return 1;
                } else if (strcmp(argv[i], "--version") == 0) {
                        printf(PROG " %s\n", vmnet_version);
                        return 1;
                } else if (strcmp(argv[i], "--use-vnet") == 0) {
                        a.use_vnet = true;
                } else if ((v = option_value("--fd", argc, argv, &i))) {
                        if (parse_fd(v, &a.fd) < 0) {
                                fprintf(stderr, PROG ": --fd wants a file descriptor number, not '%s'\n", v);
                                return -EINVAL;
                        }
                } else if ((v = option_value("--br", argc, argv, &i))) {
                        a.bridge = v;
                } else {
                        fprintf(stderr, PROG ": unknown argument '%s' (try --help)\n", argv[i]);
                        return -EINVAL;
                }
        }
        if (a.fd < 0 || !a.bridge) {
                fprintf(stderr, PROG ": needs --fd=N and --br=BRIDGE (QEMU passes both; try --help)\n");
                return -EINVAL;
        }
        problem = ifname_problem(a.bridge);
        if (problem) {
                fprintf(stderr, PROG ": bridge name '%s' %s\n", a.bridge, problem);
                return -EINVAL;
        }
        *ret = a;
        return 0;
}

/* Sends tap_fd over sock the way QEMU's recv_fd() reads it: one byte of
 * payload carrying one SCM_RIGHTS fd. */
static int send_fd(int sock, int tap_fd) {
        union {
                struct cmsghdr h;
                char space[CMSG_SPACE(sizeof(int))];
        } control;
        char byte = 0;
        struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
        struct msghdr msg = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = &control, .msg_controllen = sizeof control,
        };
        struct cmsghdr *c;

        memset(&control, 0, sizeof control);
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &tap_fd, sizeof(int));

        for (;;) {
                if (sendmsg(sock, &msg, MSG_NOSIGNAL) == 1)
                        return 0;
                if (errno == EINTR)
                        continue;
                if (errno != EAGAIN)
                        return -errno;
                /* a non-blocking socket from some caller: wait, bounded */
                struct pollfd p = { .fd = sock, .events = POLLOUT };
                int n = poll(&p, 1, SEND_TIMEOUT_MS);
                if (n == 0)
                        return -ETIMEDOUT;
                if (n < 0 && errno != EINTR)
                        return -errno;
        }
}

int main(int argc, char **argv) {
        struct vmnet_request req = { .type = VMNET_MSG_VM_TAP };
        struct vmnet_reply rep;
        char refused[320];
        struct args a;
        struct stat st;
        int r, tap_fd = -1;

        r = parse_args(argc, argv, &a);
        if (r != 0)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        /* Checked before asking vmnetd, so that no tap is made for nothing. */
        if (fstat(a.fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
                fprintf(stderr, PROG ": fd %d is not a socket (QEMU or libvirt runs this "
                        "program and passes one)\n", a.fd);
                return EXIT_USAGE;
        }

        strcpy(req.bridge, a.bridge); /* fits: ifname_problem() checked the length */
        if (a.use_vnet)
                req.want = VMNET_TAP_WANT_VNET_HDR;
        snprintf(refused, sizeof refused, "vmnetd refused a tap on bridge '%s' (it serves only the "
                 "lab bridge and segments of your own, to users the lab admits; 'vmnet status' names "
                 "the bridge, 'vmnet segment list' your segments)", a.bridge);
        r = cli_call(PROG, &req, &rep, &tap_fd, refused);
        if (r != EXIT_OK)
                return r;
        if (tap_fd < 0) {
                fprintf(stderr, PROG ": vmnetd answered without a tap fd (see its log)\n");
                return EXIT_ERROR;
        }

        r = send_fd(a.fd, tap_fd);
        /* Our copy goes now: the tap must live exactly as long as QEMU holds it. */
        close(tap_fd);
        if (r < 0) {
                fprintf(stderr, PROG ": cannot pass the tap %s to fd %d: %s\n",
                        rep.tap, a.fd, strerror(-r));
                return EXIT_ERROR;
        }
        close(a.fd);
        return EXIT_OK;
}
