/* vmnet netns attach, and the LXC hook that does the same for a container
 * (lxc_hook.c): the caller's network namespace handed to vmnetd as an fd,
 * which vmnetd gives a link on the lab bridge. */
#pragma once
#include <stddef.h>

/* The one answer to every refusal of an attach, vmnetd's or the kernel's
 * (a process of another user's cannot even be opened): which of the
 * reasons it was is not said, so nothing is learnt about others. */
#define CLI_NETNS_REFUSED "vmnetd refused to attach that network namespace: it attaches only one you " \
        "made yourself (unshare -rn, a rootless container), never the host's or another user's, " \
        "to the lab or to a segment of your own ('vmnet segment list'), " \
        "and only while you have fewer links than max_taps ('vmnet status' lists yours)"

/* The file that is the namespace of target: /proc/PID/ns/net for a PID
 * (digits only), else target itself (a path such as /proc/PID/ns/net, a
 * bind mount of ip netns, /proc/self/fd/N).  -EINVAL for an empty target
 * or a PID out of range, -ENAMETOOLONG. */
int cli_netns_path(const char *target, char *ret, size_t size);

/* Attaches the namespace of target, its link named ifname (NULL or "":
 * vmnetd's default, eth0), to the lab or, when segment is not NULL, to the
 * caller's segment of that name; prints the bridge's end of the link on
 * stdout.  Messages start with prog.  Returns an exit code. */
int cli_netns_attach(const char *prog, const char *target, const char *ifname, const char *segment);

/* The options `netns attach` and the LXC hook share, from argv[*i] on:
 * --name IF, --segment NAME, in any order.  Stops at the first other
 * argument (*i then names it).  Returns 0, or EXIT_USAGE (said on stderr,
 * prog first). */
int cli_netns_options(const char *prog, int argc, char **argv, int *i, const char **ret_ifname,
                      const char **ret_segment);

/* vmnet netns ARGS (argv[0] is "netns"). */
int cmd_netns(int argc, char **argv);
