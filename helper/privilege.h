/* What vmnetd may do: it runs as a system user of its own (VMNETD_USER,
 * which the package makes) holding CAP_NET_ADMIN and CAP_NET_BIND_SERVICE
 * and nothing else.
 *
 *   CAP_NET_ADMIN         links, the bridge, taps (TUNSETIFF, TUNSETOWNER),
 *                         nftables, net sysctls (ip_forward, disable_ipv6);
 *                         dnsmasq's ARP entries for DHCP replies
 *   CAP_NET_BIND_SERVICE  dnsmasq's ports 53 and 67 (vmnetd binds none)
 *
 * Under systemd the unit gives them (User=, AmbientCapabilities=); started
 * as root (vmnetd -f, the tests, the demo) vmnetd becomes that user itself,
 * after what only root can do: making run_dir and binding its sockets.
 * Its children get no capability unless spawned for one (spawn.h): dnsmasq
 * gets the same two; the names program it runs sheds them before it reads
 * anything (names/capabilities.h). */
#pragma once
#include <sys/types.h>

#define VMNETD_USER "vmnet"

/* Started as root: makes run_dir (0755) if need be and gives it, and the
 * files directly in it, to user (the files an older vmnetd left as root
 * would otherwise be out of reach).  Does nothing when not root.
 * 0 or -errno (logged). */
int privilege_prepare_run_dir(const char *run_dir, const char *user);

/* Root: becomes user (its primary group, no supplementary groups) with the
 * two capabilities, the rest of them and the bounding set dropped.  Not
 * root: checks that CAP_NET_ADMIN is there and drops any capability beyond
 * the two.  Either way the ambient set is emptied (a child gets nothing by
 * default), no_new_privs is set and the process is made undumpable (so that
 * a process of the same user, such as the names process, cannot ptrace it
 * or read its memory).  0 or -errno, with a message saying what to do. */
int privilege_drop(const char *user);

/* Between fork and exec, in the child: the two capabilities passed on to
 * the program through the ambient set (what dnsmasq needs; a child spawned
 * without this gets none, the ambient set being empty). */
int privilege_child_keep_network(void);
