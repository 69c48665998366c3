/* vmnet-lxc-hook: puts an LXC container on the lab network through vmnetd,
 * with no setuid helper and no line of the admin's.  In the container's
 * config:
 *
 *   lxc.net.0.type = empty
 *   lxc.hook.start-host = /usr/lib/vmnet/vmnet-lxc-hook [--name IF] [--segment NAME]
 *
 * (one such line per interface: --segment puts that one on a private
 * segment of the owner's instead of the lab)
 * LXC runs a start-host hook as the container's owner, in the host's
 * namespaces, once the container's namespaces exist and before its init
 * runs, with the container's init in LXC_PID.  (LXC_NET_NS, a path to the
 * namespace, is taken when set: LXC 5.0 sets it for stop hooks only.)
 * Arguments after ours are LXC's (NAME lxc start-host, unless
 * lxc.hook.version = 1) and are not needed.  A failure exits non-zero, and
 * lxc-start then stops the container.
 *
 * LXC keeps what a hook writes in its log, at DEBUG ("produced output"):
 * lxc-start --logfile FILE --logpriority DEBUG shows why a start failed.
 * lxc.container.conf(5) promises that for stdout only, so every message
 * goes there. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call.h"
#include "netns.h"

#define PROG "vmnet-lxc-hook"

int main(int argc, char **argv) {
        const char *ifname = NULL, *segment = NULL, *from = "LXC_NET_NS", *target = getenv(from);
        int i = 1;

        /* one stream, lines in the order they were written */
        if (dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
                return EXIT_ERROR;
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (cli_netns_options(PROG, argc, argv, &i, &ifname, &segment) != 0)
                return EXIT_USAGE;
        if (!target || !target[0])
                target = getenv(from = "LXC_PID");
        if (!target || !target[0]) {
                fprintf(stderr, PROG ": neither LXC_NET_NS nor LXC_PID is set: this runs as LXC's "
                        "lxc.hook.start-host (see vmnet(1))\n");
                return EXIT_USAGE;
        }
        printf(PROG ": the container's network namespace: %s (%s)\n", target, from);
        return cli_netns_attach(PROG, target, ifname, segment);
}
