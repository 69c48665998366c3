/* One event into the two tables the lab's names are read from: the hosts
 * snapshot (run_dir/hosts, which libnss_vmnet maps) and the hosts files of
 * dnsmasq's hostsdir (run_dir/dns/hosts-0 .. hosts-f), under a lock (dnsmasq runs one
 * script at a time, but nothing depends on that).  The snapshot is the
 * record: the table is loaded from it, so names and claims outlive
 * dnsmasq's restarts (which forget what guests said).  Then the lease
 * itself goes into the lab's lease file (lease_store.h), which dnsmasq
 * does not keep. */
#pragma once
#include "lease_event.h"
#include "names_files.h"
#include "names_table.h"

struct names_context {
        const char *run_dir;
        const char *domain;       /* "" for none */
        const char *socket_path;  /* vmnetd's, for OWNER */
        struct names_reserved reserved;
};

/* Returns 0 or -errno (logged on stderr, which dnsmasq logs). */
int names_publish(const struct names_context *c, const struct lease_event *ev);
