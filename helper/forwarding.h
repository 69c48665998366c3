/* IPv4 forwarding, which uplink nat and routed need.  vmnetd turns it on
 * and remembers, once, what it found; --down puts that back, so that
 * removing vmnet leaves the sysctl as it was before vmnet came. */
#pragma once

#define FORWARDING_SYSCTL "/proc/sys/net/ipv4/ip_forward"
/* In run_dir: the value vmnetd found before it first turned forwarding on. */
#define FORWARDING_SAVED "ip_forward.before"

/* Records the current value of sysctl_path in saved_path unless a record
 * is there already (a restarted vmnetd finds its own "1"), then writes 1.
 * 0 or -errno. */
int forwarding_enable(const char *sysctl_path, const char *saved_path);

/* The value recorded in saved_path, '0' or '1', into *ret; -ENOENT when
 * there is no record. */
int forwarding_saved(const char *saved_path, char *ret);

/* Writes the recorded value back and removes the record; 0 when there is
 * none (vmnetd never turned forwarding on).  0 or -errno. */
int forwarding_restore(const char *sysctl_path, const char *saved_path);
