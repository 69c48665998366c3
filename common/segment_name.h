/* A student's private segments: the name the student gives one, and the
 * names vmnetd derives from it for the kernel.
 *
 *  - The segment's name ("lan2") is the student's word for it, never an
 *    interface name: 1..SEGMENT_NAME_MAX bytes of [a-z0-9_-], starting
 *    with a letter.  It is what QEMU's and libvirt's bridge helper pass as
 *    br=, so it fits where a bridge name does.
 *  - The segment's bridge: SEGMENT_BRIDGE_PREFIX + 10 hex digits of a hash
 *    of (user, segment), always (e.g. "b~af0856fd0a"): nobody types it,
 *    and one prefix names every segment's bridge in rules (firewall.c).
 *  - Its link for VirtualBox and VMware: "USER=SEGMENT" when the user name
 *    is plain (ifname.h) and it fits in 15 bytes ("alice=lan2"),
 *    else SEGMENT_LINK_HASHED_PREFIX + 10 hex digits of the same hash.
 *
 * Injective, as far as 40 hash bits go: '=' is in no segment name, no
 * plain user name and no other name vmnetd makes, and it appears once in a
 * readable link name, which so splits back into (user, segment); '~' is in
 * no readable name; the prefixes "b~", "s~" and tap names' "t~" differ. */
#pragma once
#include <net/if.h>

#define SEGMENT_NAME_MAX 15 /* bytes; the wire and struct fields give IFNAMSIZ */
#define SEGMENT_BRIDGE_PREFIX "b~"
#define SEGMENT_LINK_HASHED_PREFIX "s~"

/* NULL if name is a valid segment name, else why not ("is empty"). */
const char *segment_name_problem(const char *name);

/* The kernel names of user's segment `segment` into ret.  0, or -EINVAL
 * for an empty user or an invalid segment name (ret untouched). */
int segment_bridge_name(const char *user, const char *segment, char ret[IFNAMSIZ]);
int segment_link_name(const char *user, const char *segment, char ret[IFNAMSIZ]);
