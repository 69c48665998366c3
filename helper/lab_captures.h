/* The captures running: who watches which port through which capture
 * tap (capture_tap.h, mirror.h).  CAPTURE names a target — a link or tap
 * vmnetd made, or a VM of the lab view by name or MAC — and the caller
 * gets the port behind it if it is their own, or if they are a teacher;
 * anything else, existing or not, is the one refusal (-EPERM).
 *
 * A capture ends when its holder closes the capture tap's fd (the tap
 * goes, or loses its carrier if the holder made it persistent), when the
 * port goes (its VM exited: the capture tap is deleted, the holder's reads
 * fail), when vmnetd stops, or — after a crash — when vmnetd starts again.
 * Every start and end is logged with who watched whom. */
#pragma once
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "protocol.h"

#define CAPTURES_PER_USER 8

struct lab;
struct user_info;

struct capture {
        int tap_ifindex;
        char tap[IFNAMSIZ];
        int port_ifindex;      /* the bridge port mirrored */
        char port[IFNAMSIZ];
        char link[IFNAMSIZ];   /* what its owner calls it: tap-alice for vmnp3 */
        unsigned prio;         /* of its mirror filters (mirror.h) */
        uid_t watcher;
        char watcher_name[VMNET_USER_MAX + 1];
        char owner_name[VMNET_USER_MAX + 1];
        int64_t started;
};

struct captures {
        struct capture *v;
        size_t n, allocated;
};

/* CAPTURE for caller (teacher: may watch anyone's port).  On success the
 * capture tap's fd is in *ret_fd (for the reply; the caller closes its
 * copy), and rep's tap, user (whose port), port and link are filled.
 * -EPERM, -EUSERS (too many captures of the caller's or of the port),
 * or the kernel's -errno. */
int lab_capture(struct lab *lab, const struct user_info *caller, bool teacher, const char *target,
                struct vmnet_reply *rep, int *ret_fd);

/* Ends the captures whose tap or port went away, or whose tap nobody holds
 * any more.  Returns true when one ended.  Call on link events. */
bool lab_captures_sweep(struct lab *lab);

/* vmnetd stops: every capture ends. */
void lab_captures_stop(struct lab *lab);

/* vmnetd starts: mirror filters an earlier vmnetd left on the lab's ports
 * are removed (its capture taps are retired with the orphans). */
void lab_captures_forget_mirrors(struct lab *lab);
